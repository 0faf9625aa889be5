"""Choose the notices a reader gets, in the order they read them, and the languages each is given
in (the first shown, the others behind a disclosure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel import negotiate_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from geoip.location import Location
from webapp.catalog.model import SEVERITY_ORDER, Catalog, Notice
from webapp.reader.jurisdiction import UNKNOWN, JurisdictionIndex


@dataclass(frozen=True, slots=True)
class Shown:
    """One notice as it will be rendered: the notice and its text languages, the first one shown,
    the others behind the block's "This notice in" disclosure."""

    notice: Notice
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """What Forewarn decided for one request; ``jurisdictions`` is ("unknown",) when unlocated."""

    location: Location
    jurisdictions: tuple[str, ...]
    shown: tuple[Shown, ...]
    used_accept_language: bool = False  # the reader's Accept-Language chose a text language
    catalog: Catalog | None = None  # the catalog version decided from (rendered with the same)

    @property
    def notice_ids(self) -> tuple[str, ...]:
        return tuple(item.notice.id for item in self.shown)

    @property
    def key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """What the rendered block depends on: notice ids and languages."""
        return tuple((item.notice.id, item.languages) for item in self.shown)


@lru_cache(maxsize=512)
def primary_subtag(lang: str | None) -> str | None:
    """``"ru-RU"`` -> ``"ru"``; the catalog's texts are keyed by primary language. (Remembered:
    a page's language is the site's, never the reader's.)"""
    if not lang:
        return None
    return lang.strip().replace("_", "-").split("-")[0].lower() or None


class Selector:
    """Decides for one catalog by the audience rules (docs/architecture.md): jurisdiction, page
    language, everyone, unknown. What does not depend on the reader's own headers is remembered
    per (jurisdictions, page language, day): a few dictionary look-ups per request. The keys are
    catalog ids, languages and days, never an address or a place."""

    LIMIT = 4096  # entries kept; a full memory is cleared (a page's ``lang`` is anyone's text)

    def __init__(self, catalog: Catalog, index: JurisdictionIndex) -> None:
        self.catalog = catalog
        self.index = index
        self._memory: dict[object, tuple[tuple[Notice, ...], tuple[Shown, ...] | None]] = {}

    def decide(self, location: Location, page_lang: str | None, day: date, *,
               accept_language: str | None = None) -> Decision:
        lang = primary_subtag(page_lang)
        jurisdictions, located = placed(self.index, location)
        key = (jurisdictions, located, lang, day)
        entry = self._memory.get(key)
        if entry is None:
            entry = self._remember(key, jurisdictions, located, lang, day)
        picked, shown = entry
        if shown is not None:
            return Decision(location, jurisdictions, shown, False, self.catalog)
        preferred = preferred_languages(accept_language)
        shown, used = _show(self.catalog, picked, jurisdictions, lang, preferred)
        return Decision(location, jurisdictions, shown, used, self.catalog)

    def _remember(
        self, key: object, jurisdictions: tuple[str, ...], located: bool, lang: str | None,
        day: date,
    ) -> tuple[tuple[Notice, ...], tuple[Shown, ...] | None]:
        picked = _pick(self.catalog, jurisdictions, located, lang, day)
        shown = None if _needs_reader(picked, lang) else \
            _show(self.catalog, picked, jurisdictions, lang, ())[0]
        if len(self._memory) >= self.LIMIT:
            self._memory.clear()
        self._memory[key] = (picked, shown)
        return picked, shown


def placed(index: JurisdictionIndex, location: Location) -> tuple[tuple[str, ...], bool]:
    """The jurisdictions the location falls in, ("unknown",) when it is nowhere known, and
    whether it was placed. An ASN alone (no country) can still place a reader in a group that
    lists it."""
    matched = index.match(location)
    located = location.known or bool(matched)
    return (matched if located else (UNKNOWN,)), located


def _pick(catalog: Catalog, jurisdictions: tuple[str, ...], located: bool, lang: str | None,
          day: date) -> tuple[Notice, ...]:
    picked = [
        notice
        for notice in catalog.notices
        if notice.in_effect(day) and _applies(notice, located, jurisdictions, lang)
    ]
    # sort is stable: catalog order breaks the remaining ties
    picked.sort(key=lambda notice: _order(notice, located, jurisdictions, lang))
    return tuple(picked)


def _order(notice: Notice, located: bool, jurisdictions: tuple[str, ...],
           lang: str | None) -> tuple[bool, int, int]:
    """The reader's own place first: a notice for the jurisdiction they are located in, or, when
    their location is unknown, one aimed at the page's language (the best hint of where they read
    from; a notice shown only under ``unknown = "show"`` is a guess). Then severest first, then
    page-language audiences before everyone audiences before the rest."""
    by_language = lang is not None and lang in notice.languages
    here = any(jid in notice.jurisdictions for jid in jurisdictions)
    theirs = here if located else by_language
    audience = 0 if by_language else 1 if notice.everyone else 2
    return not theirs, SEVERITY_ORDER[notice.severity], audience


def _needs_reader(picked: tuple[Notice, ...], lang: str | None) -> bool:
    """Whether the reader's Accept-Language can matter: some notice lacks the page's language."""
    return any(lang not in notice.text for notice in picked)


def _show(catalog: Catalog, picked: tuple[Notice, ...], jurisdictions: tuple[str, ...],
          lang: str | None, preferred: tuple[str, ...]) -> tuple[tuple[Shown, ...], bool]:
    shown = []
    used = False
    for notice in picked:
        places = _place_languages(catalog, notice, jurisdictions)
        first, by_reader = _first_language(catalog, notice, lang, preferred, places)
        used = used or by_reader
        # then the place's languages and the catalog's default (every notice has it): a reader
        # who reads neither the page's language nor the place's finds the common one
        languages = (first, *places, catalog.default_language)
        shown.append(Shown(notice, tuple(dict.fromkeys(languages))))
    return tuple(shown), used


def preferred_languages(accept_language: str | None) -> tuple[str, ...]:
    """The reader's languages, best first (werkzeug parses, quality order)."""
    if not accept_language:
        return ()
    accepted = parse_accept_header(accept_language[:512], LanguageAccept)
    return tuple(value for value, quality in accepted if quality > 0 and value != "*")


def _first_language(
    catalog: Catalog, notice: Notice, page_lang: str | None, preferred: tuple[str, ...],
    places: tuple[str, ...],
) -> tuple[str, bool]:
    """The page's language if the notice has it, else the best of the reader's languages the
    notice has (Babel's negotiation), else the first language of the reader's place it has
    (``places``), else the catalog's default; and whether the reader's Accept-Language decided."""
    if page_lang in notice.text:
        return page_lang, False
    if preferred:
        found = negotiate_locale(list(preferred), list(notice.text), sep="-")
        if found:
            # Babel answers in the reader's spelling ("RU" for "Accept-Language: RU"): the
            # catalog's own key is what the texts are found by.
            return _catalog_key(notice, found), True
    return (places[0] if places else catalog.default_language), False


def _catalog_key(notice: Notice, lang: str) -> str:
    lower = lang.lower()
    return next((key for key in notice.text if key.lower() == lower), lang)


def _applies(notice: Notice, known: bool, jurisdictions: tuple[str, ...], lang: str | None) -> bool:
    if notice.everyone or (lang is not None and lang in notice.languages):
        return True
    if not known:
        return notice.unknown == "show"
    return any(jid in notice.jurisdictions for jid in jurisdictions)


def _place_languages(
    catalog: Catalog, notice: Notice, jurisdictions: tuple[str, ...]
) -> tuple[str, ...]:
    """The languages of the reader's jurisdictions that the notice has text in, in catalog order.

    An unlocated reader may be anywhere the notice is about, so gets those places' languages.
    """
    places = notice.jurisdictions if jurisdictions == (UNKNOWN,) else jurisdictions
    found = [
        lang
        for jid in places if jid in catalog.jurisdictions
        for lang in catalog.jurisdictions[jid].languages if lang in notice.text
    ]
    return tuple(dict.fromkeys(found))
