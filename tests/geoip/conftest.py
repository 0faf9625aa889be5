"""Fixtures for the geo tests: MaxMind's test databases in place, the demo database, and small
databases written on the spot."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from geoip.build import build_database
from tests.support import ROOT, SHARED_FIXTURES

MAXMIND = SHARED_FIXTURES / "maxmind"
DEMO_CSV = ROOT / "catalog" / "demo-networks.csv"

MakeMmdb = Callable[..., Path]


@pytest.fixture(scope="session")
def maxmind_dir() -> Path:
    """MaxMind's own test databases (TESTDATA.md), read where they are."""
    if not (MAXMIND / "GeoIP2-City-Test.mmdb").is_file():
        pytest.skip(f"MaxMind test databases not found in {MAXMIND} (see TESTDATA.md)")
    return MAXMIND


@pytest.fixture(scope="session")
def demo_mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """catalog/demo-networks.csv built into a database."""
    path = tmp_path_factory.mktemp("geoip") / "demo.mmdb"
    build_database(DEMO_CSV, path)
    return path


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
