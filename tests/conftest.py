"""Fixtures shared by every test: the demo geo database, settings, engine, app and client, and the
Chromium the browser tests drive, found and started as `forewarn preview --screenshot` does
(webapp/preview/browser.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from tests.lower_bounds import MODULE as LOWER_BOUNDS
from tests.lower_bounds import RUN, LowestRun
from tests.support import MAXMIND, TODAY, LiveServer, MakeMmdb
from webapp.app import create_app
from webapp.demo import demo_defaults, ensure_demo_database
from webapp.engine import Engine
from webapp.errors import BrowserMissing
from webapp.preview.browser import CHROMIUM_FLAGS, find_chromium
from webapp.settings import Settings, load_settings

# the lines the run ends with, gathered from every worker
pytest_plugins = ["tests.summary"]

# Hypothesis's per-example deadline is a wall-clock limit, and speed is measured in benchmarks,
# not asserted in tests: on two busy cores it failed examples that take 0.05 ms alone.
settings.register_profile("forewarn", deadline=None)
settings.load_profile("forewarn")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch: Debian's Chromium, headless, without background networking."""
    try:
        executable = find_chromium(os.environ)
    except BrowserMissing as missing:
        pytest.skip(f"{missing} (`make test` installs it when run as root)")
    return {**browser_type_launch_args, "executable_path": executable, "headless": True,
            "args": list(CHROMIUM_FLAGS)}


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built from catalog/demo-networks.csv the way `make run` builds it."""
    return ensure_demo_database(tmp_path_factory.mktemp("geo") / "demo-geo.mmdb")


@pytest.fixture(scope="session")
def demo_settings(demo_db: Path) -> Settings:
    return load_settings(environ={}, demo_defaults=demo_defaults(demo_db))


@pytest.fixture
def engine(demo_settings: Settings) -> Engine:
    return Engine(demo_settings, clock=lambda: TODAY)


@pytest.fixture
def app(engine: Engine) -> Flask:
    return create_app(engine=engine)


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    with app.test_client() as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(["--demo", "--workers", "2"],
                        tmp_path_factory.mktemp("live") / "forewarn.log")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def maxmind_dir() -> Path:
    """MaxMind's own test databases (TESTDATA.md), read where they are."""
    if not (MAXMIND / "GeoIP2-City-Test.mmdb").is_file():
        pytest.skip(f"MaxMind test databases not found in {MAXMIND} (see TESTDATA.md)")
    return MAXMIND


@pytest.fixture
def make_mmdb(tmp_path: Path) -> MakeMmdb:
    """Write a small database: ``make_mmdb("name.mmdb", {"192.0.2.0/24": record}, ...)``."""

    def make(
        name: str,
        networks: Mapping[str, Any],
        *,
        ip_version: int = 6,
        languages: tuple[str, ...] = ("en",),
        description: Mapping[str, str] | None = None,
    ) -> Path:
        writer = MMDBWriter(
            ip_version=ip_version,
            ipv4_compatible=ip_version == 6,
            database_type="Test",
            languages=list(languages),
            description=dict(description)
            if description is not None
            else {language: f"test {language}" for language in languages},
        )
        for network, record in networks.items():
            writer.insert_network(IPSet([network]), record)
        path = tmp_path / name
        writer.to_db_file(str(path))
        return path

    return make


# The slowest files first: pytest-xdist hands out files in this order, so the two corpus files
# (five minutes each) and the other browser tests start at once instead of ending the run.
SLOWEST_FIRST = ("tests/e2e/test_corpus", "tests/e2e/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest files first; the lower-bounds test last: it waits for the run it started at
    collection."""
    def order(item: pytest.Item) -> tuple[bool, int]:
        slow = next((rank for rank, prefix in enumerate(SLOWEST_FIRST)
                     if item.nodeid.startswith(prefix)), len(SLOWEST_FIRST))
        return item.nodeid.startswith(LOWER_BOUNDS), slow

    items.sort(key=order)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the unit tests at the lowest versions now, beside the rest of the suite (once per
    test run, whichever pytest-xdist worker collects first)."""
    if any(item.nodeid.startswith(LOWER_BOUNDS) for item in session.items) and not RUN:
        worker = getattr(session.config, "workerinput", None)
        RUN.append(LowestRun.start_once(worker["testrunuid"] if worker else None))
