"""The edge cache when Forewarn cannot answer: the shipped deploy/nginx/forewarn-edge-cache.conf
(nginx with the geoip2 module, keyed on the reader's variant since issue 17, with the map
`forewarn export nginx` wrote) in front of a `forewarn serve --upstream` that is stopped, hangs
or answers 500. Each reader then gets the last copy of their own place's page, never another
place's; a place with no copy gets an error, not someone else's page; and once Forewarn is back
every reader is served their own place's page again and the expired copies are renewed."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from tests.integration.outage import FAILURES, ForewarnSlot, Mode
from tests.integration.pages import Page, read
from tests.integration.servers import EdgeCacheNginx, find_binary, geo_module, missing_reason
from tests.support import ROOT, ThreadedApp

RUSSIA, CRIMEA, GERMANY, IRAN = "192.0.2.7", "203.0.113.7", "198.51.100.1", "198.51.100.129"
BELARUS = "203.0.113.200"
EXPECTED = {RUSSIA: "ru-undesirable", CRIMEA: "ru-undesirable", GERMANY: None,
            IRAN: "ir-hostile-media"}
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{path}</title></head>
<body><main><article><h1>{path}</h1><p>The river froze early.</p></article></main></body></html>
"""


class ShortLivedOrigin(ThreadedApp):
    """Articles cacheable for one second, so that a test sees its copies expire."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        path = Request(environ).path
        response = Response(PAGE.format(path=path), content_type="text/html; charset=utf-8",
                            headers={"Cache-Control": "public, max-age=1"})
        return response(environ, start_response)


@pytest.fixture(scope="module")
def edge_cache(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[EdgeCacheNginx, ForewarnSlot]]:
    if find_binary("nginx") is None:
        pytest.skip(missing_reason("nginx"))
    if geo_module() is None:
        pytest.skip(missing_reason("ngx_http_geoip2_module"))
    folder = tmp_path_factory.mktemp("edge-cache")
    origin = ShortLivedOrigin()
    env = {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
           "FOREWARN_GEOIP_DBS": str(demo_db), "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32",
           "FOREWARN_COUNTRY_HEADER": "X-Forewarn-Country",
           "FOREWARN_REGION_HEADER": "X-Forewarn-Region",
           "FOREWARN_CDN_CACHES_PER_PLACE": "true"}
    slot = ForewarnSlot(folder, env, ["--upstream", origin.url, "--workers", "1"])
    try:
        slot.set("up")
        (folder / "nginx").mkdir()
        edge = EdgeCacheNginx(folder / "nginx", origin, slot, demo_db)  # type: ignore[arg-type]
    except BaseException:
        slot.stop()
        origin.stop()
        raise
    yield edge, slot
    edge.stop()
    slot.stop()
    origin.stop()


def assert_own_place(address: str, page: Page) -> None:
    assert page.status == 200, address
    assert page.notices == EXPECTED[address], address
    assert "<h1>" in page.html  # the article itself


@pytest.mark.parametrize("mode", FAILURES)
def test_while_forewarn_cannot_answer_each_reader_gets_their_own_places_last_copy(
    edge_cache: tuple[EdgeCacheNginx, ForewarnSlot], mode: Mode
) -> None:
    edge, slot = edge_cache
    path = f"/articles/kept-{mode}"
    slot.set("up")
    for address in EXPECTED:
        assert_own_place(address, read(edge, path, address))
        assert read(edge, path, address).headers["X-Cache-Status"] == "HIT"
    # Every copy expires: the origin says max-age=1, and nginx counts whole seconds (a copy
    # stored at 12:00:00.9 is fresh through 12:00:01.999), so a copy can live almost 2 s.
    time.sleep(2.1)
    slot.set(mode)
    for _ in range(3):
        for address in [IRAN, GERMANY, RUSSIA, CRIMEA]:
            page = read(edge, path, address)
            assert_own_place(address, page)
            assert page.headers["X-Cache-Status"] in ("STALE", "UPDATING"), address
    if mode != "hanging":  # a hanging Forewarn would hold this reader for proxy_read_timeout
        unkept = read(edge, path, BELARUS)
        assert unkept.status >= 500 and "<aside" not in unkept.html
    slot.set("up")
    for address in EXPECTED:
        # The first reader after the restart still gets the stale copy of their place and sets
        # off its renewal in the background; the readers after them get the renewed one.
        statuses = []
        for _ in range(40):
            page = read(edge, path, address)
            assert_own_place(address, page)
            statuses.append(page.headers["X-Cache-Status"])
            if statuses[-1] not in ("STALE", "UPDATING"):
                break
            time.sleep(0.05)
        assert statuses[-1] in ("HIT", "MISS", "EXPIRED"), (address, statuses)
    assert read(edge, path, BELARUS).notices == "by-extremist"  # no error page was kept


def test_nginx_refuses_the_configuration_when_its_geo_database_is_missing(
    edge_cache: tuple[EdgeCacheNginx, ForewarnSlot],
) -> None:
    # The same shipped file, its GEO_DB gone: `nginx -t` fails (so a reload keeps the running
    # configuration, and a start does not happen): no reader is served from a cache keyed on
    # a place nginx cannot tell.
    edge, _slot = edge_cache
    folder = edge.folder.parent / "no-geo-db"
    folder.mkdir()
    conf = (edge.folder / "forewarn-edge-cache.conf").read_text()
    (folder / "forewarn-edge-cache.conf").write_text(
        conf.replace(str(edge.geo_db), str(folder / "missing.mmdb")))
    (folder / "nginx.conf").write_text((edge.folder / "nginx.conf").read_text())
    checked = subprocess.run([find_binary("nginx") or "nginx", "-t", "-p", f"{folder}/",
                              "-c", "nginx.conf", "-g", "daemon off;"],
                             capture_output=True, text=True, timeout=30, check=False)
    assert checked.returncode != 0
    assert "missing.mmdb" in checked.stderr
