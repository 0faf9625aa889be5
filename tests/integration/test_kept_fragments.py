"""The edge include with its fragments kept per variant, as shipped, against real servers:
Varnish running deploy/varnish/forewarn-esi-cache.vcl (default.vcl and the subroutine
`forewarn export varnish` wrote), behind a CDN that gives the reader's country; and nginx
running deploy/nginx/forewarn-ssi.conf with forewarn-ssi-cache.conf, the snippet in
forewarn-ssi.d/ and the maps `forewarn export nginx` wrote, placing readers itself (geoip2, the
demo database). Each is in front of an origin whose articles carry the include, and of a
`forewarn serve` that reads the place from the edge's headers, on each server `forewarn serve
--server` offers.

Readers are played as the edge meets them: Varnish's by the CDN's country and region headers,
nginx's by their address (X-Forwarded-For from 127.0.0.1, which the test lets nginx believe).
Forewarn's own count of reader look-ups says whether it was asked for a fragment."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.origin import Origin
from tests.integration.outage import ForewarnSlot
from tests.integration.pages import Page, read
from tests.integration.servers import (
    DEPLOY,
    SERVERS,
    EdgeServer,
    Nginx,
    export_map,
    fill,
    find_binary,
    geo_module,
    keeping_fragments,
    missing_reason,
    varnish_command,
)
from tests.integration.variants import cdn_read, copy_catalog, counter, forewarn_env, wait_for


@dataclass(frozen=True)
class Reader:
    """A reader as the CDN gives them (country, region) and as nginx finds them (address, in
    the demo database at that place)."""

    country: str
    region: str | None
    address: str


RUSSIA = Reader("RU", None, "192.0.2.7")
CRIMEA = Reader("UA", "43", "203.0.113.7")
BELARUS = Reader("BY", None, "203.0.113.200")
IRAN = Reader("IR", None, "198.51.100.129")
GERMANY = Reader("DE", None, "198.51.100.1")
USA = Reader("US", None, "198.51.100.70")


class EsiCacheVarnish(EdgeServer):
    """varnishd with deploy/varnish/forewarn-esi-cache.vcl, default.vcl filled in beside it and
    the exported subroutine."""

    name = "varnish"

    def __init__(self, folder: Path, origin: Origin, forewarn: ForewarnSlot,
                 fallback_dir: Path, env: dict[str, str]) -> None:
        self.env = env
        super().__init__(folder, origin, forewarn, fallback_dir)  # type: ignore[arg-type]

    def command(self, values: dict[str, str]) -> list[str]:
        variants = export_map("varnish", self.folder / "forewarn-variants.vcl", self.env)
        default = self.folder / "forewarn-esi.vcl"
        default.write_text(fill(DEPLOY / "varnish" / "default.vcl", values))
        vcl = self.folder / "forewarn-esi-cache.vcl"
        vcl.write_text(fill(DEPLOY / "varnish" / "forewarn-esi-cache.vcl",
                            {"DEFAULT_VCL": str(default), "VARIANT_VCL": str(variants)}))
        return varnish_command(self.port, vcl, self.folder)

    def page(self, path: str, reader: Reader, **headers: str) -> Page:
        return cdn_read(self, path, reader.country, reader.region, **headers)


class SsiCacheNginx(Nginx):
    """nginx with deploy/nginx/forewarn-ssi.conf, forewarn-ssi-cache.conf and the snippet in
    forewarn-ssi.d/, the geoip2 module loaded, the exported maps."""

    def __init__(self, folder: Path, origin: Origin, forewarn: ForewarnSlot,
                 fallback_dir: Path, env: dict[str, str], geo_db: Path) -> None:
        self.env, self.geo_db = env, geo_db
        super().__init__(folder, origin, forewarn, fallback_dir)  # type: ignore[arg-type]

    def command(self, values: dict[str, str]) -> list[str]:
        command = super().command(values)  # forewarn-ssi.conf and nginx.conf
        keeping_fragments(self.folder, self.env, self.geo_db)
        return command

    def page(self, path: str, reader: Reader, **headers: str) -> Page:
        return read(self, path, reader.address, **headers)


@dataclass
class KeptFragments:
    edge: EsiCacheVarnish | SsiCacheNginx
    slot: ForewarnSlot
    catalog: Path

    @property
    def forewarn(self) -> str:
        return f"http://127.0.0.1:{self.slot.port}"

    def asked(self) -> float:
        """How many readers Forewarn has placed (one per fragment it answered)."""
        return counter(self.forewarn, "forewarn_lookups_total")

    def view(self, path: str, reader: Reader, **headers: str) -> Page:
        """A reader's page through the edge, checked for what every page must be."""
        page = self.edge.page(path, reader, **headers)
        assert page.status == 200
        assert page.headers["Cache-Control"] == "private, no-store"
        assert "<main><article>" in page.html
        assert "esi:include" not in page.html and "<!--#" not in page.html
        return page


@pytest.fixture(scope="module", params=list(itertools.product(["varnish", "nginx"], SERVERS)),
                ids="-".join)
def kept(request: pytest.FixtureRequest, demo_db: Path,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeptFragments]:
    kind, server = request.param
    binary = "varnishd" if kind == "varnish" else "nginx"
    if find_binary(binary) is None:
        pytest.skip(missing_reason(binary))
    if kind == "nginx" and geo_module() is None:
        pytest.skip(missing_reason("ngx_http_geoip2_module"))
    folder = tmp_path_factory.mktemp(f"kept-{kind}-{server}")
    catalog = copy_catalog(folder / "catalog")
    headers = ({"FOREWARN_COUNTRY_HEADER": "cloudflare"} if kind == "varnish" else
               {"FOREWARN_COUNTRY_HEADER": "X-Forewarn-Country",
                "FOREWARN_REGION_HEADER": "X-Forewarn-Region"})
    env = forewarn_env(catalog, demo_db, FOREWARN_FALLBACK_DIR=str(folder / "fallback"),
                       **headers)
    with ExitStack() as started:  # each server stopped, last started first, however it ends
        origin = Origin("esi" if kind == "varnish" else "ssi")
        started.callback(origin.stop)
        slot = ForewarnSlot(folder, env, ["--workers", "1", "--server", server])
        started.callback(slot.stop)
        slot.set("up")  # writes the fallback blocks the edges include
        (folder / kind).mkdir()
        edge = (EsiCacheVarnish(folder / kind, origin, slot, folder / "fallback", env)
                if kind == "varnish" else
                SsiCacheNginx(folder / kind, origin, slot, folder / "fallback", env, demo_db))
        started.callback(edge.stop)
        yield KeptFragments(edge, slot, catalog)


def test_readers_of_one_variant_share_one_fragment_and_forewarn_is_asked_once(
    kept: KeptFragments,
) -> None:
    path = "/articles/kept-fragment"
    # (reader, the notices they must get, whether Forewarn must be asked)
    readers = [(RUSSIA, "ru-undesirable", True), (CRIMEA, "ru-undesirable", False),
               (RUSSIA, "ru-undesirable", False), (GERMANY, None, True), (USA, None, False),
               (BELARUS, "by-extremist", True), (IRAN, "ir-hostile-media", True),
               (IRAN, "ir-hostile-media", False)]
    pages: dict[str | None, str] = {}
    for reader, notices, asked in readers:
        before = kept.asked()
        page = kept.view(path, reader)
        assert page.notices == notices, reader
        assert (kept.asked() > before) == asked, reader
        # Every reader of a variant gets the same bytes; a reader of another, never those.
        assert pages.setdefault(notices, page.html) == page.html
        assert page.html.count('<aside class="forewarn"') == (notices is not None)
    assert len(set(pages.values())) == 4
    assert kept.edge.origin.counts[path] == 1  # the article itself: one copy for everyone
    # The page's language is in the include's URL: the Russian page is a fragment of its own,
    # with the notice for readers anywhere (its audience), kept for them all.
    before = kept.asked()
    assert kept.view("/ru" + path, GERMANY).notices == "ru-undesirable"
    assert kept.view("/ru" + path, USA).notices == "ru-undesirable"
    assert kept.asked() == before + 1


def test_the_readers_language_splits_a_fragment_only_where_it_can_change_it(
    kept: KeptFragments,
) -> None:
    path = "/articles/languages"
    russian = kept.view(path, RUSSIA, Accept_Language="ru-RU,ru;q=0.9")
    assert 'lang="ru"' in russian.html
    before = kept.asked()
    assert kept.view(path, RUSSIA, Accept_Language="ru").html == russian.html
    english = kept.view(path, RUSSIA, Accept_Language="en-GB,en")
    assert english.notices == "ru-undesirable" and 'lang="en"' in english.html
    assert kept.asked() == before + 1
    # No notice for readers in no jurisdiction, whatever their language: one empty fragment.
    kept.view(path, GERMANY, Accept_Language="ru")
    before = kept.asked()
    assert kept.view(path, USA, Accept_Language="fa-IR").notices is None
    assert kept.asked() == before


def test_a_kept_fragment_still_reaches_its_readers_while_forewarn_is_down(
    kept: KeptFragments,
) -> None:
    path = "/articles/outage"
    assert kept.view(path, BELARUS).notices == "by-extremist"
    kept.slot.set("stopped")
    try:
        # A reader of the kept variant gets their own notice, not the fallback.
        for _ in range(2):
            page = kept.view(path, BELARUS)
            assert page.notices == "by-extremist" and "data-forewarn-fallback" not in page.html
        # One whose fragment is not kept gets the fallback block: never nothing.
        page = kept.view(path, IRAN)
        assert "data-forewarn-fallback" in page.html and page.notices == "ru-undesirable"
    finally:
        kept.slot.set("up")


def test_a_reader_asking_conditionally_still_gets_the_kept_notice_and_never_a_304(
    kept: KeptFragments,
) -> None:
    path = "/articles/conditional"
    first = kept.view(path, RUSSIA)
    assert first.notices == "ru-undesirable"
    # Whatever validators a client holds (another reader's page, the article's, any), the page
    # comes whole: kept.view checks the 200 and that the include was replaced.
    for condition in ({"If_None_Match": "*"}, {"If_None_Match": '"conditional-v1"'},
                      {"If_Modified_Since": "Fri, 01 Jan 2100 00:00:00 GMT"}):
        for reader in (RUSSIA, CRIMEA):
            page = kept.view(path, reader, **condition)
            assert page.notices == "ru-undesirable", (reader, condition)
            assert page.html == first.html


def test_a_map_older_than_the_catalog_costs_caching_never_a_notice(
    kept: KeptFragments,
) -> None:
    """Last in this file: it changes the catalog behind the exported map."""
    path = "/articles/after-the-change"
    mismatches = 'forewarn_edge_variant_mismatches_total{reason="place"}'
    # Germany joins the jurisdiction of Belarus; the edge still has the map exported before.
    kept.catalog.write_text(kept.catalog.read_text().replace('countries = ["BY"]',
                                                             'countries = ["BY", "DE"]'))
    probes = (f"/articles/probe-{n}" for n in itertools.count())  # a new fragment each time
    wait_for(lambda: kept.view(next(probes), GERMANY).notices == "by-extremist")
    refused = counter(kept.forewarn, mismatches)
    for _ in range(3):
        before = kept.asked()
        assert kept.view(path, GERMANY).notices == "by-extremist"
        assert kept.asked() == before + 1  # asked each time: nothing kept under the key
    assert counter(kept.forewarn, mismatches) == refused + 3
    # Readers the old map gives Germany's key get what Forewarn decides for them, not Germany's.
    assert kept.view(path, USA).notices is None
