"""Surrogate and accelerator caching headers against caches that obey them before Cache-Control
(issue 15, item 1): Varnish's built-in VCL skips its `private` check when `Surrogate-Control` is
there, nginx's `proxy_cache` takes `X-Accel-Expires` first, CDNs their targeted fields (RFC 9213).
A stock Varnish (a backend only) and nginx with nothing but `proxy_cache` stand in front of
`forewarn serve --upstream`, whose origin sends each header on a page cacheable for a minute: a
censor asks for it once from Germany, and readers in Russia and Crimea must still get the notice.
Where the page is decided from a trusted CDN's place header (Vary, `cdn_caches_per_place`), one
copy per place is safe and the origin's headers stay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from tests.integration.servers import EdgeServer, _nginx_command, find_binary, missing_reason
from tests.integration.test_shared_cache import COUNTRY_HEADER, StockVarnish
from tests.integration.upstream import CACHING_HEADERS, Origin, start_proxy
from tests.support import LiveServer

RUSSIA, GERMANY, CRIMEA = "192.0.2.10", "198.51.100.10", "203.0.113.7"
STOCK_NGINX = """
proxy_cache_path {folder}/cache keys_zone=pages:1m;
server {{
    listen {listen};
    location / {{
        proxy_pass http://127.0.0.1:{port};
        proxy_cache pages;
    }}
}}
"""
# What each caching header must say, if it is there at all, on a page decided per reader.
NOT_STORED = {"Surrogate-Control": "no-store", "X-Accel-Expires": "0",
              "CDN-Cache-Control": "no-store", "Cloudflare-CDN-Cache-Control": "no-store",
              "Edge-Control": "no-store"}


class StockNginx(EdgeServer):
    """nginx with `proxy_cache` on and nothing else: its own rules decide what is cached
    (X-Accel-Expires first, then Expires and Cache-Control), as for a publisher who turned the
    cache on and wrote no rule of their own. X-Forwarded-For passes as the client sent it."""

    name = "nginx"

    def command(self, values: dict[str, str]) -> list[str]:
        (self.folder / "forewarn-proxy.conf").write_text(STOCK_NGINX.format(
            folder=self.folder, listen=f"127.0.0.1:{self.port}", port=values["FOREWARN_PORT"]))
        return _nginx_command(self.folder)


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=["varnish", "nginx"])
def stock_cache(request: pytest.FixtureRequest, origin: Origin, demo_db: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[EdgeServer]:
    """Varnish with only a backend, then nginx with only proxy_cache, in front of one proxy."""
    binary = "varnishd" if request.param == "varnish" else "nginx"
    if find_binary(binary) is None:
        pytest.skip(missing_reason(binary))
    folder = tmp_path_factory.mktemp(f"stock-{request.param}")
    forewarn = start_proxy(origin.url, demo_db, folder)
    try:
        (folder / "edge").mkdir()
        edge_class = StockVarnish if request.param == "varnish" else StockNginx
        edge = edge_class(folder / "edge", origin, forewarn)  # type: ignore[arg-type]
    except BaseException:
        forewarn.stop()
        raise
    yield edge
    edge.stop()
    forewarn.stop()


@pytest.fixture(scope="module")
def by_address(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[LiveServer]:
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("surrogate-private"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def by_country_header(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[LiveServer]:
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("surrogate-vary"),
                         country_header=COUNTRY_HEADER, cdn_caches_per_place="true")
    yield server
    server.stop()


def get(url: str, **headers: str) -> urllib3.BaseHTTPResponse:
    return urllib3.request("GET", url, headers=headers, retries=False, timeout=10)


@pytest.mark.parametrize("header", list(CACHING_HEADERS))
def test_no_surrogate_or_accelerator_header_lets_a_cache_keep_a_page_decided_per_reader(
    stock_cache: EdgeServer, header: str,
) -> None:
    """A censor asks for each article once from abroad; every reader in Russia and Crimea must
    still get the notice, whatever caching header the origin sends."""
    path = f"{stock_cache.url}/cached/{header.lower()}"
    first = get(path, **{"X-Forwarded-For": GERMANY})
    assert first.status == 200 and first.headers["X-Forewarn-Notices"] == "none"
    for reader in [RUSSIA, CRIMEA, GERMANY, RUSSIA, CRIMEA]:
        response = get(path, **{"X-Forwarded-For": reader})
        expected = "none" if reader == GERMANY else "ru-undesirable"
        assert response.headers["X-Forewarn-Notices"] == expected, (header, reader)
        assert (b'class="forewarn"' in response.data) is (reader != GERMANY), (header, reader)


@pytest.mark.parametrize("header", list(CACHING_HEADERS))
def test_a_page_decided_from_the_address_tells_every_kind_of_cache_not_to_store_it(
    by_address: LiveServer, header: str,
) -> None:
    """Straight from Forewarn (CDNs obey their targeted fields, RFC 9213, over Cache-Control:
    none runs here, so the header itself is checked)."""
    for reader in (GERMANY, RUSSIA):
        response = get(f"{by_address.url}/cached/{header.lower()}", **{"X-Forwarded-For": reader})
        assert "private" in response.headers["Cache-Control"]
        value = response.headers.get(header)
        directives = {part.strip().lower() for part in (value or "").split(",")}
        assert value is None or NOT_STORED[header] in directives, (header, value)
        if header == "Surrogate-Control":  # what an ESI-processing surrogate needs is kept
            assert 'content="ESI/1.0"' in response.headers[header]


@pytest.mark.parametrize("header", list(CACHING_HEADERS))
def test_a_page_decided_from_a_trusted_country_header_keeps_the_origins_caching_headers(
    by_country_header: LiveServer, header: str,
) -> None:
    """Vary on the place header makes one copy per place safe: the origin's caching stands."""
    response = get(f"{by_country_header.url}/cached/{header.lower()}", **{COUNTRY_HEADER: "RU"})
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert response.headers["Vary"].lower() == COUNTRY_HEADER.lower()
    assert response.headers[header] == CACHING_HEADERS[header]
