"""Open one MaxMind DB file, refuse it when it is unreadable or corrupt, and look addresses up."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import Self

import maxminddb
from maxminddb import InvalidDatabaseError

from geoip.errors import GeoDatabaseError
from geoip.schema import Answer, Fields, fields_for, record_answer

IPAddress = str | IPv4Address | IPv6Address
Source = str | os.PathLike[str]

# Probe addresses spread over the whole address space, so that opening touches many parts of
# the search tree and the records they lead to; plus the first records in tree order.
_PROBES_V4 = tuple(f"{first}.{255 - first}.{first}.1" for first in range(0, 256, 8))
_PROBES_V6 = (*(f"{first:x}00::1" for first in range(0, 256, 16)), "::1", "2001:db8::1")
_CHECKED_RECORDS = 64
_RECORD_SIZES = (24, 28, 32)
_DATA_SECTION_SEPARATOR = 16


@dataclass(frozen=True)
class DatabaseInfo:
    """What a database's metadata says about it (for healthz and ``forewarn geoip info``)."""

    path: Path
    database_type: str
    build_time: datetime
    ip_version: int
    node_count: int
    description: str


class GeoDatabase:
    """One open MaxMind DB file (memory-mapped by the C reader), checked at open.

    Raises GeoDatabaseError when the file is missing, unreadable, not a MaxMind DB, or fails
    the cheap checks at open (metadata sanity, probe look-ups, the first records of the tree).
    Safe to share between threads; ``lookup`` does no I/O beyond the memory map.
    """

    def __init__(self, path: Source) -> None:
        self._source = path  # errors name the file as the caller did
        self._path = Path(path)
        size = _file_size(path)
        self._reader = _open_reader(path)
        try:
            self._info = _check(self._reader, path, size)
        except GeoDatabaseError:
            self._reader.close()
            raise
        self._get = self._reader.get
        self._ipv4_only = self._info.ip_version == 4

    @property
    def path(self) -> Path:
        return self._path

    @property
    def info(self) -> DatabaseInfo:
        return self._info

    def lookup(self, ip: IPAddress) -> Fields | None:
        """What the database says about ``ip``, or None when it has no record for it.

        IPv4-mapped IPv6 addresses (``::ffff:192.0.2.7``) are looked up as IPv4. An IPv6
        address in an IPv4-only database is None. Corrupt data met on the way raises
        GeoDatabaseError. Strings go to the reader as they are (it raises ValueError for
        non-addresses but takes legacy forms such as ``1.2.3``): parse untrusted text first.
        """
        answer = self.answer(ip)
        return None if answer is None else fields_for(answer)

    def answer(self, ip: IPAddress) -> Answer | None:
        """``lookup`` as a plain tuple (country, regions, asn), for the request path."""
        if type(ip) is str:
            # Only a string with a colon and either a dot or "ffff" can be IPv4-mapped; parse
            # those alone, so the common case goes to the reader untouched.
            if ":" in ip and ("." in ip or "ffff" in ip.lower()):
                ip = _unmapped(ip)
        elif isinstance(ip, IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        try:
            record = self._get(ip)
        except InvalidDatabaseError as error:
            raise GeoDatabaseError(self._source, f"corrupt data: {error}") from error
        except ValueError:
            if self._ipv4_only and _is_ipv6(ip):
                return None
            raise
        return None if record is None else record_answer(record)

    def survey(self, limit: int = 2_000_000) -> tuple[list[object], int, bool]:
        """A few records, and how many networks have data: counted up to ``limit`` (then
        ``complete`` is False and the count is a lower bound). For ``forewarn geoip info``."""
        samples: list[object] = []
        count = 0
        try:
            for _network, record in self._reader:
                count += 1
                if len(samples) < 50 and count % 97 == 1:
                    samples.append(record)
                if count >= limit:
                    return samples, count, False
        except ValueError:  # networks the iterator cannot name (see _walk_first_records)
            return samples, count, False
        return samples, count, True

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GeoDatabase({os.fspath(self._source)!r})"


def _unmapped(text: str) -> IPAddress:
    try:
        address = IPv6Address(text)
    except ValueError:
        return text  # not an address: the reader says so in its own words
    return address.ipv4_mapped or text


def _is_ipv6(ip: IPAddress) -> bool:
    return ":" in ip if isinstance(ip, str) else ip.version == 6


def _file_size(name: Source) -> int:
    """Open the file once ourselves: the C reader's errors do not say why a file is unreadable."""
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
    except OSError as error:
        raise GeoDatabaseError(name, f"cannot read: {error.strerror or error}") from error
    if size == 0:
        raise GeoDatabaseError(name, "not a MaxMind DB file: the file is empty")
    return size


def _open_reader(name: Source) -> maxminddb.Reader:
    try:
        return maxminddb.open_database(name, maxminddb.MODE_AUTO)
    except InvalidDatabaseError as error:
        raise GeoDatabaseError(
            name, "not a MaxMind DB file (no valid metadata; truncated or another format)"
        ) from error
    except OSError as error:
        raise GeoDatabaseError(name, f"cannot read: {error.strerror or error}") from error
    except ValueError as error:
        raise GeoDatabaseError(name, f"not a MaxMind DB file: {error}") from error


def _check(reader: maxminddb.Reader, name: Source, size: int) -> DatabaseInfo:
    info = _info(reader, name)
    _check_tree_size(reader, name, size)
    _probe(reader, name, info.ip_version)
    _walk_first_records(reader, name)
    return info


def _info(reader: maxminddb.Reader, name: Source) -> DatabaseInfo:
    meta = reader.metadata()
    descriptions = meta.description if isinstance(meta.description, dict) else {}
    description = descriptions.get("en") or next(iter(descriptions.values()), "")
    try:
        build_time = datetime.fromtimestamp(meta.build_epoch, UTC)
    except (OverflowError, OSError, ValueError, TypeError) as error:
        raise GeoDatabaseError(name, f"bad metadata: build_epoch {meta.build_epoch!r}") from error
    if meta.ip_version not in (4, 6) or meta.record_size not in _RECORD_SIZES:
        raise GeoDatabaseError(
            name, f"bad metadata: ip_version {meta.ip_version}, record_size {meta.record_size}"
        )
    return DatabaseInfo(
        path=Path(name),
        database_type=str(meta.database_type),
        build_time=build_time,
        ip_version=int(meta.ip_version),
        node_count=int(meta.node_count),
        description=str(description),
    )


def _check_tree_size(reader: maxminddb.Reader, name: Source, size: int) -> None:
    meta = reader.metadata()
    tree_size = meta.node_count * meta.record_size // 4
    if meta.node_count <= 0 or tree_size + _DATA_SECTION_SEPARATOR > size:
        raise GeoDatabaseError(
            name, f"corrupt MaxMind DB file: {meta.node_count} nodes do not fit in {size} bytes"
        )


def _probe(reader: maxminddb.Reader, name: Source, ip_version: int) -> None:
    probes = _PROBES_V4 + _PROBES_V6 if ip_version == 6 else _PROBES_V4
    for address in probes:
        try:
            reader.get(address)
        # Every probe is a valid address for this database, so any exception at all means the
        # file cannot be used; it is reported with the reader's own words, not swallowed.
        except Exception as error:
            raise GeoDatabaseError(name, f"corrupt MaxMind DB file: {error}") from error


def _walk_first_records(reader: maxminddb.Reader, name: Source) -> None:
    try:
        for _network in islice(reader, _CHECKED_RECORDS):
            pass
    except UnicodeDecodeError as error:
        raise GeoDatabaseError(name, f"corrupt MaxMind DB file: {error}") from error
    except ValueError:
        # The reader's iterator cannot name some networks in unusual but valid trees (an IPv6
        # database whose IPv4 part ends above /96); the look-ups themselves work there.
        return
    except Exception as error:
        raise GeoDatabaseError(name, f"corrupt MaxMind DB file: {error}") from error
