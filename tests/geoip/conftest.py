"""Fixtures for the geo tests: the demo database built from its CSV (MaxMind's test databases
and small databases written on the spot come from tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geoip.build import build_database
from tests.support import ROOT

DEMO_CSV = ROOT / "catalog" / "demo-networks.csv"


@pytest.fixture(scope="session")
def demo_mmdb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """catalog/demo-networks.csv built into a database."""
    path = tmp_path_factory.mktemp("geoip") / "demo.mmdb"
    build_database(DEMO_CSV, path)
    return path
