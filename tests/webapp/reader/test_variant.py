"""The partition of a catalog's places into variants (webapp/reader/variant.py), on catalogs that
use what the shipped one does not: ASNs, a place in two jurisdictions, notices in one language;
and the edge's reading of Accept-Language (the exported pattern) against Forewarn's own."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from geoip.location import Location
from webapp.catalog.model import parse_catalog
from webapp.edge_map import language_pattern
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.selection import Selector
from webapp.reader.variant import MIXED, Partition, mismatch

TEXT = {"title": "T", "body": "B"}


def partition(data: dict[str, Any]) -> Partition:
    catalog = parse_catalog({"schema": 1, "organization": "Example", **data}, "test.toml")
    return Partition(catalog, JurisdictionIndex(catalog))


NETWORKS = {
    "jurisdictions": {
        "ru": {"name": "Russia", "countries": ["RU"], "regions": ["UA-43"], "asns": [64500]},
        "crimea": {"name": "Crimea", "regions": ["UA-43"]},
        "kz": {"name": "Kazakhstan", "countries": ["KZ"]},
    },
    "notices": [
        {"id": "ru", "jurisdictions": ["ru"], "text": {"en": TEXT, "ru": TEXT}},
        {"id": "crimea", "jurisdictions": ["crimea"], "unknown": "hide", "text": {"en": TEXT}},
    ],
}


def test_asns_regions_and_places_in_two_jurisdictions_are_variants_of_their_own() -> None:
    found = partition(NETWORKS)
    names = [v.name for v in found.variants]
    # Kazakhstan has no notice: its readers get what readers nowhere listed get; Crimea is in
    # both groups, so no reader is in "crimea" alone.
    assert names == ["ru", "kz", "ru+crimea"]
    assert found.variants[0].members == (("ru",), ("ru", "kz"), ("unknown",))
    assert found.variants[1].members == (("kz",), ())
    assert found.combinations[("", "", "ru")] == ("ru",)  # the network alone places a reader
    assert found.combinations[("?", "", "ru")] == ("ru",)  # ... even with no country
    assert found.combinations[("", "ru+crimea", "")] == ("ru", "crimea")
    assert found.variant(("kz",)) is found.variant(())


def test_a_key_names_a_language_only_where_it_decides_the_page() -> None:
    found = partition(NETWORKS)
    catalog = parse_catalog({"schema": 1, "organization": "Example", **NETWORKS}, "test.toml")
    selector = Selector(catalog, JurisdictionIndex(catalog))
    day = date(2026, 12, 1)
    english = selector.decide(Location("RU"), "en", day, accept_language="ru")
    german = selector.decide(Location("RU"), "de", day, accept_language="ru")
    assert found.key(english, "en", "ru") == f"ru@{found.fingerprint}"
    assert found.key(german, "de", "ru") == f"ru.ru@{found.fingerprint}"
    # the edge folded the language in where the page does not need it: still vouched
    sent = f"ru.ru@{found.fingerprint}"
    assert found.key(english, "en", "ru", sent) == sent
    # ... and it did not where it does: the key Forewarn answers has it, so differs
    assert found.key(german, "de", "ru", f"ru@{found.fingerprint}") == sent
    both = selector.decide(Location("UA", ("UA-43",)), "de", day, accept_language="de")
    assert found.key(both, "de", "de") == f"ru+crimea.en@{found.fingerprint}"


def test_notices_whose_languages_no_one_key_names_are_never_vouched_for() -> None:
    data = {"jurisdictions": {"x": {"name": "X", "countries": ["BY"]}},
            "notices": [{"id": "a", "jurisdictions": ["x"], "text": {"en": TEXT, "ru": TEXT}},
                        {"id": "b", "jurisdictions": ["x"], "text": {"en": TEXT, "be": TEXT}}]}
    found = partition(data)
    catalog = parse_catalog({"schema": 1, "organization": "Example", **data}, "test.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(
        Location("BY"), "de", date(2026, 12, 1), accept_language="be, ru")
    # "be" is the reader's first among en, ru, be; notice "a" has no be and takes ru.
    assert found.key(decision, "de", "be, ru") == f"x.{MIXED}@{found.fingerprint}"
    assert decision.key == (("a", ("ru", "en")), ("b", ("be", "en")))


def test_why_a_key_was_refused() -> None:
    assert mismatch("ru.en@abc", "ru.ru@abc") == "language"
    assert mismatch("ru@abc", "by@abc") == "place"
    assert mismatch("ru@old", "ru@abc") == "place"


LANGUAGES = ("en", "ru", "be", "fa", "pt-br", "pt")
TAGS = st.sampled_from(["en", "en-GB", "ru", "RU-ru", "ru-RU", "be", "fa", "fa-IR", "de", "pt",
                        "pt-BR", "pt-PT", "*", "zh-Hant-TW", "rux"])


@given(st.lists(st.tuples(TAGS, st.sampled_from([None, 1.0, 0.9, 0.5, 0.1, 0])), max_size=5),
       st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=4, unique=True))
def test_the_edges_reading_is_forewarns_for_headers_written_best_first(
    entries: list[tuple[str, float | None]], among: list[str],
) -> None:
    # Browsers write their languages best first; for such headers the exported pattern (first
    # written, q=0 skipped) picks what Forewarn's negotiation (best quality first) picks.
    entries.sort(key=lambda entry: -(1.0 if entry[1] is None else entry[1]))
    header = ", ".join(tag if q is None else f"{tag};q={q}" for tag, q in entries)
    found = partition({"notices": [{"id": "a", "everyone": True,
                                    "text": {lang: TEXT for lang in ["en", *among]}}]})
    pattern = re.compile(language_pattern(among).replace("[[:space:]]", r"\s"), re.I)
    match = pattern.match(header)
    edge = match.group(1).lower() if match else "en"
    forewarn = found.reader_language(header, tuple(among))
    if forewarn not in among:  # nothing matched: both fall back to the default language
        assert edge == "en" or edge not in among
    else:
        assert edge == forewarn.lower(), header
