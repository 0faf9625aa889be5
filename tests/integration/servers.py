"""Varnish and nginx as real processes on 127.0.0.1, each running the configuration shipped in
deploy/ with its placeholders filled in, in front of an origin and Forewarn."""

from __future__ import annotations

import os
import re
import shutil
import string
import subprocess
import sys
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from tests.integration.origin import Origin
from tests.support import ROOT, free_port, stop_process

DEPLOY = ROOT / "deploy"
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
INSTALL_HINT = {
    "varnishd": "apt-get install varnish",
    "nginx": "apt-get install nginx",
    "ngx_http_geoip2_module": "apt-get install libnginx-mod-http-geoip2",
}
GEO_MODULE_DIRS = ("/usr/lib/nginx/modules", "/usr/share/nginx/modules", "/etc/nginx/modules")
SERVERS = ("gunicorn", "granian")  # what `forewarn serve --server` can run Forewarn on


def find_binary(name: str) -> str | None:
    """The server binary, also where Debian puts it when /usr/sbin is not on PATH."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin",
                                                    "/sbin"]))


def geo_module() -> Path | None:
    """Debian's ngx_http_geoip2_module.so, wherever the distribution put it."""
    for folder in GEO_MODULE_DIRS:
        candidate = Path(folder) / "ngx_http_geoip2_module.so"
        if candidate.is_file():
            return candidate
    return None


def missing_reason(name: str) -> str:
    return (f"{name} not installed: `make test` installs it as root "
            f"({INSTALL_HINT[name]}); otherwise install it to run the edge-include tests")


def fill(template: Path, values: Mapping[str, str]) -> str:
    """A deploy/ template with its ${NAME} placeholders filled in, as envsubst would; the
    server's own `$variables` are left alone. Every placeholder must have a value."""
    text = string.Template(template.read_text()).safe_substitute(values)
    left = sorted(set(PLACEHOLDER.findall(text)))
    if left:
        raise ValueError(f"{template}: no value for {', '.join(left)}")
    return text


class Forewarn(Protocol):
    """What an edge needs of the Forewarn behind it: a `forewarn serve` (LiveServer), or a
    stand-in holding its port while it is down."""

    @property
    def port(self) -> int: ...

    @property
    def log_path(self) -> Path: ...


class EdgeServer(ABC):
    """One edge server process in its own folder; `url` answers once it proxies to Forewarn.
    ``fallback_dir`` is where the fallback blocks were exported (`forewarn export fallback`),
    for the configurations that serve them."""

    name = ""

    def __init__(self, folder: Path, origin: Origin, forewarn: Forewarn,
                 fallback_dir: Path | None = None) -> None:
        self.folder = folder
        self.origin = origin
        self.forewarn = forewarn
        self.fallback_dir = fallback_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = folder / "server.log"
        values = {"ORIGIN_HOST": "127.0.0.1", "ORIGIN_PORT": str(origin.port),
                  "FOREWARN_HOST": "127.0.0.1", "FOREWARN_PORT": str(forewarn.port)}
        if fallback_dir is not None:
            values["FALLBACK_DIR"] = str(fallback_dir)
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(self.command(values), stdout=self._log,
                                        stderr=subprocess.STDOUT, cwd=folder)
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    @abstractmethod
    def command(self, values: dict[str, str]) -> list[str]:
        """The server's command line, its configuration written into ``self.folder``."""

    def logs(self) -> str:
        """Everything the server wrote, for a failed test's report."""
        parts = []
        for path in sorted(self.folder.glob("*.log")):
            parts.append(f"--- {path.name}\n{path.read_text(errors='replace')}")
        return "\n".join(parts)

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()

    def _wait_until_ready(self) -> None:
        # Through the edge to Forewarn: proves the configuration, not just the listening socket.
        for _ in range(300):
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n"
                                   f"{self.logs()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_forewarn/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer on {self.url}:\n{self.logs()}")


class Varnish(EdgeServer):
    """varnishd with deploy/varnish/default.vcl (varnish_command)."""

    name = "varnish"

    def command(self, values: dict[str, str]) -> list[str]:
        vcl = self.folder / "default.vcl"
        vcl.write_text(fill(DEPLOY / "varnish" / "default.vcl", values))
        return varnish_command(self.port, vcl, self.folder)


class NginxFront(EdgeServer):
    """nginx with deploy/nginx/forewarn-proxy.conf: the buffering front of `forewarn serve`."""

    name = "nginx"

    def command(self, values: dict[str, str]) -> list[str]:
        values = {**values, "LISTEN": f"127.0.0.1:{self.port}"}
        (self.folder / "forewarn-proxy.conf").write_text(
            fill(DEPLOY / "nginx" / "forewarn-proxy.conf", values))
        return _nginx_command(self.folder)


class Nginx(EdgeServer):
    """nginx with deploy/nginx/nginx.conf around the filled-in forewarn-ssi.conf, every path
    under its folder (-p), in the foreground. As root its workers would drop to `nobody`, which
    cannot write the cache into a test's private temporary folder: they stay root here."""

    name = "nginx"

    @property
    def fallback_log(self) -> Path:
        """FALLBACK_LOG: one line per fallback served."""
        return self.folder / "forewarn-fallback.log"

    def command(self, values: dict[str, str]) -> list[str]:
        values = {**values, "LISTEN": f"127.0.0.1:{self.port}",
                  "CACHE_DIR": str(self.folder / "cache"),
                  "FALLBACK_LOG": str(self.fallback_log)}
        (self.folder / "forewarn-ssi.conf").write_text(
            fill(DEPLOY / "nginx" / "forewarn-ssi.conf", values))
        return _nginx_command(self.folder)


class EdgeCacheNginx(EdgeServer):
    """nginx with deploy/nginx/forewarn-edge-cache.conf (the geoip2 module loaded, ``geo_db``
    for its look-ups) in front of `forewarn serve --upstream`. Readers are played by
    X-Forwarded-For from 127.0.0.1, which the test's own http-level snippet lets nginx believe,
    as a load balancer in front of it would."""

    name = "nginx"

    def __init__(self, folder: Path, origin: Origin, forewarn: Forewarn, geo_db: Path,
                 catalog: Path = ROOT / "catalog" / "notices.toml",
                 page_languages: str | None = None) -> None:
        self.geo_db = geo_db
        self.catalog = catalog
        self.page_languages = page_languages
        super().__init__(folder, origin, forewarn)

    def command(self, values: dict[str, str]) -> list[str]:
        values = {**values, "LISTEN": f"127.0.0.1:{self.port}",
                  "CACHE_DIR": str(self.cache_dir), "GEO_DB": str(self.geo_db),
                  "VARIANT_MAP": str(self.export_variant_map())}
        (self.folder / "forewarn-edge-cache.conf").write_text(
            fill(DEPLOY / "nginx" / "forewarn-edge-cache.conf", values))
        command = _nginx_command(self.folder)
        placing_test_readers(self.folder)
        return command

    @property
    def cache_dir(self) -> Path:
        return self.folder / "cache"

    def export_variant_map(self) -> Path:
        """`forewarn export nginx` of ``catalog`` into the folder, as deploy/README.md says."""
        languages = ["--page-languages", self.page_languages] if self.page_languages else []
        return export_map("nginx", self.folder / "forewarn-variants.conf",
                          {"FOREWARN_CATALOG": str(self.catalog)}, *languages)


def export_map(kind: str, out: Path, env: Mapping[str, str], *args: str) -> Path:
    """`forewarn export nginx|varnish [args]` with Forewarn's settings ``env`` into ``out``, as
    deploy/README.md says."""
    subprocess.run([str(Path(sys.executable).with_name("forewarn")), "export", kind,
                    "--out", str(out), *args], check=True, capture_output=True,
                   env={**os.environ, **env})
    return out


def varnish_command(port: int, vcl: Path, folder: Path) -> list[str]:
    """varnishd with ``vcl`` in the foreground, so the test owns the process (stopping it stops
    the child too), its work folder in ``folder``. No jail (-j none): as root the default jail
    drops to the varnish user, which cannot reach a test's private temporary folder."""
    return [find_binary("varnishd") or "varnishd", "-F", "-j", "none",
            "-a", f"127.0.0.1:{port}", "-f", str(vcl), "-n", str(folder / "work"),
            "-s", "malloc,32m", "-p", "thread_pool_min=10"]


def placing_test_readers(folder: Path) -> None:
    """The nginx in ``folder`` (its nginx.conf already there) with the geoip2 module loaded, and
    believing the X-Forwarded-For that tests send from 127.0.0.1, as a load balancer in front of
    it would be believed: readers are played by their address."""
    (folder / "forewarn-test-readers.conf").write_text(
        "set_real_ip_from 127.0.0.1;\nreal_ip_header X-Forwarded-For;\n")
    conf = folder / "nginx.conf"
    conf.write_text(f"load_module {geo_module()};\n" + conf.read_text())


def keeping_fragments(folder: Path, env: Mapping[str, str], geo_db: Path) -> None:
    """The nginx edge include in ``folder`` (its nginx.conf and forewarn-ssi.conf already there)
    keeping its fragments per variant, as deploy/README.md says: the map `forewarn export nginx`
    writes with Forewarn's settings ``env``, forewarn-ssi-cache.conf filled in (``geo_db``
    places the readers), the snippet in forewarn-ssi.d/, and readers played by their address."""
    variants = export_map("nginx", folder / "variants.map", env)
    (folder / "forewarn-ssi-cache.conf").write_text(
        fill(DEPLOY / "nginx" / "forewarn-ssi-cache.conf", {
            "GEO_DB": str(geo_db), "VARIANT_MAP": str(variants),
            "FRAGMENT_CACHE_DIR": str(folder / "fragments")}))
    shutil.copytree(DEPLOY / "nginx" / "forewarn-ssi.d", folder / "forewarn-ssi.d")
    placing_test_readers(folder)


def _nginx_command(folder: Path) -> list[str]:
    shutil.copy(DEPLOY / "nginx" / "nginx.conf", folder / "nginx.conf")
    globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    return [find_binary("nginx") or "nginx", "-p", f"{folder}/", "-c", "nginx.conf",
            "-g", globals_]
