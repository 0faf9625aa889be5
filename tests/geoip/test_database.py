"""One MaxMind DB file: look-ups in MaxMind's own test databases, refusal of broken files."""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address, ip_address
from pathlib import Path

import maxminddb
import pytest

from geoip.database import GeoDatabase
from geoip.errors import GeoDatabaseError
from geoip.schema import NOTHING, Fields
from tests.support import MakeMmdb

BROKEN = [
    "GeoIP2-City-Test-Broken-Double-Format.mmdb",
    "GeoIP2-City-Test-Invalid-Node-Count.mmdb",
    "MaxMind-DB-test-broken-pointers-24.mmdb",
    "MaxMind-DB-test-broken-search-tree-24.mmdb",
]
GOOD = [
    "GeoIP2-City-Test.mmdb",
    "GeoIP2-Country-Test.mmdb",
    "GeoIP2-Enterprise-Test.mmdb",
    "GeoIP2-Precision-Enterprise-Test.mmdb",
    "GeoLite2-ASN-Test.mmdb",
    "GeoLite2-City-Test.mmdb",
    "GeoLite2-Country-Test.mmdb",
    "MaxMind-DB-no-ipv4-search-tree.mmdb",
    "MaxMind-DB-test-mixed-24.mmdb",
]


@pytest.mark.parametrize(
    ("database", "ip", "expected"),
    [
        ("GeoIP2-City-Test.mmdb", "81.2.69.160", Fields("GB", ("GB-ENG",))),
        ("GeoIP2-City-Test.mmdb", "2.125.160.216", Fields("GB", ("GB-ENG", "GB-WBK"))),
        ("GeoIP2-City-Test.mmdb", "2001:480:10::1", Fields("US", ("US-CA",))),
        ("GeoIP2-City-Test.mmdb", "2a02:cf40::1", Fields("NO")),
        ("GeoIP2-City-Test.mmdb", "1.1.1.1", None),
        ("GeoLite2-City-Test.mmdb", "81.2.69.160", Fields("GB", ("GB-ENG",))),
        ("GeoIP2-Country-Test.mmdb", "81.2.69.160", Fields("GB")),
        ("GeoLite2-Country-Test.mmdb", "81.2.69.160", Fields("GB")),
        ("GeoIP2-Enterprise-Test.mmdb", "1.231.232.7", Fields("UA", ("UA-43",), 28761)),
        ("GeoIP2-Precision-Enterprise-Test.mmdb", "1.231.232.7", Fields("UA", ("UA-43",), 28761)),
        ("GeoIP2-Precision-Enterprise-Test.mmdb", "55.0.0.2", Fields("UA", ("UA-30",), 15895)),
        ("GeoLite2-ASN-Test.mmdb", "1.0.0.1", Fields(asn=15169)),
        ("GeoLite2-ASN-Test.mmdb", "2400:4400::1", Fields(asn=237)),
        ("GeoLite2-ASN-Test.mmdb", "81.2.69.160", None),
    ],
)
def test_maxmind_test_databases_give_the_fields_in_their_source(
    maxmind_dir: Path, database: str, ip: str, expected: Fields | None
) -> None:
    with GeoDatabase(maxmind_dir / database) as db:
        assert db.lookup(ip) == expected
        assert db.lookup(ip_address(ip)) == expected


@pytest.mark.parametrize(
    "ip",
    [
        "::ffff:203.0.113.7",
        "::FFFF:203.0.113.7",
        "::ffff:cb00:7107",
        "0:0:0:0:0:ffff:cb00:7107",
        ip_address("::ffff:203.0.113.7"),
        ip_address("203.0.113.7"),
    ],
)
def test_ipv4_mapped_addresses_are_looked_up_as_ipv4(
    demo_mmdb: Path, ip: str | IPv4Address | IPv6Address
) -> None:
    # The reader itself finds nothing under ::ffff:0:0/96 in a database that has no alias there.
    assert maxminddb.open_database(demo_mmdb).get("::ffff:203.0.113.7") is None
    with GeoDatabase(demo_mmdb) as db:
        assert db.lookup(ip) == Fields("UA", ("UA-43",), 64505)


def test_ipv6_addresses_are_looked_up(demo_mmdb: Path) -> None:
    with GeoDatabase(demo_mmdb) as db:
        assert db.lookup("2001:db8:3::1") == Fields("UA", ("UA-43",), 64505)
        assert db.lookup(ip_address("2001:db8:1:ffff::1")) == Fields("RU", (), 64500)
        assert db.lookup("2001:db8:ffff::1") is None


def test_ipv6_in_an_ipv4_only_database_is_no_answer(make_mmdb: MakeMmdb) -> None:
    path = make_mmdb("v4.mmdb", {"192.0.2.0/24": {"country_code": "RU"}}, ip_version=4)
    with GeoDatabase(path) as db:
        assert db.info.ip_version == 4
        assert db.lookup("192.0.2.1") == Fields("RU")
        assert db.lookup("::ffff:192.0.2.1") == Fields("RU")
        assert db.lookup("2001:db8::1") is None
        assert db.lookup(ip_address("2001:db8::1")) is None


def test_ipv4_in_a_database_without_an_ipv4_tree_does_not_raise(maxmind_dir: Path) -> None:
    # The IPv4 part (::/96) falls inside ::/64, whose record is the string "::/64".
    with GeoDatabase(maxmind_dir / "MaxMind-DB-no-ipv4-search-tree.mmdb") as db:
        assert db.lookup("1.1.1.1") is NOTHING
        assert db.lookup("2001:db8::1") is None


def test_a_record_of_an_unknown_shape_is_an_empty_answer(maxmind_dir: Path) -> None:
    with GeoDatabase(maxmind_dir / "MaxMind-DB-test-mixed-24.mmdb") as db:
        assert db.lookup("1.1.1.1") is NOTHING  # {"ip": "::1.1.1.1"}
        assert db.lookup("1.1.1.0") is None


@pytest.mark.parametrize("text", ["banana", "", "1.2.3.4.5", "::ffff:1.2.3", "1.2.3.4/32"])
def test_a_string_that_is_not_an_address_raises_value_error(demo_mmdb: Path, text: str) -> None:
    with GeoDatabase(demo_mmdb) as db, pytest.raises(ValueError):
        db.lookup(text)


@pytest.mark.parametrize("name", GOOD)
def test_every_good_test_database_opens(maxmind_dir: Path, name: str) -> None:
    with GeoDatabase(maxmind_dir / name) as db:
        assert db.path == maxmind_dir / name
        assert db.info.node_count > 0


@pytest.mark.parametrize("name", BROKEN)
def test_every_broken_test_database_is_refused_at_open(maxmind_dir: Path, name: str) -> None:
    path = maxmind_dir / name
    with pytest.raises(GeoDatabaseError) as caught:
        GeoDatabase(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert caught.value.path == path
    assert "corrupt" in caught.value.message or "not a MaxMind DB" in caught.value.message


def _empty(path: Path, good: Path) -> None:
    path.write_bytes(b"")


def _first_half(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])


def _last_part(path: Path, good: Path) -> None:
    path.write_bytes(good.read_bytes()[-5000:])


def _middle_cut_out(path: Path, good: Path) -> None:
    data = good.read_bytes()
    path.write_bytes(data[:12000] + data[14000:])


def _text(path: Path, good: Path) -> None:
    path.write_text("network,country,region,asn\n")


def _zeros(path: Path, good: Path) -> None:
    path.write_bytes(b"\x00" * 100)


def _directory(path: Path, good: Path) -> None:
    path.mkdir()


def _missing(path: Path, good: Path) -> None:
    pass


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_empty, "not a MaxMind DB file: the file is empty"),
        (_first_half, "not a MaxMind DB file"),
        (_last_part, "not a MaxMind DB file"),
        (_middle_cut_out, "corrupt MaxMind DB file"),
        (_text, "not a MaxMind DB file"),
        (_zeros, "not a MaxMind DB file"),
        (_directory, "cannot read: Is a directory"),
        (_missing, "cannot read: No such file or directory"),
    ],
)
def test_unusable_files_are_refused_with_one_clear_line(
    maxmind_dir: Path, tmp_path: Path, make: Callable[[Path, Path], None], message: str
) -> None:
    path = tmp_path / "geo.mmdb"
    make(path, maxmind_dir / "GeoIP2-City-Test.mmdb")
    with pytest.raises(GeoDatabaseError) as caught:
        GeoDatabase(str(path))
    assert str(caught.value).startswith(f"{path}: {message}")
    assert "\n" not in str(caught.value)


def test_corrupt_data_found_by_a_lookup_is_a_database_error(make_mmdb: MakeMmdb) -> None:
    # Many records first, so the damaged one is past the records checked at open.
    networks: dict[str, object] = {
        f"10.0.{n}.0/24": {"country_code": "DE", "n": n} for n in range(100)
    }
    networks["223.1.2.0/24"] = {"country_code": "UA", "marker": 1.5}
    path = make_mmdb("damaged.mmdb", networks)
    # A double must be 8 bytes (control byte 0x68); say 4, as MaxMind's broken test file does.
    double = b"\x68" + struct.pack(">d", 1.5)
    path.write_bytes(path.read_bytes().replace(double, b"\x64" + double[1:]))
    with GeoDatabase(path) as db:
        assert db.lookup("10.0.99.1") == Fields("DE")
        with pytest.raises(GeoDatabaseError) as caught:
            db.lookup("223.1.2.3")
    assert str(caught.value).startswith(f"{path}: corrupt data: ")


def test_info_comes_from_the_metadata(maxmind_dir: Path) -> None:
    path = maxmind_dir / "GeoIP2-City-Test.mmdb"
    metadata = maxminddb.open_database(path).metadata()
    with GeoDatabase(path) as db:
        info = db.info
    assert info.path == path
    assert info.database_type == "GeoIP2-City"
    assert info.build_time == datetime.fromtimestamp(metadata.build_epoch, UTC)
    assert info.build_time.tzinfo is UTC
    assert (info.ip_version, info.node_count) == (6, 1547)
    assert info.description.startswith("GeoIP2 City Test Database")


@pytest.mark.parametrize(
    ("languages", "description", "expected"),
    [
        (("zh", "en"), {"zh": "小型数据库", "en": "English"}, "English"),
        (("ru",), {"ru": "Русский"}, "Русский"),
        ((), {}, ""),
    ],
)
def test_info_description_is_english_or_the_first_one(
    make_mmdb: MakeMmdb,
    languages: tuple[str, ...],
    description: dict[str, str],
    expected: str,
) -> None:
    networks = {"192.0.2.0/24": {"country_code": "RU"}}
    path = make_mmdb("d.mmdb", networks, languages=languages, description=description)
    with GeoDatabase(path) as db:
        assert db.info.description == expected


def test_a_closed_database_refuses_lookups(demo_mmdb: Path) -> None:
    with GeoDatabase(demo_mmdb) as db:
        pass
    with pytest.raises(ValueError):
        db.lookup("203.0.113.7")
