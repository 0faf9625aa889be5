"""Which places the editors' preview shows: the catalog's jurisdictions, the chosen countries and
an unknown location, each as a frozen Place with a label an editor recognises."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pycountry
from babel import Locale

from geoip.location import Location
from webapp.catalog.model import Catalog

# Shown besides the catalog's own countries when ``preview_countries`` is not set: where many
# readers are, where a notice must NOT show (Germany), and Ukraine as a whole, which databases
# often give for the occupied regions without naming the region.
EXTRA_COUNTRIES = ("DE", "US", "UA")
ENGLISH = Locale("en")


@dataclass(frozen=True, slots=True)
class Place:
    """One place a reader can be: a country, a region (with its country), an ASN, or nowhere
    known."""

    country: str | None = None
    region: str | None = None
    asn: int | None = None

    @property
    def location(self) -> Location:
        return Location(country=self.country, regions=(self.region,) if self.region else (),
                        asn=self.asn)

    @property
    def code(self) -> str:
        """"RU", "UA-43", "AS64505" or "unknown": short, unique, safe in a file name."""
        if self.region:
            return self.region
        if self.country:
            return self.country
        return f"AS{self.asn}" if self.asn is not None else "unknown"

    @property
    def name(self) -> str:
        """"Russia", "Avtonomna Respublika Krym", "Network", "Unknown location"."""
        if self.region:
            return region_name(self.region)
        if self.country:
            return country_name(self.country)
        return "Network" if self.asn is not None else "Unknown location"

    @property
    def label(self) -> str:
        """"Russia (RU)", "Avtonomna Respublika Krym (UA-43)", "Unknown location" (the ISO
        names; PlaceNames adds the catalog's)."""
        return self.name if self.code == "unknown" else f"{self.name} ({self.code})"


UNKNOWN_PLACE = Place()


class PlaceNames:
    """The names the preview gives places, as editors say them: the ISO name (the short English
    one for countries) with the catalog's own name for the place first where it gives one
    (``place_names``), and the catalog's names of the jurisdictions a place falls in."""

    def __init__(self, catalog: Catalog) -> None:
        self._jurisdictions = {jid: jur.name for jid, jur in catalog.jurisdictions.items()}
        self._own = {code: name for jur in catalog.jurisdictions.values()
                     for code, name in jur.place_names.items()}

    def label(self, place: Place) -> str:
        """"Russia (RU)", "Crimea (Avtonomna Respublika Krym, UA-43)", "Unknown location"."""
        if place.code == "unknown":
            return place.name
        own = self._own.get(place.code)
        if own and own != place.name:
            return f"{own} ({place.name}, {place.code})"
        return f"{place.name} ({place.code})"

    def heading(self, place: Place, jurisdictions: tuple[str, ...]) -> str:
        """A frame's title: the place (a country by its name alone), and the jurisdictions it
        falls in by their names: "Crimea (Avtonomna Respublika Krym, UA-43) — Russia and the
        Russia-controlled parts of Ukraine"; a jurisdiction named like the place is not said
        twice ("Belarus")."""
        said = {place.name, self._own.get(place.code)}
        names = [self._jurisdictions.get(jid, jid) for jid in jurisdictions]
        names = [name for name in names if name not in said]
        shown = self.label(place) if place.region or place.asn is not None else place.name
        return f"{shown} — {'; '.join(names)}" if names else shown


def country_name(code: str) -> str:
    """The short English name an editor knows ("Russia", not "Russian Federation")."""
    return str(ENGLISH.territories.get(code, code))


def region_name(code: str) -> str:
    region = pycountry.subdivisions.get(code=code)
    return str(region.name) if region else code


@cache
def regions_of(country: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 3166-2 subdivision of ``country``, by name."""
    found = pycountry.subdivisions.get(country_code=country) or ()
    return tuple(sorted(((s.code, str(s.name)) for s in found), key=lambda item: item[1]))


@cache
def all_countries() -> tuple[tuple[str, str], ...]:
    """(code, English name) of every ISO 3166-1 country, by name."""
    return tuple(sorted(((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries),
                        key=lambda item: item[1]))


def chosen_countries(catalog: Catalog, setting: tuple[str, ...] | None) -> tuple[str, ...]:
    """The ``preview_countries`` setting, or by default the catalog's countries plus DE, US, UA."""
    if setting is not None:
        return setting
    countries = [c for jur in catalog.jurisdictions.values() for c in jur.countries]
    return tuple(dict.fromkeys([*countries, *EXTRA_COUNTRIES]))


def preview_places(catalog: Catalog, chosen: tuple[str, ...]) -> tuple[Place, ...]:
    """The frames of the side-by-side page: for each jurisdiction its first country and first
    region (its first ASN when it has neither), then each chosen country, then unknown."""
    places: list[Place] = []
    for jur in catalog.jurisdictions.values():
        if jur.countries:
            places.append(Place(jur.countries[0]))
        if jur.regions:
            places.append(Place(jur.regions[0][:2], jur.regions[0]))
        if not (jur.countries or jur.regions):
            places.append(Place(asn=jur.asns[0]))
    return _with_chosen(places, chosen)


def matrix_places(catalog: Catalog, chosen: tuple[str, ...]) -> tuple[Place, ...]:
    """The rows of the matrix: every country, region and ASN of every jurisdiction, then each
    chosen country not listed yet, then unknown."""
    places: list[Place] = []
    for jur in catalog.jurisdictions.values():
        places += [Place(country) for country in jur.countries]
        places += [Place(region[:2], region) for region in jur.regions]
        places += [Place(asn=asn) for asn in jur.asns]
    return _with_chosen(places, chosen)


def _with_chosen(places: list[Place], chosen: tuple[str, ...]) -> tuple[Place, ...]:
    for country in chosen:
        place = Place(country)
        if place not in places:
            places.append(place)
    return (*places, UNKNOWN_PLACE)
