"""The one answer the geo step gives: where an address probably is."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A reader's probable location, normalised from whatever database answered.

    ``country`` is ISO 3166-1 alpha-2 or None; ``regions`` are full ISO 3166-2
    codes (``"UA-43"``), most general first; ``asn`` is the autonomous system
    number of the network; ``sources`` names, per field, the database file
    that supplied it (for ``forewarn lookup`` and debugging, never logged).
    """

    country: str | None = None
    regions: tuple[str, ...] = ()
    asn: int | None = None
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def known(self) -> bool:
        """True when some database placed the address in a country or region."""
        return self.country is not None or bool(self.regions)


UNKNOWN = Location()
