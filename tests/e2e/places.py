"""The demo's readers, one per place in catalog/demo-networks.csv plus an unknown one, and what the
shipped catalog says each should be shown: derived from the data, so a jurisdiction added to the
catalog (with its demo network) is covered without touching the tests."""

from __future__ import annotations

import csv
import ipaddress
from dataclasses import dataclass
from datetime import date

from babel import Locale

from webapp.catalog.model import SEVERITY_ORDER, Catalog, Notice, load_catalog
from webapp.demo import demo_networks_csv
from webapp.resources import packaged

UNKNOWN_ADDRESS = "10.0.0.1"  # private: no database places it


@dataclass(frozen=True)
class Place:
    """A reader's place: the address they come from and the catalog jurisdictions it is in."""

    label: str
    address: str
    jurisdictions: tuple[str, ...]
    known: bool = True

    def __str__(self) -> str:  # the pytest id
        return self.label


def shipped_catalog() -> Catalog:
    return load_catalog(packaged("notices.toml"))


def demo_places(catalog: Catalog) -> list[Place]:
    """One reader per IPv4 network of the demo CSV (the first host), then the unknown reader."""
    places = []
    with demo_networks_csv().open(newline="") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            network = ipaddress.ip_network(row["network"])
            if network.version != 4:
                continue
            asn = int(row["asn"]) if row["asn"] else None
            found = _jurisdictions(catalog, row["country"], row["region"], asn)
            where = row["region"] or row["country"]
            label = f"{'+'.join(found) or 'none'}-{where}"
            places.append(Place(label, str(next(network.hosts())), found))
    places.append(Place("unknown", UNKNOWN_ADDRESS, (), known=False))
    return places


def _jurisdictions(catalog: Catalog, country: str, region: str, asn: int | None) -> tuple[str, ...]:
    return tuple(
        jid for jid, jur in catalog.jurisdictions.items()
        if country in jur.countries or (region and region in jur.regions)
        or (asn is not None and asn in jur.asns)
    )


def expected_notices(catalog: Catalog, place: Place, page_lang: str, day: date) -> list[Notice]:
    """The audience rules of docs/architecture.md: the reader's jurisdictions, the page's
    language, everyone; for an unknown reader each notice's ``unknown`` policy. In its order:
    the reader's own place first (the jurisdiction they are located in; for an unknown reader
    the notices aimed at the page's language), then severest first, then page-language
    audiences before everyone audiences, then catalog order."""

    def applies(notice: Notice) -> bool:
        if notice.everyone or page_lang in notice.languages:
            return True
        if not place.known:
            return notice.unknown == "show"
        return bool(set(notice.jurisdictions) & set(place.jurisdictions))

    def order(notice: Notice) -> tuple[bool, int, int]:
        by_language = page_lang in notice.languages
        own = bool(set(notice.jurisdictions) & set(place.jurisdictions)) if place.known \
            else by_language
        return not own, SEVERITY_ORDER[notice.severity], 0 if by_language else \
            1 if notice.everyone else 2

    shown = [n for n in catalog.notices if n.in_effect(day) and applies(n)]
    return sorted(shown, key=order)


def place_languages(catalog: Catalog, place: Place, notice: Notice) -> list[str]:
    """The languages of the reader's jurisdictions the notice has text in (for an unknown reader,
    of the places the notice is about): each must be among the notice's sections."""
    places = place.jurisdictions if place.known else notice.jurisdictions
    return [
        lang for jid in places for lang in catalog.jurisdictions[jid].languages
        if lang in notice.text
    ]


def script_direction(lang: str) -> str:
    """CLDR's writing direction of a language (Babel), independent of Forewarn's renderer."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def expected_title(catalog: Catalog, notice: Notice, lang: str) -> str:
    """The catalog title in that language, as a reader reads it (``{organization}`` filled)."""
    title = notice.text[lang].title.replace("{organization}", catalog.organization)
    return title.split("{since}")[0].strip()
