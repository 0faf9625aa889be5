"""Fixtures shared by every test: the demo geo database, settings, engine, app and client, and the
Chromium the browser tests drive, found and started as `forewarn preview --screenshot` does
(webapp/browser.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.support import TODAY, LiveServer
from webapp.app import create_app
from webapp.browser import CHROMIUM_FLAGS, BrowserMissing, find_chromium
from webapp.demo import demo_defaults, ensure_demo_database
from webapp.engine import Engine
from webapp.settings import Settings, load_settings


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
