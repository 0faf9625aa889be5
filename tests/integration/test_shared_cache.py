"""A shared cache that knows nothing about Forewarn (Varnish with only a backend, its built-in
rules doing the rest) in front of `forewarn serve --upstream`, whose origin marks its articles
cacheable for everyone. One reader's page replayed to a reader in another jurisdiction would be
the failure that matters: Forewarn's `Cache-Control: private` (decided from the address) and
`Vary` (decided from a trusted edge's country header) must keep it from ever happening.

A CDN in "cache everything" mode may ignore `Vary` and keep one copy per URL: a Varnish that
drops `Vary` stands in for it. Against it, a page decided from the CDN's country header stays
private unless `cdn_caches_per_place` says the CDN keys its cache on that header; with the
setting on, a stand-in that does key on it keeps one copy per country, and one that does not
shows why the setting must not be turned on before the CDN is configured. Forewarn runs on
gunicorn and on granian."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from tests.integration.servers import SERVERS, Varnish, find_binary, missing_reason
from tests.integration.upstream import Origin, start_proxy
from tests.support import LiveServer

RUSSIA, GERMANY, IRAN = "192.0.2.10", "198.51.100.10", "198.51.100.129"
pytestmark = pytest.mark.parametrize("forewarn_server", SERVERS, indirect=True)
ARTICLE = "/articles/plain"  # the origin sends it with Cache-Control: max-age=60
COUNTRY_HEADER = "X-Reader-Country"
STOCK_VCL = """vcl 4.1;
backend default {{ .host = "127.0.0.1"; .port = "{port}"; }}
"""
# One copy per URL whatever the response's Vary says (a CDN that ignores it), and the same keyed
# on the country header too (a CDN configured to key its cache on the place).
IGNORES_VARY = """
sub vcl_backend_response { unset beresp.http.Vary; }
"""
KEYS_ON_COUNTRY = """
sub vcl_hash { hash_data(req.http.X-Reader-Country); }
"""


class StockVarnish(Varnish):
    """varnishd with a VCL that only names Forewarn as its backend: the built-in VCL decides
    what is cached, as it does for a publisher who has not written any VCL of their own."""

    extra_vcl = ""

    def command(self, values: dict[str, str]) -> list[str]:
        command = super().command({**values, "FALLBACK_DIR": "unused"})  # replaced below
        (self.folder / "default.vcl").write_text(
            STOCK_VCL.format(port=values["FOREWARN_PORT"]) + self.extra_vcl)
        return command


class VaryIgnoringCdn(StockVarnish):
    extra_vcl = IGNORES_VARY


class CountryKeyedCdn(StockVarnish):
    extra_vcl = IGNORES_VARY + KEYS_ON_COUNTRY


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


def _front(origin: Origin, folder: Path, demo_db: Path, server: str,
           cache: type[StockVarnish] = StockVarnish, **settings: str
           ) -> Iterator[tuple[StockVarnish, LiveServer]]:
    if find_binary("varnishd") is None:
        pytest.skip(missing_reason("varnishd"))
    forewarn = start_proxy(origin.url, demo_db, folder, server=server, **settings)
    try:
        varnish = cache(folder / "varnish", origin, forewarn)  # type: ignore[arg-type]
    except BaseException:
        forewarn.stop()
        raise
    yield varnish, forewarn
    varnish.stop()
    forewarn.stop()


@pytest.fixture(scope="module")
def by_address(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
               forewarn_server: str) -> Iterator[tuple[StockVarnish, LiveServer]]:
    folder = tmp_path_factory.mktemp("by-address")
    (folder / "varnish").mkdir()
    yield from _front(origin, folder, demo_db, forewarn_server)


@pytest.fixture(scope="module")
def by_country_header(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
                      forewarn_server: str) -> Iterator[tuple[StockVarnish, LiveServer]]:
    folder = tmp_path_factory.mktemp("by-header")
    (folder / "varnish").mkdir()
    yield from _front(origin, folder, demo_db, forewarn_server, country_header=COUNTRY_HEADER,
                      cdn_caches_per_place="true")


CDN_SETUPS = {
    # name -> (the cache, cdn_caches_per_place)
    "vary-ignored-setting-off": (VaryIgnoringCdn, "false"),
    "keyed-on-country-setting-on": (CountryKeyedCdn, "true"),
    "vary-ignored-setting-on": (VaryIgnoringCdn, "true"),
}


@pytest.fixture(scope="module", params=list(CDN_SETUPS))
def behind_cdn(request: pytest.FixtureRequest, origin: Origin, demo_db: Path,
               tmp_path_factory: pytest.TempPathFactory, forewarn_server: str
               ) -> Iterator[tuple[str, StockVarnish]]:
    cache, per_place = CDN_SETUPS[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    (folder / "varnish").mkdir()
    for varnish, _forewarn in _front(origin, folder, demo_db, forewarn_server, cache,
                                     country_header=COUNTRY_HEADER,
                                     cdn_caches_per_place=per_place):
        yield request.param, varnish


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


def test_behind_a_cdn_that_ignores_vary_a_reader_in_russia_never_gets_another_places_copy(
    behind_cdn: tuple[str, StockVarnish],
) -> None:
    setup, varnish = behind_cdn
    expected = {"RU": "ru-undesirable", "DE": None, "IR": "ir-hostile-media"}
    answers: list[tuple[str, str | None, bool]] = []
    for country in ["DE", "RU", "IR", "RU", "DE", "RU"] * 2:  # Germany asks first
        response, notices, hit = read(varnish.url, **{COUNTRY_HEADER: country})
        assert response.status == 200
        answers.append((country, notices, hit))
    wrong = [(country, notices) for country, notices, _ in answers if notices != expected[country]]
    hits = sum(hit for _, _, hit in answers)
    if setup == "vary-ignored-setting-off":
        assert wrong == [] and hits == 0  # private: never stored, each reader decided anew
    elif setup == "keyed-on-country-setting-on":
        assert wrong == [] and hits == len(answers) - 3  # one miss per country, then its copy
    else:
        # The setting turned on while the CDN keeps one copy per URL: the first reader's page
        # goes to everyone. This is what the setting's default (off) prevents.
        assert ("RU", None) in wrong and hits == len(answers) - 1
