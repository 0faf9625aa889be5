"""Databases in other publishers' layouts, written here with mmdb-writer following their
published field names (no official test files exist for them): DB-IP (regions by name only)
and IPinfo (country_code, "AS..." numbers); and the layout each database is detected as."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geoip.database import GeoDatabase
from geoip.locator import Locator
from geoip.regions import region_code
from geoip.schema import detect_schema
from tests.support import MakeMmdb
from webapp.cli import main


def dbip(country: str, *regions: str) -> dict[str, object]:
    """A DB-IP City Lite record: names everywhere, no subdivision codes."""
    return {"city": {"names": {"en": "Somewhere"}},
            "continent": {"code": "EU", "names": {"en": "Europe"}},
            "country": {"iso_code": country, "names": {"en": country}, "is_in_european_union":
                        False},
            "location": {"latitude": 44.9, "longitude": 34.1},
            "subdivisions": [{"names": {"en": name}} for name in regions]}


@pytest.mark.parametrize(("region_name", "code"), [
    ("Crimea", "UA-43"), ("Autonomous Republic of Crimea", "UA-43"),
    ("Avtonomna Respublika Krym", "UA-43"), ("Sevastopol", "UA-40"),
    ("Donetsk Oblast", "UA-14"), ("Luhansk", "UA-09"), ("Zaporizhzhia Oblast", "UA-23"),
    ("Kherson Oblast", "UA-65"), ("Kyiv City", "UA-30"),
])
def test_dbip_region_names_become_iso_codes(
    make_mmdb: MakeMmdb, region_name: str, code: str
) -> None:
    path = make_mmdb("dbip.mmdb", {"203.0.113.0/24": dbip("UA", region_name)})
    with Locator([path]) as locator:
        location = locator.locate("203.0.113.9")
    assert (location.country, location.regions) == ("UA", (code,))


def test_every_subdivision_level_is_read(make_mmdb: MakeMmdb) -> None:
    path = make_mmdb("levels.mmdb", {"192.0.2.0/24": {
        "country": {"iso_code": "GB"},
        "subdivisions": [{"iso_code": "ENG"}, {"iso_code": "LND"}]}})
    with Locator([path]) as locator:
        assert locator.locate("192.0.2.1").regions == ("GB-ENG", "GB-LND")


@pytest.mark.parametrize(("country", "name"), [("UA", "Atlantis"), ("UA", ""), ("XX", "Crimea"),
                                               ("UA", "x" * 10_000)])
def test_unknown_region_names_are_dropped_not_guessed(country: str, name: str) -> None:
    assert region_code(country, name) is None


def test_ipinfo_layout_gives_country_and_asn(make_mmdb: MakeMmdb) -> None:
    path = make_mmdb("ipinfo.mmdb", {"192.0.2.0/24": {
        "country": "Russia", "country_code": "RU", "continent": "Europe",
        "continent_code": "EU", "asn": "AS13238", "as_name": "YANDEX LLC",
        "as_domain": "yandex.ru"}})
    with Locator([path]) as locator:
        location = locator.locate("192.0.2.7")
    assert (location.country, location.asn) == ("RU", 13238)


@pytest.mark.parametrize(("record", "schema"), [
    (dbip("UA", "Crimea"), "dbip"),
    ({"country_code": "RU", "asn": "AS13238"}, "ipinfo"),
    ({"country_code": "RU"}, "ip-location-db"),
    ({"country": {"iso_code": "RU"}}, "maxmind-compatible"),
    ({"autonomous_system_number": 13238}, "maxmind-asn"),
    ({"weather": "cold"}, "unknown"),
])
def test_layout_detected_from_the_records(
    make_mmdb: MakeMmdb, record: dict[str, object], schema: str
) -> None:
    path = make_mmdb("any.mmdb", {"192.0.2.0/24": record})
    with GeoDatabase(path) as database:
        samples, count, complete = database.survey()
    assert detect_schema("Test", samples) == schema
    assert (count, complete) == (1, True)


@pytest.mark.parametrize(("name", "schema", "records"), [
    ("GeoIP2-City-Test.mmdb", "maxmind-city", 250),
    ("GeoIP2-Country-Test.mmdb", "maxmind-country", None),
    ("GeoIP2-Precision-Enterprise-Test.mmdb", "maxmind-enterprise", 59),
    ("GeoLite2-ASN-Test.mmdb", "maxmind-asn", 412),
])
def test_geoip_info_names_maxmind_layouts_and_counts_records(
    maxmind_dir: Path, capsys: pytest.CaptureFixture[str], name: str, schema: str,
    records: int | None,
) -> None:
    assert main(["geoip", "info", str(maxmind_dir / name)]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["schema"] == schema
    assert info["record_count_complete"] is True
    assert info["record_count"] > 0
    if records is not None:
        assert info["record_count"] == records
