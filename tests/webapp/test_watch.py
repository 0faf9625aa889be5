"""Reloading geo databases: a replaced file is swapped in whole; a missing, truncated or broken
one keeps the last good database, is reported once, and clears when a good file returns."""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from geoip.database import GeoDatabase
from geoip.errors import GeoDatabaseError
from geoip.locator import Locator
from tests.geoip.test_database import BROKEN
from tests.support import MakeMmdb
from webapp.watch import Reloader

ADDRESS = "192.0.2.10"


@pytest.fixture
def watched(make_mmdb: MakeMmdb, tmp_path: Path) -> tuple[Path, Locator, Reloader, list[str]]:
    path = make_mmdb("geo.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "RU"}}})
    locator = Locator([path])
    failures: list[str] = []
    reloader = Reloader(60, failures.append)
    reloader.watch("geoip", path, GeoDatabase, locator.replace, (GeoDatabaseError,))
    return path, locator, reloader, failures


def put(source: Path, target: Path) -> None:
    """Replace ``target`` the safe way (a new file renamed over it), as `forewarn geoip fetch`
    and geoipupdate do."""
    temporary = target.with_suffix(".new")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def country(locator: Locator) -> str | None:
    return locator.locate(ADDRESS).country


def test_a_replaced_database_is_used_after_the_next_check(
    watched: tuple[Path, Locator, Reloader, list[str]], make_mmdb: MakeMmdb
) -> None:
    path, locator, reloader, failures = watched
    put(make_mmdb("new.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "DE"}}}), path)
    assert country(locator) == "RU"  # nothing changes between checks
    reloader.check()
    assert country(locator) == "DE"
    assert reloader.states[0].last_error is None and failures == []


@pytest.mark.parametrize("damage", ["truncated", "empty", "garbage", "deleted"])
def test_a_damaged_replacement_keeps_the_last_good_database(
    watched: tuple[Path, Locator, Reloader, list[str]], make_mmdb: MakeMmdb, damage: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    path, locator, reloader, failures = watched
    good = path.read_bytes()
    if damage == "deleted":
        path.unlink()
    else:
        broken = path.with_name("broken.mmdb")
        broken.write_bytes({"truncated": good[: len(good) // 2], "empty": b"",
                            "garbage": b"not a database " * 100}[damage])
        put(broken, path)
    with caplog.at_level(logging.WARNING, logger="forewarn"):
        reloader.check()
        reloader.check()  # the same broken version: not tried, nor logged, again
    assert country(locator) == "RU"
    assert reloader.states[0].last_error is not None
    assert str(path) in reloader.states[0].last_error
    assert failures == ["geoip"]
    assert len(caplog.records) == 1

    put(make_mmdb("fixed.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "DE"}}}), path)
    reloader.check()
    assert country(locator) == "DE"
    assert reloader.states[0].last_error is None


@pytest.mark.parametrize("name", BROKEN)
def test_each_broken_maxmind_test_database_is_refused_on_reload(
    watched: tuple[Path, Locator, Reloader, list[str]], maxmind_dir: Path, name: str
) -> None:
    path, locator, reloader, failures = watched
    put(maxmind_dir / name, path)
    reloader.check()
    assert country(locator) == "RU"
    assert failures == ["geoip"]


def test_the_background_thread_picks_the_change_up(
    make_mmdb: MakeMmdb,
) -> None:
    path = make_mmdb("geo.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "RU"}}})
    locator = Locator([path])
    reloader = Reloader(0.02)
    reloader.watch("geoip", path, GeoDatabase, locator.replace, (GeoDatabaseError,))
    reloader.ensure_running()
    assert reloader.thread_name in {thread.name for thread in threading.enumerate()}
    try:
        put(make_mmdb("new.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "DE"}}}), path)
        for _ in range(500):  # polled, a few checks' worth: no wall-clock assertion
            if country(locator) == "DE":
                break
            time.sleep(0.01)
        assert country(locator) == "DE"
    finally:
        reloader.stop()


def test_watching_can_be_turned_off() -> None:
    reloader = Reloader(0)
    reloader.ensure_running()
    assert reloader.thread_name not in {thread.name for thread in threading.enumerate()}
