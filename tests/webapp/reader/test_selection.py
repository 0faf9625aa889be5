"""From a reader's address to the notices they get, with the shipped catalog and the demo data."""

from __future__ import annotations

from datetime import date

import pytest

from geoip.location import Location
from webapp.engine import Engine
from webapp.reader.selection import Selector

RU = ("ru-undesirable",)
BY = ("by-extremist",)
IR = ("ir-hostile-media",)


@pytest.mark.parametrize(
    ("address", "page_lang", "jurisdictions", "notices", "languages"),
    [
        # The page's language first, then the place's, then the catalog's default (en).
        ("192.0.2.10", "en", ("ru",), RU, [("en", "ru")]),
        ("203.0.113.7", "en", ("ru",), RU, [("en", "ru")]),  # UA with region 43: Crimea
        ("203.0.113.7", "ru", ("ru",), RU, [("ru", "en")]),
        ("2001:db8:3::1", "en", ("ru",), RU, [("en", "ru")]),
        # no page language, no Accept-Language: the place's language leads
        ("::ffff:192.0.2.10", None, ("ru",), RU, [("ru", "en")]),  # IPv4-mapped
        ("198.51.100.1", "en", (), (), []),  # Germany
        ("198.51.100.1", "ru", (), RU, [("ru", "en")]),  # a Russian-language page, anywhere
        ("198.51.100.1", "ru-RU", (), RU, [("ru", "en")]),
        ("198.51.100.193", "en", (), (), []),  # Ukraine, no region: not occupied territory
        ("198.51.100.129", "en", ("ir",), IR, [("en", "fa")]),
        ("198.51.100.129", "fa", ("ir",), IR, [("fa", "en")]),
        ("198.51.100.1", "fa", (), IR, [("fa", "en")]),  # a Persian-language page, anywhere
        # Belarus: English, then the two languages of the place; Belarusian first when nothing
        # else says; on a Russian page its own notice first, then the Russia notice (page
        # language), both in Russian first
        ("203.0.113.200", "en", ("by",), BY, [("en", "be", "ru")]),
        ("2001:db8:5::1", None, ("by",), BY, [("be", "ru", "en")]),
        ("203.0.113.200", "ru", ("by",), BY + RU, [("ru", "be", "en"), ("ru", "en")]),
        ("198.51.100.1", "be", (), BY, [("be", "en")]),  # a Belarusian-language page, anywhere
        # Unknown location: the critical Russia notice shows (unknown = "show"), in its places'
        # languages too; the Belarus and Iran notices do not (unknown = "hide") unless the page
        # is in their language, and then they come first: the page's language is the best hint
        # of where an unlocated reader is.
        ("10.1.2.3", "en", ("unknown",), RU, [("en", "ru")]),
        ("127.0.0.1", "fa", ("unknown",), IR + RU, [("fa", "en"), ("ru", "en")]),
        ("127.0.0.1", "be", ("unknown",), BY + RU, [("be", "ru", "en"), ("ru", "en")]),
    ],
)
def test_reader_gets_the_notices_for_their_place_and_page(
    engine: Engine,
    address: str,
    page_lang: str | None,
    jurisdictions: tuple[str, ...],
    notices: tuple[str, ...],
    languages: list[tuple[str, ...]],
) -> None:
    decision = engine.decide(engine.locator.locate(address), page_lang)
    assert decision.jurisdictions == jurisdictions
    assert decision.notice_ids == notices
    assert [shown.languages for shown in decision.shown] == languages


@pytest.mark.parametrize(
    ("day", "shown"),
    [(date(2024, 2, 19), ()), (date(2024, 2, 20), RU), (date(2030, 1, 1), RU)],
)
def test_a_designation_shows_from_its_date(
    engine: Engine, day: date, shown: tuple[str, ...]
) -> None:
    decision = engine.decide(Location(country="RU"), "en", day)
    assert decision.notice_ids == shown


def test_the_notice_for_the_readers_own_place_comes_before_a_severer_one(engine: Engine) -> None:
    # A reader in Iran on a Russian-language page qualifies for both notices: Iran's own
    # (a warning) is theirs, the critical Russia notice comes from the page's language.
    decision = engine.decide(Location(country="IR"), "ru")
    assert decision.notice_ids == ("ir-hostile-media", "ru-undesirable")


def test_a_region_alone_matches_its_jurisdiction(engine: Engine) -> None:
    # Some databases put occupied Crimea under RU, some under UA-43; either matches `ru`.
    assert engine.decide(Location(country="UA", regions=("UA-43",)), None).jurisdictions == ("ru",)
    assert engine.decide(Location(regions=("UA-40",)), None).jurisdictions == ("ru",)


_PLACES = [Location("RU"), Location("UA", ("UA-43",)), Location("UA"), Location("DE"),
           Location("IR", (), 64503), Location(None, (), 64505), Location()]


@pytest.mark.parametrize("location", _PLACES)
@pytest.mark.parametrize("page_lang", ["en", "ru", "fa", "de", None, "xx-YY"])
@pytest.mark.parametrize("accept_language", [None, "fa,ru;q=0.5", "de-DE", "*"])
def test_a_decision_from_memory_is_the_one_made_from_the_rules(
    engine: Engine, location: Location, page_lang: str | None, accept_language: str | None,
) -> None:
    day = date(2026, 11, 24)
    for _ in range(2):  # the second time from memory
        remembered = engine.decide(location, page_lang, day, accept_language=accept_language)
        fresh = Selector(engine.catalog, engine.index)  # an empty memory: decided from the rules
        assert remembered == fresh.decide(location, page_lang, day,
                                          accept_language=accept_language)


@pytest.mark.parametrize("accept", ["RU", "RU-ru", "Ru, en;q=0.5"])
def test_a_readers_language_in_any_case_is_found_in_the_catalogs_spelling(
    engine: Engine, accept: str
) -> None:
    # Babel answers in the reader's spelling ("RU"); the texts are keyed "ru". Before, the block
    # could not be rendered for such a reader.
    decision = engine.decide(Location("RU"), "de", accept_language=accept)
    assert decision.key == (("ru-undesirable", ("ru", "en")),)
    assert 'lang="ru"' in engine.block(decision).html
