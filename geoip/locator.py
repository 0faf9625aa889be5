"""Stack several MaxMind DB files into one answer per address: the first database to answer a
field wins."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from typing import Self

from geoip.database import DatabaseInfo, GeoDatabase, IPAddress
from geoip.errors import GeoDatabaseError
from geoip.location import UNKNOWN, Location
from geoip.schema import Answer, Fields, fields_for

_Answer = tuple[Fields, str]  # what a database said, and the database file's name
_REMEMBERED = 65_536  # distinct answers whose Location is kept


class Locator:
    """Where an address probably is, from databases opened once at start, in order.

    Country and regions travel together, from the first database whose record has a country
    (a database that says RU must not be completed with UA-43 from a later one); when no
    database gives a country, regions come from the first one that gives any. The ASN comes
    from the first database that has one. An operator's overrides go first.

    Raises GeoDatabaseError when any file is unusable (the ones already opened are closed),
    unless ``last_good`` holds a database opened from the same path: that one is used instead and
    the error is kept in ``failed`` (a gunicorn worker booting while a file is bad starts with
    the master's last good version, as a reload would keep it). The open databases are held in
    one tuple, so that a reload can swap them in one step.
    """

    def __init__(self, paths: Iterable[str | os.PathLike[str]],
                 last_good: Locator | None = None) -> None:
        opened: list[GeoDatabase] = []
        self.failed: dict[str, GeoDatabaseError] = {}
        kept = {str(database.path): database
                for database in (last_good._databases if last_good is not None else ())}
        try:
            for path in paths:
                try:
                    opened.append(GeoDatabase(path))
                except GeoDatabaseError as error:
                    name = str(Path(path))
                    if name not in kept:
                        raise
                    opened.append(kept[name])
                    self.failed[name] = error
        except GeoDatabaseError:
            for database in opened:
                if database not in kept.values():
                    database.close()
            raise
        self._databases: tuple[GeoDatabase, ...] = tuple(opened)
        # With one database (the usual set-up), the Location for each distinct answer, made
        # once: the look-up is then the reader's get() and a dictionary look-up.
        self._located: dict[Answer, Location] = {}

    @property
    def databases(self) -> tuple[DatabaseInfo, ...]:
        return tuple(database.info for database in self._databases)

    @property
    def paths(self) -> tuple[os.PathLike[str], ...]:
        return tuple(database.path for database in self._databases)

    def replace(self, database: GeoDatabase) -> None:
        """Put ``database`` in the place of the one opened from the same path, in one step.

        The old one is not closed: a request in another thread may be inside its ``lookup``
        right now, and closing unmaps the file under it. It is released (and its map closed)
        when the last reference to it goes.
        """
        self._databases = tuple(database if old.path == database.path else old
                                for old in self._databases)
        self._located = {}

    def locate(self, ip: IPAddress | None) -> Location:
        """The stacked answer for ``ip``; ``UNKNOWN`` when no database answered (or no ip). A
        string must be an address already checked (the databases take legacy forms too)."""
        if ip is None:
            return UNKNOWN
        databases = self._databases  # one read: a reload swaps the whole tuple
        if len(databases) == 1:
            answer = databases[0].answer(ip)
            if answer is None:
                return UNKNOWN
            located = self._located.get(answer)
            return located if located is not None else self._one(answer, databases[0])
        return self._stacked(ip, databases)

    def _one(self, answer: Answer, database: GeoDatabase) -> Location:
        """The Location one database's answer gives, remembered (bounded, for odd files)."""
        fields, name = fields_for(answer), database.path.name
        place = (fields, name) if fields.country is not None else None
        regions = (fields, name) if place is None and fields.regions else None
        located = _location(place or regions, (fields, name) if fields.asn is not None else None)
        if len(self._located) >= _REMEMBERED:
            self._located = {}
        self._located[answer] = located
        return located

    def _stacked(self, ip: IPAddress, databases: tuple[GeoDatabase, ...]) -> Location:
        place: _Answer | None = None  # a country, with that database's regions
        regions: _Answer | None = None  # regions without a country, used only if no country
        asn: _Answer | None = None
        for database in databases:
            fields = database.lookup(ip)
            if fields is None:
                continue
            if place is None and fields.country is not None:
                place = (fields, database.path.name)
            elif regions is None and fields.regions:
                regions = (fields, database.path.name)
            if asn is None and fields.asn is not None:
                asn = (fields, database.path.name)
            if place is not None and asn is not None:
                break
        return _location(place or regions, asn)

    def close(self) -> None:
        for database in self._databases:
            database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _location(place: _Answer | None, asn: _Answer | None) -> Location:
    if place is None and asn is None:
        return UNKNOWN
    sources: list[tuple[str, str]] = []
    country: str | None = None
    regions: tuple[str, ...] = ()
    if place is not None:
        fields, name = place
        country, regions = fields.country, fields.regions
        if country is not None:
            sources.append(("country", name))
        if regions:
            sources.append(("regions", name))
    number = None
    if asn is not None:
        number = asn[0].asn
        sources.append(("asn", asn[1]))
    return Location(country, regions, number, tuple(sources))
