"""Networks CSV -> MaxMind DB: the round trip, every rule a row must keep, and atomic output."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path

import maxminddb
import pytest

from geoip.build import build_database
from geoip.database import GeoDatabase
from geoip.errors import GeoDatabaseError, NetworksCsvError
from geoip.schema import Fields
from tests.geoip.conftest import DEMO_CSV

HEADER = "network,country,region,asn\n"


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("203.0.113.7", Fields("UA", ("UA-43",), 64505)),
        ("::ffff:203.0.113.7", Fields("UA", ("UA-43",), 64505)),
        ("192.0.2.1", Fields("RU", (), 64500)),
        ("198.51.100.1", Fields("DE", (), 64501)),
        ("198.51.100.200", Fields("UA", (), 64504)),
        ("2001:db8:3::1", Fields("UA", ("UA-43",), 64505)),
        ("2001:db8:4:ffff::1", Fields("IR", (), 64503)),
        ("10.0.0.1", None),
        ("203.0.113.200", Fields("BY", (), 64506)),
        ("2001:db8:5::1", Fields("BY", (), 64506)),
        ("2001:db8:6::1", None),
    ],
)
def test_the_demo_networks_round_trip(demo_mmdb: Path, ip: str, expected: Fields | None) -> None:
    with GeoDatabase(demo_mmdb) as db:
        assert db.lookup(ip) == expected
        assert db.lookup(ip_address(ip)) == expected


def test_the_output_reads_as_a_geoip2_city_database(demo_mmdb: Path) -> None:
    with maxminddb.open_database(demo_mmdb) as reader:
        metadata = reader.metadata()
        crimea = reader.get("203.0.113.7")
        russia = reader.get("192.0.2.1")
    assert (metadata.database_type, metadata.ip_version) == ("Forewarn-City", 6)
    assert metadata.description == {"en": "Forewarn networks"}
    assert crimea == {
        "country": {"iso_code": "UA"},
        "subdivisions": [{"iso_code": "43"}],
        "traits": {"autonomous_system_number": 64505},
    }
    assert russia == {"country": {"iso_code": "RU"}, "traits": {"autonomous_system_number": 64500}}


def test_build_returns_the_number_of_networks(tmp_path: Path) -> None:
    out = tmp_path / "out.mmdb"
    assert build_database(DEMO_CSV, out, description="demo") == 12
    with GeoDatabase(out) as db:
        assert db.info.description == "demo"


def test_comments_blank_lines_spaces_crlf_and_a_bom_are_accepted(tmp_path: Path) -> None:
    csv = tmp_path / "n.csv"
    text = (
        "\ufeff# overrides for our office\r\n\r\n"
        "network, country, region, asn\r\n"
        "  # indented comment\r\n"
        '192.0.2.0/24, ua ,"UA-43", AS64505\r\n'
        "2001:db8::/32,RU,,\r\n"
        "198.51.100.7,DE,,\r\n"
    )
    csv.write_text(text, encoding="utf-8", newline="")
    out = tmp_path / "out.mmdb"
    assert build_database(csv, out) == 3
    with GeoDatabase(out) as db:
        assert db.lookup("192.0.2.9") == Fields("UA", ("UA-43",), 64505)
        assert db.lookup("2001:db8::1") == Fields("RU")
        assert db.lookup("198.51.100.7") == Fields("DE")
        assert db.lookup("198.51.100.8") is None


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "192.0.2.0/24,RU,,\n",
            1,
            "expected the header 'network,country,region,asn', got '192.0.2.0/24,RU,,'",
        ),
        (
            "network,country,asn\n192.0.2.0/24,RU,\n",
            1,
            "expected the header 'network,country,region,asn', got 'network,country,asn'",
        ),
        (HEADER + "192.0.2.300/24,RU,,\n", 2, "'192.0.2.300/24' is not a network"),
        (HEADER + ",RU,,\n", 2, "'' is not a network"),
        (HEADER + "fe80::%eth0/64,RU,,\n", 2, "'fe80::%eth0/64' is not a network"),
        (HEADER + "192.0.2.1/24,RU,,\n", 2, "'192.0.2.1/24' has host bits set"),
        (HEADER + "2001:db8::1/32,RU,,\n", 2, "'2001:db8::1/32' has host bits set"),
        (
            HEADER + "::ffff:192.0.2.0/120,RU,,\n",
            2,
            "'::ffff:192.0.2.0/120' is IPv4-mapped: write it as an IPv4 network",
        ),
        (HEADER + "192.0.2.0/24,XX,,\n", 2, "'XX' is not an ISO 3166-1 country code"),
        (HEADER + "192.0.2.0/24,UKR,,\n", 2, "'UKR' is not an ISO 3166-1 country code"),
        (HEADER + "192.0.2.0/24,,,\n", 2, "a country is required"),
        (HEADER + "192.0.2.0/24,UA,UA-99,\n", 2, "'UA-99' is not an ISO 3166-2 subdivision code"),
        (HEADER + "192.0.2.0/24,UA,43,\n", 2, "'43' is not an ISO 3166-2 subdivision code"),
        (HEADER + "192.0.2.0/24,UA,RU-MOW,\n", 2, "region 'RU-MOW' is not in country 'UA'"),
        (HEADER + "192.0.2.0/24,RU,,abc\n", 2, "'abc' is not an AS number"),
        (HEADER + "192.0.2.0/24,RU,,0\n", 2, "'0' is not an AS number"),
        (HEADER + "192.0.2.0/24,RU,,4294967296\n", 2, "'4294967296' is not an AS number"),
        (HEADER + "192.0.2.0/24,RU,,-5\n", 2, "'-5' is not an AS number"),
        (HEADER + "192.0.2.0/24,RU,\n", 2, "expected 4 columns, got 3"),
        (HEADER + "192.0.2.0/24,RU,,,\n", 2, "expected 4 columns, got 5"),
        (HEADER + "192.0.2.0/24,RU,,\n192.0.2.0/24,UA,,\n", 3, "network overlaps line 2"),
        (HEADER + "192.0.2.0/24,RU,,\n\n# x\n192.0.2.128/25,UA,,\n", 5, "network overlaps line 2"),
        (HEADER + "192.0.2.128/25,RU,,\n192.0.2.0/24,UA,,\n", 3, "network overlaps line 2"),
        (HEADER + "2001:db8::/48,RU,,\n2001:db8::/32,UA,,\n", 3, "network overlaps line 2"),
        (HEADER + "192.0.2.0/24,RU,,\n::c000:280/121,UA,,\n", 3, "network overlaps line 2"),
        (
            "# only a comment\n\n" + HEADER + "192.0.2.0/24,RU,,\n10.0.0.0/8,XX,,\n",
            5,
            "'XX' is not an ISO 3166-1 country code",
        ),
        (HEADER + '"192.0.2.0/24,RU,,\n', 2, "expected 4 columns, got 1"),
    ],
)
def test_the_first_bad_row_is_named_by_line(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    csv = tmp_path / "networks.csv"
    csv.write_text(text, encoding="utf-8")
    with pytest.raises(NetworksCsvError) as caught:
        build_database(csv, tmp_path / "out.mmdb")
    assert (caught.value.path, caught.value.line, caught.value.message) == (csv, line, message)
    assert str(caught.value) == f"{csv}:{line}: {message}"
    assert sorted(tmp_path.iterdir()) == [csv]


@pytest.mark.parametrize("text", ["", "# nothing yet\n\n", HEADER, HEADER + "# later\n"])
def test_a_file_without_networks_is_refused(tmp_path: Path, text: str) -> None:
    csv = tmp_path / "networks.csv"
    csv.write_text(text)
    with pytest.raises(NetworksCsvError) as caught:
        build_database(csv, tmp_path / "out.mmdb")
    assert str(caught.value) == f"{csv}: no networks"


def test_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    csv = tmp_path / "networks.csv"
    csv.write_bytes(HEADER.encode() + b"192.0.2.0/24,RU,,\n198.51.100.0/24,\xff,,\n")
    with pytest.raises(NetworksCsvError) as caught:
        build_database(csv, tmp_path / "out.mmdb")
    assert str(caught.value) == f"{csv}:3: not UTF-8 text"


def test_a_missing_csv_is_one_line_without_a_line_number(tmp_path: Path) -> None:
    csv = tmp_path / "missing.csv"
    with pytest.raises(NetworksCsvError) as caught:
        build_database(csv, tmp_path / "out.mmdb")
    assert caught.value.line == 0
    assert str(caught.value) == f"{csv}: cannot read: No such file or directory"


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.mmdb"
    build_database(DEMO_CSV, out)
    before = out.read_bytes()
    csv = tmp_path / "networks.csv"
    csv.write_text(HEADER + "192.0.2.0/24,XX,,\n")
    with pytest.raises(NetworksCsvError):
        build_database(csv, out)
    assert out.read_bytes() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["networks.csv", "out.mmdb"]


def test_a_new_build_replaces_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out.mmdb"
    build_database(DEMO_CSV, out)
    csv = tmp_path / "networks.csv"
    csv.write_text(HEADER + "203.0.113.0/24,RU,,\n")
    assert build_database(csv, out) == 1
    with GeoDatabase(out) as db:
        assert db.lookup("203.0.113.7") == Fields("RU")
        assert db.lookup("192.0.2.1") is None
    assert sorted(path.name for path in tmp_path.iterdir()) == ["networks.csv", "out.mmdb"]


def test_an_output_folder_that_does_not_exist_is_a_database_error(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "out.mmdb"
    with pytest.raises(GeoDatabaseError) as caught:
        build_database(DEMO_CSV, out)
    assert str(caught.value) == f"{out}: cannot write: No such file or directory"
