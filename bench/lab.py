"""Every server the benchmark setups need, started together in one temporary folder (each on its
own run-time port on 127.0.0.1) and stopped together; and the setups themselves: what wrk loads,
which readers it plays, and how a sampled answer is checked."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bench.article import ESI_PATH, PATH, SSI_PATH, write_site
from bench.peer import banners, banners_conf
from bench.servers import Server, Servers, forewarn_serve, gunicorn, nginx, varnish
from tests.integration.servers import (
    export_map,
    fill,
    find_binary,
    geo_module,
    keeping_fragments,
)
from tests.support import ROOT, free_port
from webapp.demo import demo_defaults, ensure_demo_database
from webapp.engine import Engine
from webapp.settings import load_settings

NGINX_DIR = Path(__file__).with_name("nginx")
NGINX_FILES = ("nginx.conf", "geo.conf", "static.conf", "peer.conf", "edge-cache.conf")
DEPLOY_NGINX = ROOT / "deploy" / "nginx"
COUNTRY_HEADER, REGION_HEADER = "X-Forewarn-Country", "X-Forewarn-Region"

# The demo database's documentation addresses, and the notices each reader must get on the
# (English) article: the README's demo table.
RUSSIA, CRIMEA, BELARUS, GERMANY, USA, IRAN = (
    "192.0.2.10", "203.0.113.7", "203.0.113.200", "198.51.100.10", "198.51.100.70",
    "198.51.100.130")
EXPECTED = {RUSSIA: "ru-undesirable", CRIMEA: "ru-undesirable", BELARUS: "by-extremist",
            GERMANY: "none", USA: "none", IRAN: "ir-hostile-media"}
MIX = (RUSSIA, CRIMEA, BELARUS, GERMANY, USA, IRAN)
# The same readers as a CDN in front of Varnish sends them: their place in its headers.
CDN_PLACES = {RUSSIA: {COUNTRY_HEADER: "RU"}, CRIMEA: {COUNTRY_HEADER: "UA", REGION_HEADER: "43"},
              BELARUS: {COUNTRY_HEADER: "BY"}, GERMANY: {COUNTRY_HEADER: "DE"},
              USA: {COUNTRY_HEADER: "US"}, IRAN: {COUNTRY_HEADER: "IR"}}

Check = Literal["status", "header", "block", "header+block"]


@dataclass(frozen=True)
class Setup:
    """One thing to load: ``check`` says what a sampled answer must show for its reader
    (``header``: X-Forewarn-Notices, ``block``: the ids in the page's block)."""

    name: str
    title: str
    url: str
    readers: tuple[str, ...]
    check: Check
    servers: tuple[Server, ...] = ()  # the Python servers whose workers' memory is read
    # headers of each reader's own besides X-Forwarded-For (a CDN's place headers)
    reader_headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def missing_tools() -> list[str]:
    """What the benchmark needs and this machine lacks (`make bench` installs them as root)."""
    missing = [name for name in ("nginx", "varnishd") if find_binary(name) is None]
    if geo_module() is None:
        missing.append("libnginx-mod-http-geoip2")
    return missing


def write_nginx_folder(folder: Path, values: dict[str, str], engine: Engine) -> Path:
    """The bench nginx configuration filled in under ``folder``, banners included."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in NGINX_FILES:
        (folder / name).write_text(fill(NGINX_DIR / name, values))
    (folder / "banners.conf").write_text(banners_conf(banners(engine)))
    return folder


def write_ssi_folder(folder: Path, port: int, origin_port: int, fragment_port: int,
                     fallback_dir: Path,
                     kept: tuple[Mapping[str, str], Path] | None = None) -> Path:
    """An nginx folder running the shipped deploy/nginx/forewarn-ssi.conf, filled in as
    deploy/README.md says, inside bench/nginx/ssi-nginx.conf. With ``kept`` (Forewarn's settings,
    for the export, and the MaxMind DB file) also forewarn-ssi-cache.conf and forewarn-ssi.d/:
    the fragments kept per variant, nginx placing the readers itself."""
    folder.mkdir(parents=True)
    (folder / "nginx.conf").write_text((NGINX_DIR / "ssi-nginx.conf").read_text())
    (folder / "forewarn-ssi.conf").write_text(fill(DEPLOY_NGINX / "forewarn-ssi.conf", {
        "LISTEN": f"127.0.0.1:{port}", "ORIGIN_HOST": "127.0.0.1",
        "ORIGIN_PORT": str(origin_port), "FOREWARN_HOST": "127.0.0.1",
        "FOREWARN_PORT": str(fragment_port), "CACHE_DIR": str(folder / "cache"),
        "FALLBACK_DIR": str(fallback_dir), "FALLBACK_LOG": str(folder / "forewarn-fallback.log")}))
    if kept is not None:
        keeping_fragments(folder, *kept)
    return folder


class Lab(Servers):
    """Starts everything on entry (a failure stops what had started), stops it all on exit."""

    def __init__(self, folder: Path | None = None) -> None:
        super().__init__(folder)
        self.database = ensure_demo_database(ROOT / "var" / "demo-geo.mmdb")
        self.env = {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
                    "FOREWARN_GEOIP_DBS": str(self.database),
                    "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32"}
        self.setups: list[Setup] = []

    def _start(self) -> None:
        site = write_site(self.folder / "site")
        env = self.env
        bare = self._server(gunicorn("bare", "bench.apps:create_bare()", self.folder,
                                     ready_path=PATH))
        middleware = self._server(gunicorn("middleware", "bench.apps:create_middleware()",
                                           self.folder, env=env, ready_path=PATH))
        naive = self._server(gunicorn("naive", "bench.apps:create_naive()", self.folder,
                                      env=env, ready_path=PATH))
        reference = self._server(gunicorn("reference-fragment",
                                          "bench.apps:create_reference_fragment()",
                                          self.folder, env=env))
        # The fragment service writes the fallback blocks the shipped VCL includes.
        fragment = self._server(forewarn_serve("fragment", [], self.folder, env={
            **env, "FOREWARN_FALLBACK_DIR": str(self.fallback_dir)}))
        # The same on granian (`forewarn serve --server granian`); its fallback blocks are the
        # same files.
        fragment_granian = self._server(forewarn_serve("fragment-granian",
                                                       ["--server", "granian"], self.folder,
                                                       env=env))
        static_port = free_port()
        origin = f"http://127.0.0.1:{static_port}"
        proxy = self._server(forewarn_serve("proxy", ["--upstream", origin], self.folder,
                                            env=env))
        proxy_granian = self._server(forewarn_serve(
            "proxy-granian", ["--upstream", origin, "--server", "granian"], self.folder, env=env))
        edge_forewarn = self._server(forewarn_serve(
            "edge-forewarn", ["--upstream", origin], self.folder,
            env={**env, "FOREWARN_COUNTRY_HEADER": COUNTRY_HEADER,
                 "FOREWARN_REGION_HEADER": REGION_HEADER,
                 "FOREWARN_CDN_CACHES_PER_PLACE": "true"}))
        ports = {"STATIC_PORT": static_port, "PEER_PORT": free_port(), "EDGE_PORT": free_port()}
        self._start_nginx(site, ports, edge_forewarn.port)
        esi = self._server(varnish("varnish", self.folder / "varnish",
                                   self._vcl(static_port, fragment.port), ESI_PATH))
        esi_granian = self._server(varnish("varnish-granian", self.folder / "varnish-granian",
                                           self._vcl(static_port, fragment_granian.port),
                                           ESI_PATH))
        esi_reference = self._server(varnish("varnish-reference",
                                             self.folder / "varnish-reference",
                                             self._vcl(static_port, reference.port), ESI_PATH))
        cdn = {**env, "FOREWARN_COUNTRY_HEADER": COUNTRY_HEADER,
               "FOREWARN_REGION_HEADER": REGION_HEADER, "FOREWARN_CDN_CACHES_PER_PLACE": "true"}
        # (The fallback blocks its VCL includes are the fragment service's, written above.)
        fragment_kept = self._server(forewarn_serve("fragment-kept", [], self.folder, env=cdn))
        esi_kept = self._server(varnish("varnish-kept", self.folder / "varnish-kept",
                                        self._kept_vcl(static_port, fragment_kept.port, cdn),
                                        ESI_PATH))
        ssi, ssi_reference = (self._ssi(name, static_port, port) for name, port in
                              (("ssi", fragment.port), ("ssi-reference", reference.port)))
        ssi_kept = self._ssi("ssi-kept", static_port, fragment_kept.port, kept_env=cdn)
        url = {name: f"http://127.0.0.1:{port}{PATH}" for name, port in ports.items()}
        fragment_query = f"/_forewarn/fragment?path={PATH}&lang=en"
        self.setups = [
            Setup("bare", "Flask + gunicorn, 2 workers, no Forewarn", bare.url + PATH,
                  (RUSSIA,), "status", (bare,)),
            Setup("middleware-ru", "the same app in NoticeMiddleware, reader in Russia (notice)",
                  middleware.url + PATH, (RUSSIA,), "header", (middleware,)),
            Setup("middleware-de", "the same, reader in Germany (no notice)",
                  middleware.url + PATH, (GERMANY,), "header", (middleware,)),
            Setup("naive-ru", "the same app in the naive floor middleware (bench/apps.py), "
                  "reader in Russia", naive.url + PATH, (RUSSIA,), "block", (naive,)),
            Setup("naive-de", "the same, reader in Germany", naive.url + PATH, (GERMANY,),
                  "block", (naive,)),
            Setup("proxy", "forewarn serve --upstream (nginx static origin), reader in Russia",
                  proxy.url + PATH, (RUSSIA,), "header", (proxy,)),
            Setup("proxy-granian", "the same, forewarn serve --upstream --server granian",
                  proxy_granian.url + PATH, (RUSSIA,), "header", (proxy_granian,)),
            Setup("edge-cache", "nginx geoip2 + proxy_cache per country/region in front of "
                  "forewarn serve --upstream", url["EDGE_PORT"], MIX, "header+block",
                  (edge_forewarn,)),
            Setup("edge-include", "Varnish ESI + /_forewarn/fragment (forewarn serve)",
                  esi.url + ESI_PATH, MIX, "block", (fragment,)),
            Setup("edge-include-granian", "Varnish ESI + /_forewarn/fragment (forewarn serve "
                  "--server granian)", esi_granian.url + ESI_PATH, MIX, "block",
                  (fragment_granian,)),
            Setup("edge-include-reference", "Varnish ESI + a bare 20-line WSGI fragment app",
                  esi_reference.url + ESI_PATH, MIX, "status", (reference,)),
            Setup("edge-include-kept", "Varnish ESI keeping the fragments per variant "
                  "(forewarn-esi-cache.vcl), readers placed by a CDN's headers",
                  esi_kept.url + ESI_PATH, MIX, "block", (fragment_kept,), CDN_PLACES),
            Setup("edge-include-nginx", "nginx SSI (forewarn-ssi.conf) + /_forewarn/fragment "
                  "(forewarn serve)", ssi.url + SSI_PATH, MIX, "block", (fragment,)),
            Setup("edge-include-nginx-reference", "nginx SSI + the bare 20-line WSGI fragment "
                  "app", ssi_reference.url + SSI_PATH, MIX, "status", (reference,)),
            Setup("edge-include-nginx-kept", "nginx SSI keeping the fragments per variant "
                  "(forewarn-ssi-cache.conf), readers placed by nginx (geoip2)",
                  ssi_kept.url + SSI_PATH, MIX, "block", (fragment_kept,)),
            Setup("fragment", "/_forewarn/fragment alone (forewarn serve)",
                  fragment.url + fragment_query, MIX, "header+block", (fragment,)),
            Setup("fragment-granian", "the same, forewarn serve --server granian",
                  fragment_granian.url + fragment_query, MIX, "header+block",
                  (fragment_granian,)),
            Setup("peer", "nginx geoip2 + sub_filter banner (no Forewarn)", url["PEER_PORT"],
                  MIX, "block"),
            Setup("static", "nginx serving the article from disk: the ceiling",
                  url["STATIC_PORT"], (RUSSIA,), "status"),
        ]

    def _start_nginx(self, site: Path, ports: dict[str, int], forewarn_port: int) -> None:
        module = geo_module()
        if module is None:
            raise RuntimeError("libnginx-mod-http-geoip2 is not installed")
        folder = self.folder / "nginx"
        values = {"GEO_MODULE": str(module), "GEO_DB": str(self.database), "SITE": str(site),
                  "CACHE_DIR": str(folder / "cache"), "FOREWARN_PORT": str(forewarn_port),
                  **{name: str(port) for name, port in ports.items()}}
        engine = Engine(load_settings(environ={}, demo_defaults=demo_defaults(self.database)))
        write_nginx_folder(folder, values, engine)
        self._server(nginx("nginx", folder, ports["STATIC_PORT"], ready_path=PATH))

    def _ssi(self, name: str, origin_port: int, fragment_port: int,
             kept_env: dict[str, str] | None = None) -> Server:
        """An nginx edge include (``write_ssi_folder``) started in its own folder."""
        port = free_port()
        folder = write_ssi_folder(self.folder / name, port, origin_port, fragment_port,
                                  self.fallback_dir,
                                  None if kept_env is None else (kept_env, self.database))
        return self._server(nginx(name, folder, port, ready_path=SSI_PATH))

    @property
    def fallback_dir(self) -> Path:
        return self.folder / "fallback"

    def _kept_vcl(self, origin_port: int, fragment_port: int, env: dict[str, str]) -> str:
        """The shipped deploy/varnish/forewarn-esi-cache.vcl around default.vcl and the
        subroutine `forewarn export varnish` writes, filled in as deploy/README.md says."""
        folder = self.folder / "varnish-kept"
        folder.mkdir(parents=True, exist_ok=True)
        default, variants = folder / "forewarn-esi.vcl", folder / "forewarn-variants.vcl"
        default.write_text(self._vcl(origin_port, fragment_port))
        export_map("varnish", variants, env)
        return fill(ROOT / "deploy" / "varnish" / "forewarn-esi-cache.vcl",
                    {"DEFAULT_VCL": str(default), "VARIANT_VCL": str(variants)})

    def _vcl(self, origin_port: int, fragment_port: int) -> str:
        """The shipped deploy/varnish/default.vcl, filled in as deploy/README.md says."""
        return fill(ROOT / "deploy" / "varnish" / "default.vcl",
                    {"ORIGIN_HOST": "127.0.0.1", "ORIGIN_PORT": str(origin_port),
                     "FOREWARN_HOST": "127.0.0.1", "FOREWARN_PORT": str(fragment_port),
                     "FALLBACK_DIR": str(self.fallback_dir)})
