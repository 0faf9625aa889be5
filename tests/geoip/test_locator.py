"""Stacked databases: the first to answer a field wins; country and regions travel together."""

from __future__ import annotations

from ipaddress import IPv4Address, ip_address
from pathlib import Path

import pytest

from geoip.errors import GeoDatabaseError
from geoip.location import UNKNOWN, Location
from geoip.locator import Locator
from tests.support import MakeMmdb

CITY = "GeoIP2-City-Test.mmdb"
ASN = "GeoLite2-ASN-Test.mmdb"
OVERRIDES = {
    "81.2.69.160/32": {"country": {"iso_code": "RU"}},
    "2.125.160.216/32": {"country": {"iso_code": "UA"}, "subdivisions": [{"iso_code": "43"}]},
    "81.2.69.162/32": {"traits": {"autonomous_system_number": 64501}},
}


@pytest.fixture
def stack(maxmind_dir: Path, make_mmdb: MakeMmdb) -> list[Path]:
    """Overrides first, then MaxMind's City and ASN test databases."""
    return [make_mmdb("overrides.mmdb", OVERRIDES), maxmind_dir / CITY, maxmind_dir / ASN]


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        pytest.param(
            "81.2.69.160",
            Location("RU", (), None, (("country", "overrides.mmdb"),)),
            id="override-country-keeps-its-own-empty-regions",
        ),
        pytest.param(
            "2.125.160.216",
            Location(
                "UA",
                ("UA-43",),
                None,
                (("country", "overrides.mmdb"), ("regions", "overrides.mmdb")),
            ),
            id="override-region-replaces-the-later-databases-regions",
        ),
        pytest.param(
            "81.2.69.142",
            Location("GB", ("GB-ENG",), None, (("country", CITY), ("regions", CITY))),
            id="falls-through-to-city",
        ),
        pytest.param(
            "149.101.100.1",
            Location("US", (), 6167, (("country", CITY), ("asn", ASN))),
            id="asn-from-the-asn-database",
        ),
        pytest.param(
            "1.0.0.1", Location(None, (), 15169, (("asn", ASN),)), id="asn-only-is-not-known"
        ),
        pytest.param(
            "::ffff:149.101.100.1",
            Location("US", (), 6167, (("country", CITY), ("asn", ASN))),
            id="ipv4-mapped",
        ),
    ],
)
def test_the_first_database_to_answer_each_field_wins(
    stack: list[Path], ip: str, expected: Location
) -> None:
    with Locator(stack) as locator:
        assert locator.locate(ip) == expected
        assert locator.locate(ip_address(ip)) == expected


def test_a_later_asn_completes_an_earlier_country(maxmind_dir: Path, make_mmdb: MakeMmdb) -> None:
    overrides = make_mmdb("o.mmdb", {"149.101.100.0/28": {"country": {"iso_code": "DE"}}})
    with Locator([overrides, maxmind_dir / CITY, maxmind_dir / ASN]) as locator:
        location = locator.locate("149.101.100.1")
    assert location == Location("DE", (), 6167, (("country", "o.mmdb"), ("asn", ASN)))


def test_an_earlier_asn_is_kept_when_a_later_database_gives_the_country(
    stack: list[Path],
) -> None:
    with Locator(stack) as locator:
        location = locator.locate("81.2.69.162")
    sources = (("country", CITY), ("regions", CITY), ("asn", "overrides.mmdb"))
    assert location == Location("GB", ("GB-ENG",), 64501, sources)


def test_regions_without_a_country_are_used_only_when_no_database_has_a_country(
    make_mmdb: MakeMmdb,
) -> None:
    regions_only = make_mmdb("r.mmdb", {"192.0.2.0/24": {"subdivisions": [{"iso_code": "UA-43"}]}})
    country = make_mmdb("c.mmdb", {"192.0.2.0/25": {"country_code": "RU"}})
    with Locator([regions_only, country]) as locator:
        assert locator.locate("192.0.2.1") == Location("RU", (), None, (("country", "c.mmdb"),))
        alone = locator.locate("192.0.2.200")
    assert alone == Location(None, ("UA-43",), None, (("regions", "r.mmdb"),))
    assert alone.known


@pytest.mark.parametrize("ip", ["10.0.0.1", "::1", "2001:db8::1", ip_address("10.0.0.1"), None])
def test_an_address_no_database_knows_is_unknown(
    stack: list[Path], ip: str | IPv4Address | None
) -> None:
    with Locator(stack) as locator:
        assert locator.locate(ip) is UNKNOWN


def test_no_databases_means_everything_is_unknown() -> None:
    with Locator([]) as locator:
        assert locator.databases == ()
        assert locator.locate("81.2.69.160") is UNKNOWN


def test_databases_are_described_in_order(stack: list[Path]) -> None:
    with Locator(iter(stack)) as locator:
        infos = locator.databases
    assert [info.path for info in infos] == stack
    assert [info.database_type for info in infos] == ["Test", "GeoIP2-City", "GeoLite2-ASN"]


def test_one_unusable_file_refuses_the_whole_stack(stack: list[Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.mmdb"
    with pytest.raises(GeoDatabaseError) as caught:
        Locator([*stack, missing])
    assert caught.value.path == missing


@pytest.mark.parametrize("address", ["81.2.69.160", "2.125.160.216", "81.2.69.162",
                                     "89.160.20.112", "2001:480::1", "198.18.0.7"])
def test_one_database_alone_answers_as_the_stacked_walk_does(
    stack: list[Path], address: str
) -> None:
    for path in stack:
        with Locator([path]) as locator:
            walked = locator._stacked(ip_address(address), locator._databases)
            assert locator.locate(ip_address(address)) == walked
            assert locator.locate(address) == walked  # and again, from what it remembered
