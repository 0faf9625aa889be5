"""The cache workload's readers (bench/cache.py): where they are, in what shares, and the geo
database they are placed with, read back through Forewarn's own locator."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.cache import lua_script, networks_csv, places
from geoip.build import build_database
from geoip.locator import Locator
from webapp.reader.address import parse_address


def test_a_third_of_the_readers_are_at_risk_among_fifty_countries() -> None:
    found = places()
    assert sum(p.share for p in found) == pytest.approx(1.0)
    assert sum(p.share for p in found if p.notices != "none") == pytest.approx(1 / 3, abs=1e-3)
    assert len({p.country for p in found}) == 50  # Crimea is a region of one of them
    assert len({p.network for p in found}) == len(found)


def test_the_geo_database_places_each_reader_where_the_workload_says(tmp_path: Path) -> None:
    csv = tmp_path / "networks.csv"
    csv.write_text(networks_csv(places()))
    build_database(csv, tmp_path / "places.mmdb")
    locator = Locator((tmp_path / "places.mmdb",))
    for place in places():
        address = parse_address(f"{place.network}.7.9")
        assert address is not None
        location = locator.locate(address)
        assert location.country == place.country
        assert location.regions == ((f"{place.country}-{place.region}",) if place.region else ())


def test_the_wrk_script_carries_every_place(tmp_path: Path) -> None:
    script = lua_script(places(), seed=1, limit=50, marks=tmp_path)
    assert script.count('{"10.') == len(places())
    assert "local urls, zipf_s, seed, limit = 10000, 1.0, 1, 50" in script
