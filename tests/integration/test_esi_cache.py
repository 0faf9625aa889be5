"""The edge include with its fragments kept per variant, as shipped: a real Varnish running
deploy/varnish/forewarn-esi-cache.vcl, which includes deploy/varnish/default.vcl and the
subroutine `forewarn export varnish` wrote, in front of an origin whose articles carry an ESI
include and a `forewarn serve` that reads the CDN's country header.

Readers are played as the CDN in front of Varnish sends them: their country (and region)
headers. Forewarn's own count of reader look-ups says whether it was asked for a fragment."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.origin import Origin
from tests.integration.outage import ForewarnSlot
from tests.integration.pages import Page
from tests.integration.servers import DEPLOY, EdgeServer, fill, find_binary, missing_reason
from tests.integration.variants import (
    cdn_read,
    copy_catalog,
    counter,
    export_varnish,
    forewarn_env,
    varnish_command,
    wait_for,
)


class EsiCacheVarnish(EdgeServer):
    """varnishd with deploy/varnish/forewarn-esi-cache.vcl, default.vcl filled in beside it and
    the exported subroutine, in the foreground, no jail (see servers.Varnish)."""

    name = "varnish"

    def __init__(self, folder: Path, origin: Origin, forewarn: ForewarnSlot,
                 fallback_dir: Path, env: dict[str, str]) -> None:
        self.env = env
        super().__init__(folder, origin, forewarn, fallback_dir)  # type: ignore[arg-type]

    def command(self, values: dict[str, str]) -> list[str]:
        variants = export_varnish(self.folder, self.env)
        default = self.folder / "forewarn-esi.vcl"
        default.write_text(fill(DEPLOY / "varnish" / "default.vcl", values))
        vcl = self.folder / "forewarn-esi-cache.vcl"
        vcl.write_text(fill(DEPLOY / "varnish" / "forewarn-esi-cache.vcl",
                            {"DEFAULT_VCL": str(default), "VARIANT_VCL": str(variants)}))
        return varnish_command(self.port, vcl, self.folder)


@dataclass
class EsiCache:
    edge: EsiCacheVarnish
    slot: ForewarnSlot
    catalog: Path

    @property
    def forewarn(self) -> str:
        return f"http://127.0.0.1:{self.slot.port}"

    def asked(self) -> float:
        """How many readers Forewarn has placed (one per fragment it answered)."""
        return counter(self.forewarn, "forewarn_lookups_total")


@pytest.fixture(scope="module")
def esi_cache(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EsiCache]:
    if find_binary("varnishd") is None:
        pytest.skip(missing_reason("varnishd"))
    folder = tmp_path_factory.mktemp("esi-cache")
    catalog = copy_catalog(folder / "catalog")
    env = forewarn_env(catalog, demo_db, FOREWARN_COUNTRY_HEADER="cloudflare",
                       FOREWARN_FALLBACK_DIR=str(folder / "fallback"))
    with ExitStack() as started:  # each server stopped, last started first, however it ends
        origin = Origin("esi")
        started.callback(origin.stop)
        slot = ForewarnSlot(folder, env, ["--workers", "1"])
        started.callback(slot.stop)
        slot.set("up")  # writes the fallback blocks default.vcl includes
        (folder / "varnish").mkdir()
        edge = EsiCacheVarnish(folder / "varnish", origin, slot, folder / "fallback", env)
        started.callback(edge.stop)
        yield EsiCache(edge, slot, catalog)


def page_view(edge: EdgeServer, path: str, country: str, region: str | None = None,
              **headers: str) -> Page:
    """A reader's page through the edge (cdn_read), checked for what every page must be."""
    page = cdn_read(edge, path, country, region, **headers)
    assert page.status == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "<main><article>" in page.html and "esi:include" not in page.html
    return page


def test_readers_of_one_variant_share_one_fragment_and_forewarn_is_asked_once(
    esi_cache: EsiCache,
) -> None:
    edge, path = esi_cache.edge, "/articles/kept-fragment"
    # (country, region, the notices the reader must get, whether Forewarn must be asked)
    readers = [("RU", None, "ru-undesirable", True), ("UA", "43", "ru-undesirable", False),
               ("RU", None, "ru-undesirable", False), ("DE", None, None, True),
               ("US", None, None, False), ("UA", None, None, False),
               ("BY", None, "by-extremist", True), ("IR", None, "ir-hostile-media", True),
               ("IR", None, "ir-hostile-media", False)]
    pages: dict[str | None, str] = {}
    for country, region, notices, asked in readers:
        before = esi_cache.asked()
        page = page_view(edge, path, country, region)
        assert page.notices == notices, (country, region)
        assert (esi_cache.asked() > before) == asked, (country, region)
        # Every reader of a variant gets the same bytes; a reader of another, never those.
        assert pages.setdefault(notices, page.html) == page.html
        assert page.html.count('<aside class="forewarn"') == (notices is not None)
    assert len(set(pages.values())) == 4
    assert edge.origin.counts[path] == 1  # the article itself: one copy for everyone
    # The page's language is in the include's URL: the Russian page is a fragment of its own,
    # with the notice for readers anywhere (its audience), kept for them all.
    before = esi_cache.asked()
    assert page_view(edge, "/ru" + path, "DE").notices == "ru-undesirable"
    assert page_view(edge, "/ru" + path, "US").notices == "ru-undesirable"
    assert esi_cache.asked() == before + 1


def test_the_readers_language_splits_a_fragment_only_where_it_can_change_it(
    esi_cache: EsiCache,
) -> None:
    edge, path = esi_cache.edge, "/articles/languages"
    russian = page_view(edge, path, "RU", Accept_Language="ru-RU,ru;q=0.9")
    assert 'lang="ru"' in russian.html
    before = esi_cache.asked()
    assert page_view(edge, path, "RU", Accept_Language="ru").html == russian.html
    english = page_view(edge, path, "RU", Accept_Language="en-GB,en")
    assert english.notices == "ru-undesirable" and 'lang="en"' in english.html
    assert esi_cache.asked() == before + 1
    # No notice for readers in no jurisdiction, whatever their language: one empty fragment.
    page_view(edge, path, "DE", Accept_Language="ru")
    before = esi_cache.asked()
    assert page_view(edge, path, "US", Accept_Language="fa-IR").notices is None
    assert esi_cache.asked() == before


def test_a_kept_fragment_still_reaches_its_readers_while_forewarn_is_down(
    esi_cache: EsiCache,
) -> None:
    edge, slot, path = esi_cache.edge, esi_cache.slot, "/articles/outage"
    assert page_view(edge, path, "BY").notices == "by-extremist"
    slot.set("stopped")
    try:
        # A reader of the kept variant gets their own notice, not the fallback.
        for _ in range(2):
            page = page_view(edge, path, "BY")
            assert page.notices == "by-extremist" and "data-forewarn-fallback" not in page.html
        # One whose fragment is not kept gets the fallback block: never nothing.
        page = page_view(edge, path, "IR")
        assert "data-forewarn-fallback" in page.html and page.notices == "ru-undesirable"
    finally:
        slot.set("up")


def test_a_map_older_than_the_catalog_costs_caching_never_a_notice(
    esi_cache: EsiCache,
) -> None:
    """Last in this file: it changes the catalog behind the exported map."""
    edge, path = esi_cache.edge, "/articles/after-the-change"
    mismatches = 'forewarn_edge_variant_mismatches_total{reason="place"}'
    # Germany joins the jurisdiction of Belarus; Varnish still has the map exported before.
    catalog = esi_cache.catalog
    catalog.write_text(catalog.read_text().replace('countries = ["BY"]',
                                                   'countries = ["BY", "DE"]'))
    probes = (f"/articles/probe-{n}" for n in itertools.count())  # a new fragment each time
    wait_for(lambda: page_view(edge, next(probes), "DE").notices == "by-extremist")
    refused = counter(esi_cache.forewarn, mismatches)
    for _ in range(3):
        before = esi_cache.asked()
        assert page_view(edge, path, "DE").notices == "by-extremist"
        assert esi_cache.asked() == before + 1  # asked each time: nothing kept under the key
    assert counter(esi_cache.forewarn, mismatches) == refused + 3
    # Readers the old map gives Germany's key get what Forewarn decides for them, not Germany's.
    assert page_view(edge, path, "US").notices is None
