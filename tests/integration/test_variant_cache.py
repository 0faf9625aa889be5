"""The variant edge cache as shipped: deploy/nginx/forewarn-edge-cache.conf with the maps
`forewarn export nginx` wrote (Debian's nginx and geoip2 module), and
deploy/varnish/forewarn-edge-cache.vcl with the subroutine `forewarn export varnish` wrote, each
in front of `forewarn serve --upstream`. Readers of one variant share one copy, whatever their
country; the reader's language splits a copy only where it can change the page; and a map older
than the catalog costs caching, never a notice. Forewarn runs on gunicorn and on granian."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from tests.integration.outage import ForewarnSlot
from tests.integration.pages import Page, read
from tests.integration.servers import (
    DEPLOY,
    SERVERS,
    EdgeCacheNginx,
    EdgeServer,
    export_map,
    fill,
    find_binary,
    geo_module,
    missing_reason,
    varnish_command,
)
from tests.integration.variants import cdn_read, copy_catalog, counter, forewarn_env, wait_for
from tests.support import ROOT, ThreadedApp

RUSSIA, CRIMEA, BELARUS, IRAN = "192.0.2.7", "203.0.113.7", "203.0.113.200", "198.51.100.129"
GERMANY, USA, NOWHERE = "198.51.100.1", "198.51.100.70", "10.1.2.3"  # NOWHERE: in no network
pytestmark = pytest.mark.parametrize("forewarn_server", SERVERS, indirect=True)
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{path}</title></head>
<body><main><article><h1>{path}</h1><p>The river froze early.</p></article></main></body></html>
"""


class Origin(ThreadedApp):
    """Articles kept a minute; under /short/ one second, and stale one second more."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = Request(environ).path
        control = "public, max-age=1, stale-while-revalidate=1" if path.startswith("/short/") \
            else "public, max-age=60"
        response = Response(PAGE.format(path=path), content_type="text/html; charset=utf-8",
                            headers={"Cache-Control": control})
        return response(environ, start_response)


@pytest.fixture(scope="module")
def nginx_edge(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, forewarn_server: str
               ) -> Iterator[tuple[EdgeCacheNginx, ForewarnSlot, Path]]:
    if find_binary("nginx") is None:
        pytest.skip(missing_reason("nginx"))
    if geo_module() is None:
        pytest.skip(missing_reason("ngx_http_geoip2_module"))
    folder = tmp_path_factory.mktemp("variant-nginx")
    catalog = copy_catalog(folder / "catalog")
    origin = Origin()
    slot = ForewarnSlot(folder, forewarn_env(catalog, demo_db,
                                             FOREWARN_COUNTRY_HEADER="X-Forewarn-Country",
                                             FOREWARN_REGION_HEADER="X-Forewarn-Region"),
                        ["--upstream", origin.url, "--workers", "1", "--server", forewarn_server])
    try:
        slot.set("up")
        (folder / "nginx").mkdir()
        edge = EdgeCacheNginx(folder / "nginx", origin, slot, demo_db,  # type: ignore[arg-type]
                              catalog=catalog)
    except BaseException:
        slot.stop()
        origin.stop()
        raise
    yield edge, slot, catalog
    edge.stop()
    slot.stop()
    origin.stop()


def assert_page(page: Page, notices: str | None, cache: str) -> None:
    assert page.status == 200
    assert page.notices == notices
    assert page.headers["X-Cache-Status"] == cache, page.headers
    assert page.headers["Cache-Control"] == "private"


def test_readers_of_one_variant_share_one_copy_whatever_their_country(
    nginx_edge: tuple[EdgeCacheNginx, ForewarnSlot, Path],
) -> None:
    edge, _slot, _catalog = nginx_edge
    path = "/articles/shared"
    assert_page(read(edge, path, RUSSIA), "ru-undesirable", "MISS")
    # Crimea gets the notices Russia gets: the same copy. A reader nobody can place gets them
    # too on this English page, but not on a Persian one (Iran's notice first there, issue 16):
    # a variant, so a copy, of its own.
    assert_page(read(edge, path, CRIMEA), "ru-undesirable", "HIT")
    assert_page(read(edge, path, NOWHERE), "ru-undesirable", "MISS")
    assert_page(read(edge, path, NOWHERE), "ru-undesirable", "HIT")
    assert_page(read(edge, path, GERMANY), None, "MISS")
    assert_page(read(edge, path, USA), None, "HIT")
    assert_page(read(edge, path, BELARUS), "by-extremist", "MISS")
    assert_page(read(edge, path, IRAN), "ir-hostile-media", "MISS")
    assert_page(read(edge, path, IRAN), "ir-hostile-media", "HIT")
    variants = {address: read(edge, path, address).headers["X-Forewarn-Variant"]
                for address in (RUSSIA, CRIMEA, NOWHERE, GERMANY, USA, BELARUS, IRAN)}
    assert len(set(variants.values())) == 5
    assert variants[RUSSIA] == variants[CRIMEA] != variants[NOWHERE]
    assert variants[GERMANY] == variants[USA] != variants[BELARUS]


def test_the_readers_language_splits_a_copy_only_where_it_can_change_the_page(
    nginx_edge: tuple[EdgeCacheNginx, ForewarnSlot, Path],
) -> None:
    edge, _slot, _catalog = nginx_edge
    path = "/articles/languages"
    # Exported for pages in any language the catalog knows: on a page in Persian the notice
    # for Russia follows the reader's language, so its key carries it, on every page.
    assert_page(read(edge, path, RUSSIA, Accept_Language="ru-RU,ru;q=0.9"), "ru-undesirable",
                "MISS")
    assert_page(read(edge, path, RUSSIA, Accept_Language="ru"), "ru-undesirable", "HIT")
    # A reader naming none of the notice's languages gets the place's (Russian): that copy.
    assert_page(read(edge, path, RUSSIA, Accept_Language="de"), "ru-undesirable", "HIT")
    assert_page(read(edge, path, RUSSIA, Accept_Language="en-GB,en"), "ru-undesirable", "MISS")
    assert_page(read(edge, path, CRIMEA, Accept_Language="de, en;q=0.5"), "ru-undesirable",
                "HIT")
    # No notice reaches readers in no jurisdiction in another language: one copy.
    assert_page(read(edge, path, GERMANY, Accept_Language="ru"), None, "MISS")
    assert_page(read(edge, path, USA, Accept_Language="fa-IR"), None, "HIT")

def test_a_language_the_edge_reads_otherwise_is_answered_right_but_not_kept(
    nginx_edge: tuple[EdgeCacheNginx, ForewarnSlot, Path],
) -> None:
    edge, _slot, _catalog = nginx_edge
    path = "/articles/misread"
    # Best language written last: nginx reads "en" (the first written), Forewarn "ru" (the
    # best). Forewarn's answer (the notice in Russian) is not kept under nginx's key.
    for _ in range(2):
        page = read(edge, path, RUSSIA, Accept_Language="en;q=0.1, ru")
        assert page.notices == "ru-undesirable" and page.headers["X-Cache-Status"] == "MISS"
        assert 'lang="ru"' in page.html
    # Once a reader who reads English first left a copy, that reader gets it: the notice, in
    # the language the edge read (deploy/README.md says so).
    assert 'lang="en"' in read(edge, path, RUSSIA, Accept_Language="en").html
    page = read(edge, path, RUSSIA, Accept_Language="en;q=0.1, ru")
    assert page.notices == "ru-undesirable" and page.headers["X-Cache-Status"] == "HIT"


def test_a_map_older_than_the_catalog_costs_caching_never_a_notice(
    nginx_edge: tuple[EdgeCacheNginx, ForewarnSlot, Path],
) -> None:
    edge, slot, catalog = nginx_edge
    assert_page(read(edge, "/short/moved", GERMANY), None, "MISS")
    assert_page(read(edge, "/articles/kept", GERMANY), None, "MISS")
    # Germany joins the jurisdiction of Belarus; nginx still has the map exported before.
    catalog.write_text(catalog.read_text().replace('countries = ["BY"]',
                                                   'countries = ["BY", "DE"]'))
    direct = f"http://127.0.0.1:{slot.port}"
    wait_for(lambda: _notices(direct, "DE") == "by-extremist")
    # A copy made before lives as long as the origin said (a minute), as in any cache:
    assert_page(read(edge, "/articles/kept", GERMANY), None, "HIT")
    # ... but one whose time is up is not served on and on while its renewal is refused: after
    # its stale-while-revalidate second, each reader is answered by Forewarn, and none kept.
    time.sleep(3.2)  # one second fresh, one stale, and nginx counts whole seconds
    for _ in range(3):
        page = read(edge, "/short/moved", GERMANY)
        assert page.notices == "by-extremist"
        assert page.headers["X-Cache-Status"] in ("MISS", "EXPIRED")
    for _ in range(2):
        assert read(edge, "/articles/new", GERMANY).headers["X-Cache-Status"] == "MISS"
    assert counter(direct, 'forewarn_edge_variant_mismatches_total{reason="place"}') > 0
    # Exported again and nginx reloaded: kept again, under the new variant.
    edge.export_variant_map()
    os.kill(edge.process.pid, signal.SIGHUP)
    wait_for(lambda: read(edge, "/articles/after", GERMANY).headers["X-Cache-Status"] == "HIT")
    assert read(edge, "/articles/after", BELARUS).headers["X-Cache-Status"] == "HIT"


def _notices(base: str, country: str) -> str | None:
    request = urllib.request.Request(base + "/articles/probe",
                                     headers={"X-Forewarn-Country": country})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers.get("X-Forewarn-Notices")


class VariantVarnish(EdgeServer):
    """varnishd with deploy/varnish/forewarn-edge-cache.vcl and the exported subroutine, in the
    foreground, no jail (servers.varnish_command)."""

    name = "varnish"

    def __init__(self, folder: Path, origin: Any, forewarn: Any, env: dict[str, str]) -> None:
        self.env = env
        super().__init__(folder, origin, forewarn)

    def command(self, values: dict[str, str]) -> list[str]:
        variants = export_map("varnish", self.folder / "forewarn-variants.vcl", self.env)
        vcl = self.folder / "default.vcl"
        vcl.write_text(fill(DEPLOY / "varnish" / "forewarn-edge-cache.vcl",
                            {**values, "VARIANT_VCL": str(variants)}))
        return varnish_command(self.port, vcl, self.folder)


@pytest.fixture(scope="module")
def varnish_edge(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, forewarn_server: str
                 ) -> Iterator[VariantVarnish]:
    if find_binary("varnishd") is None:
        pytest.skip(missing_reason("varnishd"))
    folder = tmp_path_factory.mktemp("variant-varnish")
    env = forewarn_env(ROOT / "catalog" / "notices.toml", demo_db,
                       FOREWARN_COUNTRY_HEADER="cloudflare")
    with ExitStack() as started:  # each server stopped, last started first, however it ends
        origin = Origin()
        started.callback(origin.stop)
        slot = ForewarnSlot(folder, env, ["--upstream", origin.url, "--workers", "1",
                                          "--server", forewarn_server])
        started.callback(slot.stop)
        slot.set("up")
        (folder / "varnish").mkdir()
        edge = VariantVarnish(folder / "varnish", origin, slot, env)
        started.callback(edge.stop)
        yield edge


def test_varnish_keeps_one_copy_per_variant_from_the_cdns_headers(
    varnish_edge: VariantVarnish,
) -> None:
    path = "/articles/varnish"
    expected = [("RU", None, "ru-undesirable", "MISS"), ("UA", "43", "ru-undesirable", "HIT"),
                ("T1", None, "ru-undesirable", "MISS"), ("XX", None, "ru-undesirable", "HIT"),
                ("DE", None, None, "MISS"),
                ("UA", None, None, "HIT"), ("US", None, None, "HIT"),
                ("BY", None, "by-extremist", "MISS"), ("IR", None, "ir-hostile-media", "MISS"),
                ("IR", None, "ir-hostile-media", "HIT")]
    for country, region, notices, cache in expected:
        page = cdn_read(varnish_edge, path, country, region)
        assert (page.status, page.notices, page.headers["X-Cache"]) == (200, notices, cache), \
            (country, region)
        assert page.headers["Cache-Control"] == "private"
    # The reader's language where it changes the page: a copy of its own. (Without one, a
    # reader in Russia got the notice in Russian, the place's language: that copy.)
    assert cdn_read(varnish_edge, path, "RU", Accept_Language="ru").headers["X-Cache"] == "HIT"
    first = cdn_read(varnish_edge, path, "RU", Accept_Language="en")
    assert (first.notices, first.headers["X-Cache"]) == ("ru-undesirable", "MISS")
    assert cdn_read(varnish_edge, path, "RU", Accept_Language="en-GB").headers["X-Cache"] == "HIT"
    # Written best last: Varnish reads otherwise than Forewarn; answered right, not kept.
    for _ in range(2):
        page = cdn_read(varnish_edge, "/articles/misread", "RU", Accept_Language="en;q=0.1, ru")
        assert (page.notices, page.headers["X-Cache"]) == ("ru-undesirable", "MISS")
    assert json.loads(urllib.request.urlopen(
        varnish_edge.url + "/_forewarn/healthz", timeout=10).read())["status"] == "ok"
