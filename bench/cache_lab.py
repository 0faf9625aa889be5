"""The servers of the cache workload (bench/cache.py), started together in one temporary folder
on 127.0.0.1 and stopped together: the origin and two caches in one nginx (bench/nginx/cache.conf),
`forewarn serve --upstream` behind them, and the shipped deploy/nginx/forewarn-edge-cache.conf in
a second nginx with the map `forewarn export nginx` wrote."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.article import article
from bench.servers import BIN, Servers, forewarn_serve, nginx
from geoip.build import build_database
from tests.integration.servers import DEPLOY, fill, geo_module
from tests.support import ROOT, free_port

CATALOG = ROOT / "catalog" / "notices.toml"
PAGE_BYTES = 16 * 1024


@dataclass(frozen=True)
class CacheSetup:
    name: str
    title: str
    url: str
    check: str  # what a sampled answer must show: "header+block" or "status"


class CacheLab(Servers):
    """The origin, both nginx configurations and `forewarn serve --upstream` behind them."""

    def __init__(self, networks_csv: str) -> None:
        super().__init__(prefix="forewarn-cache-bench-")
        self._networks = networks_csv
        self.setups: list[CacheSetup] = []

    def _start(self) -> None:
        module = geo_module()
        if module is None:
            raise RuntimeError("libnginx-mod-http-geoip2 is not installed")
        csv = self.folder / "networks.csv"
        csv.write_text(self._networks)
        database = self.folder / "places.mmdb"
        build_database(csv, database, description="bench: 51 places on 10.0.0.0/8")
        site = self.folder / "site"
        (site / "articles").mkdir(parents=True)
        (site / "articles" / "cache-article").write_bytes(article(size=PAGE_BYTES))
        ports = {name: free_port() for name in ("ORIGIN_PORT", "PLACE_PORT", "NONE_PORT")}
        forewarn = self._server(forewarn_serve(
            "cache-forewarn", ["--upstream", f"http://127.0.0.1:{ports['ORIGIN_PORT']}"],
            self.folder, env={"FOREWARN_CATALOG": str(CATALOG),
                              "FOREWARN_GEOIP_DBS": str(database),
                              "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32",
                              "FOREWARN_COUNTRY_HEADER": "X-Forewarn-Country",
                              "FOREWARN_REGION_HEADER": "X-Forewarn-Region",
                              "FOREWARN_CDN_CACHES_PER_PLACE": "true"}))
        folder = self.folder / "nginx"
        folder.mkdir()
        (folder / "nginx.conf").write_text(fill(ROOT / "bench" / "nginx" / "cache.conf", {
            "GEO_MODULE": str(module), "GEO_DB": str(database), "SITE": str(site),
            "PLACE_CACHE": str(folder / "place-cache"), "NONE_CACHE": str(folder / "none-cache"),
            "FOREWARN_PORT": str(forewarn.port), **{k: str(v) for k, v in ports.items()}}))
        self._server(nginx("cache-nginx", folder, ports["ORIGIN_PORT"], "/articles/a1"))
        variant_port = self._variant_nginx(module, database, forewarn.port)
        url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        self.setups = [
            CacheSetup("cache-place", "keyed on country and region", url["PLACE_PORT"],
                       "header+block"),
            CacheSetup("cache-variant", "keyed on the variant (shipped: forewarn export nginx)",
                       f"http://127.0.0.1:{variant_port}", "header+block"),
            CacheSetup("cache-none", "not varying at all (one copy per URL, no notices)",
                       url["NONE_PORT"], "status"),
        ]

    def _variant_nginx(self, module: Path, database: Path, forewarn_port: int) -> int:
        """deploy/nginx/forewarn-edge-cache.conf as deploy/README.md says, with the map
        `forewarn export nginx --page-languages en` wrote (the articles are in English)."""
        folder = self.folder / "variant-nginx"
        folder.mkdir()
        variants = folder / "forewarn-variants.conf"
        subprocess.run([str(BIN / "forewarn"), "export", "nginx", "--page-languages", "en",  # noqa: S603
                        "--out", str(variants)], check=True, capture_output=True,
                       env={**os.environ, "FOREWARN_CATALOG": str(CATALOG)})
        port = free_port()
        (folder / "forewarn-edge-cache.conf").write_text(fill(
            DEPLOY / "nginx" / "forewarn-edge-cache.conf",
            {"LISTEN": f"127.0.0.1:{port}", "FOREWARN_HOST": "127.0.0.1",
             "FOREWARN_PORT": str(forewarn_port), "CACHE_DIR": str(folder / "cache"),
             "GEO_DB": str(database), "VARIANT_MAP": str(variants)}))
        (folder / "forewarn-readers.conf").write_text(
            "set_real_ip_from 127.0.0.1;\nreal_ip_header X-Forwarded-For;\n")
        # The cache workload's own nginx settings, around the shipped file.
        main = (ROOT / "bench" / "nginx" / "cache.conf").read_text()
        head = main[:main.index("http {")].replace("${GEO_MODULE}", str(module))
        (folder / "nginx.conf").write_text(
            head + "http {\n    access_log off;\n    sendfile on;\n    keepalive_requests 1000000;"
            "\n    gzip off;\n    client_body_temp_path client_body_temp;\n"
            "    proxy_temp_path proxy_temp;\n    fastcgi_temp_path fastcgi_temp;\n"
            "    uwsgi_temp_path uwsgi_temp;\n    scgi_temp_path scgi_temp;\n"
            "    include forewarn-*.conf;\n}\n")
        self._server(nginx("variant-nginx", folder, port, "/articles/a1"))
        return port
