"""A shared cache that knows nothing about Forewarn (Varnish with only a backend, its built-in
rules doing the rest) in front of `forewarn serve --upstream`, whose origin marks its articles
cacheable for everyone. One reader's page replayed to a reader in another jurisdiction would be
the failure that matters: Forewarn's `Cache-Control: private` (decided from the address) and
`Vary` (decided from a trusted edge's country header) must keep it from ever happening."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from tests.integration.servers import Varnish, find_binary, missing_reason
from tests.integration.upstream import Origin, start_proxy
from tests.support import LiveServer

RUSSIA, GERMANY, IRAN = "192.0.2.10", "198.51.100.10", "198.51.100.129"
ARTICLE = "/articles/plain"  # the origin sends it with Cache-Control: max-age=60
COUNTRY_HEADER = "X-Reader-Country"
STOCK_VCL = """vcl 4.1;
backend default {{ .host = "127.0.0.1"; .port = "{port}"; }}
"""


class StockVarnish(Varnish):
    """varnishd with a VCL that only names Forewarn as its backend: the built-in VCL decides
    what is cached, as it does for a publisher who has not written any VCL of their own."""

    def command(self, values: dict[str, str]) -> list[str]:
        command = super().command(values)  # writes the deploy/ VCL; replaced below
        (self.folder / "default.vcl").write_text(STOCK_VCL.format(port=values["FOREWARN_PORT"]))
        return command


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


def _front(origin: Origin, folder: Path, demo_db: Path, **settings: str
           ) -> Iterator[tuple[StockVarnish, LiveServer]]:
    if find_binary("varnishd") is None:
        pytest.skip(missing_reason("varnishd"))
    forewarn = start_proxy(origin.url, demo_db, folder, **settings)
    try:
        varnish = StockVarnish(folder / "varnish", origin, forewarn)  # type: ignore[arg-type]
    except BaseException:
        forewarn.stop()
        raise
    yield varnish, forewarn
    varnish.stop()
    forewarn.stop()


@pytest.fixture(scope="module")
def by_address(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[StockVarnish, LiveServer]]:
    folder = tmp_path_factory.mktemp("by-address")
    (folder / "varnish").mkdir()
    yield from _front(origin, folder, demo_db)


@pytest.fixture(scope="module")
def by_country_header(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
                      ) -> Iterator[tuple[StockVarnish, LiveServer]]:
    folder = tmp_path_factory.mktemp("by-header")
    (folder / "varnish").mkdir()
    yield from _front(origin, folder, demo_db, country_header=COUNTRY_HEADER)


def read(url: str, **headers: str) -> tuple[urllib3.BaseHTTPResponse, str | None, bool]:
    """The page, the notice ids in its block (None without one), and whether Varnish served it
    from its cache (a hit's X-Varnish carries two transaction ids)."""
    response = urllib3.request("GET", url + ARTICLE, headers=headers, retries=False, timeout=10)
    match = re.search(r'<aside class="forewarn" data-forewarn="([^"]*)"', response.data.decode())
    hit = len(response.headers.get("X-Varnish", "").split()) == 2
    return response, match.group(1) if match else None, hit


def test_a_page_decided_from_the_address_is_never_replayed_to_another_reader(
    by_address: tuple[StockVarnish, LiveServer],
) -> None:
    varnish, _forewarn = by_address
    readers = [RUSSIA, GERMANY, RUSSIA, IRAN, GERMANY, RUSSIA] * 3
    expected = {RUSSIA: "ru-undesirable", GERMANY: None, IRAN: "ir-hostile-media"}
    for reader in readers:
        response, notices, hit = read(varnish.url, **{"X-Forwarded-For": reader})
        assert response.status == 200
        assert notices == expected[reader], (reader, notices)
        assert not hit, f"{reader} got a page from the shared cache"
        assert "private" in response.headers["Cache-Control"]


def test_a_page_decided_from_a_country_header_is_cached_once_per_country(
    by_country_header: tuple[StockVarnish, LiveServer],
) -> None:
    varnish, _forewarn = by_country_header
    seen: dict[str, list[bool]] = {"RU": [], "DE": [], "IR": []}
    expected = {"RU": "ru-undesirable", "DE": None, "IR": "ir-hostile-media"}
    for country in ["RU", "DE", "IR"] * 4:
        response, notices, hit = read(varnish.url, **{COUNTRY_HEADER: country})
        assert response.status == 200
        assert notices == expected[country], (country, notices)
        assert response.headers["Vary"].lower() == COUNTRY_HEADER.lower()
        assert "private" not in response.headers.get("Cache-Control", "")
        seen[country].append(hit)
    # Each country's first request went to Forewarn; the rest came from that country's copy.
    assert all(hits == [False, True, True, True] for hits in seen.values()), seen
