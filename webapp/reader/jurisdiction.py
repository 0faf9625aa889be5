"""Match a Location against the catalog's jurisdiction groups: by country, region or ASN."""

from __future__ import annotations

from collections import defaultdict

from geoip.location import Location
from webapp.catalog.model import Catalog

UNKNOWN = "unknown"


class JurisdictionIndex:
    """Built once per catalog; ``match`` is a few dictionary look-ups per request."""

    def __init__(self, catalog: Catalog) -> None:
        self._order = {jid: i for i, jid in enumerate(catalog.jurisdictions)}
        self._by_country: dict[str, set[str]] = defaultdict(set)
        self._by_region: dict[str, set[str]] = defaultdict(set)
        self._by_asn: dict[int, set[str]] = defaultdict(set)
        for jid, jur in catalog.jurisdictions.items():
            for country in jur.countries:
                self._by_country[country].add(jid)
            for region in jur.regions:
                self._by_region[region].add(jid)
            for asn in jur.asns:
                self._by_asn[asn].add(jid)
        self._countries_only = {country: self._ordered(jids)
                                for country, jids in self._by_country.items()}

    def match(self, location: Location) -> tuple[str, ...]:
        """Ids of every group the location falls in, in catalog order; () when none."""
        if not location.regions and (location.asn is None or location.asn not in self._by_asn):
            # The common case, a country alone: one look-up of a tuple built at start.
            return self._countries_only.get(location.country, ()) if location.country else ()
        found: set[str] = set()
        if location.country is not None:
            found |= self._by_country.get(location.country, set())
        for region in location.regions:
            found |= self._by_region.get(region, set())
        if location.asn is not None:
            found |= self._by_asn.get(location.asn, set())
        return self._ordered(found)

    def _ordered(self, jids: set[str]) -> tuple[str, ...]:
        return tuple(sorted(jids, key=self._order.__getitem__))
