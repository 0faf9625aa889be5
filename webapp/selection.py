"""Choose the notices a reader gets, and the languages each is given in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from geoip.location import Location
from webapp.catalog import SEVERITY_ORDER, Catalog, Notice
from webapp.jurisdiction import UNKNOWN, JurisdictionIndex


@dataclass(frozen=True, slots=True)
class Shown:
    """One notice as it will be rendered: the notice and its text languages, first one leading."""

    notice: Notice
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """What Forewarn decided for one request; ``jurisdictions`` is ("unknown",) when unlocated."""

    location: Location
    jurisdictions: tuple[str, ...]
    shown: tuple[Shown, ...]

    @property
    def notice_ids(self) -> tuple[str, ...]:
        return tuple(item.notice.id for item in self.shown)

    @property
    def key(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """What the rendered block depends on: notice ids and languages."""
        return tuple((item.notice.id, item.languages) for item in self.shown)


def primary_subtag(lang: str | None) -> str | None:
    """``"ru-RU"`` -> ``"ru"``; the catalog's texts are keyed by primary language."""
    if not lang:
        return None
    return lang.strip().replace("_", "-").split("-")[0].lower() or None


def decide(
    catalog: Catalog, index: JurisdictionIndex, location: Location, page_lang: str | None, day: date
) -> Decision:
    """Apply the audience rules of DESIGN.md: jurisdiction, page language, everyone, unknown."""
    lang = primary_subtag(page_lang)
    # An ASN alone (no country) can still place a reader in a group that lists it.
    matched = index.match(location)
    jurisdictions = matched if matched or location.known else (UNKNOWN,)
    picked = [
        notice
        for notice in catalog.notices
        if notice.in_effect(day) and _applies(notice, location.known, jurisdictions, lang)
    ]
    picked.sort(key=lambda notice: SEVERITY_ORDER[notice.severity])  # stable: file order kept
    shown = tuple(Shown(n, _languages(catalog, n, jurisdictions, lang)) for n in picked)
    return Decision(location, jurisdictions, shown)


def _applies(notice: Notice, known: bool, jurisdictions: tuple[str, ...], lang: str | None) -> bool:
    if notice.everyone or (lang is not None and lang in notice.languages):
        return True
    if not known:
        return notice.unknown == "show"
    return any(jid in notice.jurisdictions for jid in jurisdictions)


def _languages(
    catalog: Catalog, notice: Notice, jurisdictions: tuple[str, ...], lang: str | None
) -> tuple[str, ...]:
    """The page's language (else the default), then the languages of the reader's jurisdiction.

    An unlocated reader may be anywhere the notice is about, so gets those places' languages.
    """
    first = lang if lang in notice.text else catalog.default_language
    places = notice.jurisdictions if jurisdictions == (UNKNOWN,) else jurisdictions
    result = [first]
    for jid in places:
        jur = catalog.jurisdictions.get(jid)
        for extra in jur.languages if jur else ():
            if extra in notice.text and extra not in result:
                result.append(extra)
    return tuple(result)
