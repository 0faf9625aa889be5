"""Turn one raw MaxMind DB record, whatever its publisher's schema, into the fields Forewarn uses.

Known shapes (records come from files we do not control, so anything else is ignored, never
raised on):

- MaxMind GeoIP2/GeoLite2 Country, City, Enterprise: ``country.iso_code``,
  ``subdivisions[].iso_code`` (only the part after the dash: ``"43"`` for ``UA-43``), every level,
  ``traits.autonomous_system_number``.
- DB-IP: the same, but subdivisions carry only ``names``: the English name is mapped to its
  ISO 3166-2 code (geoip/regions.py).
- MaxMind GeoLite2/GeoIP2 ASN: top-level ``autonomous_system_number``.
- ip-location-db: top-level ``country_code``.
- IPinfo: ``country_code`` (Lite) or a plain ``country`` string, ``asn`` as ``"AS1234"``.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_letters
from typing import Any

from geoip.regions import region_code

_ASN_MAX = 2**32 - 1
# Any two ASCII letters, in any case, to the upper-case code: one dict look-up per record.
_COUNTRY_CODES = {a + b: (a + b).upper() for a in ascii_letters for b in ascii_letters}
_SHARED_MAX = 65_536


@dataclass(frozen=True, slots=True)
class Fields:
    """What one database says about one address: any of the three may be missing.

    ``regions`` are full ISO 3166-2 codes (``"UA-43"``), most general first.
    """

    country: str | None = None
    regions: tuple[str, ...] = ()
    asn: int | None = None


NOTHING = Fields()
# What a record says, as a plain tuple: (country, regions, asn). Cheap to build and to hash, so
# the callers on the request path remember what they make of it by this key.
Answer = tuple[str | None, tuple[str, ...], int | None]
NO_ANSWER: Answer = (None, (), None)
_SHARED: dict[Answer, Fields] = {NO_ANSWER: NOTHING}


def record_answer(record: object) -> Answer:
    """The country, full region codes and ASN in ``record``, as a tuple (``NO_ANSWER`` for odd
    records); ``fields_for`` makes the Fields of it. The common shapes (a MaxMind ``country``
    dict, ``traits``) take the first branch of every test."""
    if not isinstance(record, dict):
        return NO_ANSWER
    get = record.get
    value = get("country")
    if isinstance(value, dict):
        code = value.get("iso_code")
        country = _COUNTRY_CODES.get(code) if type(code) is str else _country_code(code)
    else:
        # ip-location-db has only country_code; IPinfo has country_code and a country *name*
        country = _country_code(get("country_code")) or _country_code(value)
    subdivisions = get("subdivisions")
    regions = _regions(subdivisions, country) if subdivisions else ()
    traits = get("traits")
    asn = traits.get("autonomous_system_number") if isinstance(traits, dict) else None
    if asn is None:
        asn = get("autonomous_system_number")
        if asn is None:
            asn = get("asn")
    if asn is not None:
        asn = (asn if 0 < asn <= _ASN_MAX else None) if type(asn) is int else _as_number(asn)
    return (country, regions, asn)


def fields_for(answer: Answer) -> Fields:
    """One Fields per distinct answer: building a frozen dataclass costs a third of a small
    record's look-up, and a database has few distinct answers (bounded, for odd files)."""
    fields = _SHARED.get(answer)
    if fields is None:
        fields = Fields(*answer)
        if len(_SHARED) < _SHARED_MAX:
            _SHARED[answer] = fields
    return fields


def _country_code(value: object) -> str | None:
    return _COUNTRY_CODES.get(value) if isinstance(value, str) else None


def _regions(subdivisions: object, country: str | None) -> tuple[str, ...]:
    if not isinstance(subdivisions, list):
        return ()
    regions = []
    for subdivision in subdivisions:
        if not isinstance(subdivision, dict):
            continue
        region = _region_code(subdivision.get("iso_code"), country)
        if region is None and country is not None:
            region = _named_region(subdivision.get("names"), country)
        if region is not None:
            regions.append(region)
    return tuple(regions)


def _named_region(names: object, country: str) -> str | None:
    """DB-IP gives subdivisions names and no code: the English name, mapped with pycountry."""
    name = names.get("en") if isinstance(names, dict) else None
    return region_code(country, name) if isinstance(name, str) else None


def _region_code(code: object, country: str | None) -> str | None:
    """``"43"`` with country ``UA`` -> ``"UA-43"``; a code that is already full is kept."""
    if not isinstance(code, str) or not code.isascii():
        return None
    prefix, dash, suffix = code.rpartition("-")
    if dash:
        country = _country_code(prefix)
    if country is None or not 0 < len(suffix) <= 3 or not suffix.isalnum():
        return None
    return f"{country}-{suffix.upper()}"


def _as_number(value: object) -> int | None:
    if isinstance(value, str):
        digits = value[2:] if value[:2].upper() == "AS" else value
        if not (0 < len(digits) <= 10 and digits.isascii() and digits.isdigit()):
            return None
        value = int(digits)
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= _ASN_MAX:
        return value
    return None


def detect_schema(database_type: str, records: list[object]) -> str:
    """Which publisher's layout a database has, from its metadata's ``database_type`` and a few
    of its records (for ``forewarn geoip info``; reading does not depend on it)."""
    kind = database_type.lower()
    if kind.startswith(("geoip2-", "geolite2-", "geoip-")):
        for word, name in (("asn", "asn"), ("enterprise", "enterprise"), ("city", "city"),
                           ("country", "country")):
            if word in kind:
                return f"maxmind-{name}"
        return "maxmind"
    if "dbip" in kind or "db-ip" in kind:
        return "dbip"
    if "ipinfo" in kind:
        return "ipinfo"
    return _schema_of_records([r for r in records if isinstance(r, dict)])


def _schema_of_records(records: list[dict[Any, Any]]) -> str:
    if any("country_code" in r and "asn" in r for r in records):
        return "ipinfo"
    if any("country_code" in r for r in records):
        return "ip-location-db"
    subdivisions = [s for r in records for s in r.get("subdivisions") or () if isinstance(s, dict)]
    if subdivisions and not any("iso_code" in s for s in subdivisions):
        return "dbip"
    if any(isinstance(r.get("country"), dict) for r in records):
        return "maxmind-compatible"
    if any("autonomous_system_number" in r for r in records):
        return "maxmind-asn"
    return "unknown"
