"""Build a MaxMind DB file from an operator's networks CSV (``network,country,region,asn``).

The output reads like a GeoIP2 City database (``country.iso_code``, ``subdivisions[].iso_code``,
``traits.autonomous_system_number``), so any reader of that schema, Forewarn's included, can
use it. Every row is checked first; the file is then written to a temporary name beside the
destination and renamed over it, so a failed build leaves nothing behind.
"""

from __future__ import annotations

import csv
import os
import tempfile
from bisect import bisect_right
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_network
from operator import itemgetter
from pathlib import Path
from typing import Any

import pycountry
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from geoip.errors import GeoDatabaseError, NetworksCsvError

HEADER = ("network", "country", "region", "asn")
DATABASE_TYPE = "Forewarn-City"
_ASN_MAX = 2**32 - 1
_IPV4_MAPPED = IPv6Network("::ffff:0:0/96")


class _Problem(ValueError):
    """One row's problem; the reader adds the file and the line."""


@dataclass(frozen=True, slots=True)
class NetworkRow:
    """One row of a networks CSV: a network and what it is placed at."""

    network: IPv4Network | IPv6Network
    country: str
    region: str | None  # full ISO 3166-2 code
    asn: int | None

    def record(self) -> dict[str, Any]:
        """The GeoIP2 City shape: subdivision codes are only the part after the dash."""
        record: dict[str, Any] = {"country": {"iso_code": self.country}}
        if self.region is not None:
            record["subdivisions"] = [{"iso_code": self.region.split("-", 1)[1]}]
        if self.asn is not None:
            record["traits"] = {"autonomous_system_number": self.asn}
        return record


def build_database(
    csv_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    description: str = "Forewarn networks",
) -> int:
    """Write ``out_path`` from the networks in ``csv_path``; return how many were written.

    Raises NetworksCsvError naming the first bad line, GeoDatabaseError if the output cannot
    be written.
    """
    rows = read_networks(csv_path)
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,  # IPv4 networks go under ::/96, where readers look IPv4 up
        database_type=DATABASE_TYPE,
        languages=["en"],
        description={"en": description},
        int_type="u32",  # the type GeoIP2 uses for ASNs; readers give back a plain int
    )
    for row in rows:
        writer.insert_network(IPSet([str(row.network)]), row.record())
    _write_atomically(writer, Path(out_path))
    return len(rows)


def read_networks(csv_path: str | os.PathLike[str]) -> list[NetworkRow]:
    """Every row of the CSV in file order, checked; NetworksCsvError on the first problem."""
    rows: list[NetworkRow] = []
    spans = _Spans()
    header_seen = False
    for number, line in enumerate(_lines(csv_path), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            fields = _split(line)
            if header_seen:
                rows.append(_row(fields))
                spans.add(rows[-1].network, number)
            else:
                _check_header(fields)
                header_seen = True
        except _Problem as problem:
            raise NetworksCsvError(csv_path, number, str(problem)) from None
    if not rows:
        raise NetworksCsvError(csv_path, 0, "no networks")
    return rows


def _lines(csv_path: str | os.PathLike[str]) -> list[str]:
    try:
        data = Path(csv_path).read_bytes()
    except OSError as error:
        raise NetworksCsvError(csv_path, 0, f"cannot read: {error.strerror or error}") from error
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise NetworksCsvError(csv_path, line, "not UTF-8 text") from None
    # Physical lines, whichever line ends the file uses (splitlines() splits on more).
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _split(line: str) -> list[str]:
    try:
        fields = next(csv.reader([line]))
    except csv.Error as error:
        raise _Problem(f"not a CSV line: {error}") from None
    return [field.strip() for field in fields]


def _check_header(fields: list[str]) -> None:
    if tuple(fields) != HEADER:
        raise _Problem(f"expected the header {','.join(HEADER)!r}, got {','.join(fields)!r}")


def _row(fields: list[str]) -> NetworkRow:
    if len(fields) != len(HEADER):
        raise _Problem(f"expected {len(HEADER)} columns, got {len(fields)}")
    network_text, country_text, region_text, asn_text = fields
    network = _network(network_text)
    country = _country(country_text)
    region = _region(region_text, country) if region_text else None
    return NetworkRow(network, country, region, _asn(asn_text) if asn_text else None)


def _network(text: str) -> IPv4Network | IPv6Network:
    try:
        if "%" in text:  # a zone index names a link, not a network
            raise ValueError(text)
        network = ip_network(text)
    except ValueError:
        problem = "has host bits set" if _has_host_bits(text) else "is not a network"
        raise _Problem(f"{text!r} {problem}") from None
    if isinstance(network, IPv6Network) and network.subnet_of(_IPV4_MAPPED):
        raise _Problem(f"{text!r} is IPv4-mapped: write it as an IPv4 network")
    return network


def _has_host_bits(text: str) -> bool:
    try:
        ip_network(text, strict=False)
    except ValueError:
        return False
    return "%" not in text


def _country(text: str) -> str:
    if not text:
        raise _Problem("a country is required")
    country = pycountry.countries.get(alpha_2=text) if len(text) == 2 else None
    if country is None:
        raise _Problem(f"{text!r} is not an ISO 3166-1 country code")
    return str(country.alpha_2)


def _region(text: str, country: str) -> str:
    # pycountry's subdivision index is not typed
    subdivision = pycountry.subdivisions.get(code=text) if "-" in text else None
    if subdivision is None:
        raise _Problem(f"{text!r} is not an ISO 3166-2 subdivision code")
    if subdivision.country_code != country:
        raise _Problem(f"region {subdivision.code!r} is not in country {country!r}")
    return str(subdivision.code)


def _asn(text: str) -> int:
    digits = text[2:] if text[:2].upper() == "AS" else text
    if 0 < len(digits) <= 10 and digits.isascii() and digits.isdigit():
        number = int(digits)
        if 0 < number <= _ASN_MAX:
            return number
    raise _Problem(f"{text!r} is not an AS number")


class _Spans:
    """The networks seen so far as disjoint, sorted integer ranges, to find overlaps.

    IPv4 networks are stored in the tree under ::/96 with the same integer values, so IPv4 and
    IPv6 ranges share one line and an IPv6 row inside ::/96 overlaps the IPv4 rows it covers.
    """

    def __init__(self) -> None:
        self._spans: list[tuple[int, int, int]] = []  # first, last, line

    def add(self, network: IPv4Network | IPv6Network, line: int) -> None:
        first, last = int(network.network_address), int(network.broadcast_address)
        index = bisect_right(self._spans, first, key=itemgetter(0))
        for neighbour in self._spans[max(index - 1, 0) : index + 1]:
            if neighbour[0] <= last and first <= neighbour[1]:
                raise _Problem(f"network overlaps line {neighbour[2]}")
        self._spans.insert(index, (first, last, line))


def _write_atomically(writer: MMDBWriter, out: Path) -> None:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as error:
        raise GeoDatabaseError(out, f"cannot write: {error.strerror or error}") from error
    os.close(handle)
    try:
        writer.to_db_file(temporary)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the server may run as another user
        os.replace(temporary, out)
    except OSError as error:
        raise GeoDatabaseError(out, f"cannot write: {error.strerror or error}") from error
    finally:
        Path(temporary).unlink(missing_ok=True)
