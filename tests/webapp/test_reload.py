"""Reloading through the engine and the app: a changed catalog, mirror list or database is used by
the next request; a bad one keeps the last good version and shows on healthz and in the metrics."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from geoip.build import build_database
from geoip.errors import GeoDatabaseError
from tests.support import ROOT, TODAY
from webapp import engine as engine_module
from webapp.app import create_app
from webapp.engine import Engine
from webapp.errors import CatalogError
from webapp.settings import load_settings

RUSSIA = "192.0.2.10"
TITLE = "Example Radio is an “undesirable organization” in Russia"


@pytest.fixture
def files(tmp_path: Path, demo_db: Path) -> tuple[Path, Path]:
    catalog = tmp_path / "notices.toml"
    shutil.copyfile(ROOT / "catalog" / "notices.toml", catalog)
    shutil.copyfile(ROOT / "catalog" / "mirrors.json", tmp_path / "mirrors.json")
    database = tmp_path / "geo.mmdb"
    shutil.copyfile(demo_db, database)
    return catalog, database


@pytest.fixture
def engine(files: tuple[Path, Path]) -> Engine:
    catalog, database = files
    settings = load_settings({"catalog": str(catalog), "geoip_dbs": [str(database)],
                              "trusted_proxies": ["127.0.0.0/8"], "ops_token": "ops-1234"},
                             environ={})
    return Engine(settings, clock=lambda: TODAY)


@pytest.fixture
def client(engine: Engine) -> FlaskClient:
    client = create_app(engine=engine).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer ops-1234"  # healthz's details, metrics
    return client


def replace_text(path: Path, old: str, new: str) -> None:
    temporary = path.with_suffix(".new")
    temporary.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    os.replace(temporary, path)


def fragment(client: FlaskClient, reader: str = RUSSIA) -> tuple[str, str]:
    response = client.get("/_forewarn/fragment?path=/a&lang=en",
                          headers={"X-Forwarded-For": reader})
    return response.headers["X-Forewarn-Notices"], response.get_data(as_text=True)


def test_an_edited_catalog_is_used_by_the_next_request(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path]
) -> None:
    replace_text(files[0], TITLE, "Example Radio: a new title")
    engine.reloader.check()
    notices, html = fragment(client)
    assert notices == "ru-undesirable"
    assert "Example Radio: a new title" in html and TITLE not in html


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('schema = 1', 'schema = = 1', "TOML"),
    ('countries = ["RU"]', 'countries = ["SU"]', "'SU'"),
    ('since = 2024-02-20', 'since = "yesterday"', "since"),
    ('jurisdictions = ["ru"]', 'jurisdictions = ["mars"]', "mars"),
])
def test_a_broken_catalog_keeps_the_last_good_one_and_shows_on_healthz(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path], old: str, new: str,
    problem: str,
) -> None:
    replace_text(files[0], old, new)
    engine.reloader.check()
    notices, html = fragment(client)
    assert notices == "ru-undesirable" and TITLE in html
    health = client.get("/_forewarn/healthz").get_json()
    assert health["status"] == "degraded"
    assert problem in health["catalog"]["last_error"]
    assert str(files[0]) in health["catalog"]["last_error"]
    metrics = client.get("/_forewarn/metrics").get_data(as_text=True)
    assert 'forewarn_reload_failures_total{kind="catalog"} 1.0' in metrics


def test_a_replaced_database_moves_readers_and_a_truncated_one_does_not(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path], tmp_path: Path
) -> None:
    database = files[1]
    csv = tmp_path / "moved.csv"
    csv.write_text("network,country,region,asn\n192.0.2.0/24,DE,,\n")
    build_database(csv, tmp_path / "moved.mmdb")
    os.replace(tmp_path / "moved.mmdb", database)
    engine.reloader.check()
    assert fragment(client)[0] == "none"

    broken = tmp_path / "broken.mmdb"
    broken.write_bytes(database.read_bytes()[:100])
    os.replace(broken, database)
    engine.reloader.check()
    assert fragment(client)[0] == "none"  # still the last good database
    health = client.get("/_forewarn/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["geoip"][0]["last_error"].startswith(str(database))
    assert health["geoip"][0]["age_days"] >= 0


def test_healthy_files_report_ok_with_no_error(client: FlaskClient) -> None:
    health = client.get("/_forewarn/healthz").get_json()
    assert health["status"] == "ok"
    assert health["catalog"]["last_error"] is None
    assert [entry["last_error"] for entry in health["geoip"]] == [None]


def test_a_decision_is_rendered_with_the_catalog_it_was_made_from(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    location = engine.locator.locate(RUSSIA)
    decision = engine.decide(location, "en")
    replace_text(files[0], TITLE, "Example Radio: a new title")
    engine.reloader.check()
    replace_text(files[0], "Example Radio: a new title", "Example Radio: a third title")
    engine.reloader.check()  # two reloads between deciding and rendering
    assert TITLE in engine.block(decision).html
    assert "a third title" in engine.block(engine.decide(location, "en")).html


BELARUS = "203.0.113.200"
NEW_MIRROR = "https://new-mirror.example.com/"


def rewrite_json(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document)
    temporary = path.with_suffix(".new")
    temporary.write_text(json.dumps(document), encoding="utf-8")
    os.replace(temporary, path)


def set_first_url(url: str) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["sites"][0]["available_alternatives"][0]["url"] = url
    return change


def test_a_changed_mirror_list_is_used_by_the_next_request(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path]
) -> None:
    mirrors = files[0].with_name("mirrors.json")
    assert NEW_MIRROR not in fragment(client, BELARUS)[1]
    rewrite_json(mirrors, set_first_url(NEW_MIRROR))
    engine.reloader.check()
    notices, html = fragment(client, BELARUS)
    assert notices == "by-extremist"
    assert f'href="{NEW_MIRROR}a"' in html  # deep-linked to the fragment's path=/a


def test_a_broken_mirror_list_keeps_the_last_good_catalog_until_it_is_fixed(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path]
) -> None:
    mirrors = files[0].with_name("mirrors.json")
    before = fragment(client, BELARUS)[1]
    rewrite_json(mirrors, set_first_url("ftp://new-mirror.example.com/"))
    engine.reloader.check()
    assert fragment(client, BELARUS)[1] == before
    health = client.get("/_forewarn/healthz").get_json()
    assert health["status"] == "degraded"
    assert health["catalog"]["last_error"] == (
        f"{mirrors}: sites[0].available_alternatives[0].url: must be an http(s) URL with a host "
        "(got 'ftp://new-mirror.example.com/')")
    metrics = client.get("/_forewarn/metrics").get_data(as_text=True)
    assert 'forewarn_reload_failures_total{kind="catalog"} 1.0' in metrics

    engine.reloader.check()  # the same broken version is not tried again
    metrics = client.get("/_forewarn/metrics").get_data(as_text=True)
    assert 'forewarn_reload_failures_total{kind="catalog"} 1.0' in metrics

    rewrite_json(mirrors, set_first_url(NEW_MIRROR))
    engine.reloader.check()
    assert f'href="{NEW_MIRROR}a"' in fragment(client, BELARUS)[1]
    assert client.get("/_forewarn/healthz").get_json()["status"] == "ok"


def test_a_deleted_mirror_list_keeps_the_last_good_catalog(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path]
) -> None:
    before = fragment(client, BELARUS)[1]
    files[0].with_name("mirrors.json").unlink()
    engine.reloader.check()
    assert fragment(client, BELARUS)[1] == before
    error = client.get("/_forewarn/healthz").get_json()["catalog"]["last_error"]
    assert error.startswith(f"{files[0]}: mirrors.by.source: cannot read ")


def test_a_new_mirror_list_named_by_an_edited_catalog_is_watched_too(
    client: FlaskClient, engine: Engine, files: tuple[Path, Path]
) -> None:
    catalog = files[0]
    fresh = catalog.with_name("fresh.json")
    fresh.write_text('{"version": 2, "sites": [', encoding="utf-8")  # not finished yet
    replace_text(catalog, 'source = "mirrors.json"', 'source = "fresh.json"')
    engine.reloader.check()
    assert client.get("/_forewarn/healthz").get_json()["status"] == "degraded"

    # The catalog itself is not touched again: only the file it now names is fixed.
    shutil.copyfile(catalog.with_name("mirrors.json"), fresh.with_suffix(".tmp"))
    os.replace(fresh.with_suffix(".tmp"), fresh)
    rewrite_json(fresh, set_first_url(NEW_MIRROR))
    engine.reloader.check()
    assert client.get("/_forewarn/healthz").get_json()["status"] == "ok"
    assert f'href="{NEW_MIRROR}a"' in fragment(client, BELARUS)[1]


def test_an_engine_started_while_the_catalog_is_broken_keeps_the_last_good_one(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    """What a gunicorn worker does when it boots (after a crash or a timeout) while an editor's
    catalog is broken: it starts with the master's last good catalog, degraded, instead of
    failing to boot (gunicorn then stops, and no reader gets anything)."""
    replace_text(files[0], "schema = 1", "schema = 2")
    with pytest.raises(CatalogError, match="schema"):
        Engine(engine.settings, clock=lambda: TODAY)  # no last good engine: the start fails
    worker = Engine(engine.settings, clock=lambda: TODAY, last_good=engine)
    client = create_app(engine=worker).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer ops-1234"
    notices, html = fragment(client)
    assert notices == "ru-undesirable" and TITLE in html
    health = client.get("/_forewarn/healthz").get_json()
    assert health["status"] == "degraded" and "schema" in health["catalog"]["last_error"]
    metrics = client.get("/_forewarn/metrics").get_data(as_text=True)
    assert 'forewarn_reload_failures_total{kind="catalog"} 1.0' in metrics
    replace_text(files[0], "schema = 2", "schema = 1")  # mended: the worker's reload takes it
    worker.reloader.check()
    assert client.get("/_forewarn/healthz").get_json()["status"] == "ok"


def test_an_engine_started_while_the_database_is_broken_keeps_the_last_good_one(
    engine: Engine, files: tuple[Path, Path]
) -> None:
    database = files[1]
    good = database.read_bytes()
    (database.parent / "cut.mmdb").write_bytes(good[: len(good) // 3])
    os.replace(database.parent / "cut.mmdb", database)
    with pytest.raises(GeoDatabaseError):
        Engine(engine.settings, clock=lambda: TODAY)
    worker = Engine(engine.settings, clock=lambda: TODAY, last_good=engine)
    client = create_app(engine=worker).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer ops-1234"
    assert fragment(client)[0] == "ru-undesirable"  # located by the last good database
    health = client.get("/_forewarn/healthz").get_json()
    assert health["status"] == "degraded" and health["geoip"][0]["last_error"]
    assert health["catalog"]["last_error"] is None


def test_a_catalog_replaced_while_the_engine_loads_it_is_loaded_again(
    engine: Engine, files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's save that lands while a worker boots (between reading the catalog and
    watching it) is not missed: the worker would otherwise serve the old notices under the new
    file's stamp until the next edit."""
    loaded = engine_module.load_and_log

    def load_then_edit(path: Path) -> Any:
        catalog = loaded(path)
        replace_text(files[0], TITLE, "Example Radio: saved while loading")
        return catalog

    monkeypatch.setattr(engine_module, "load_and_log", load_then_edit)
    worker = Engine(engine.settings, clock=lambda: TODAY)
    monkeypatch.undo()
    worker.reloader.check()
    html = fragment(create_app(engine=worker).test_client())[1]
    assert "Example Radio: saved while loading" in html and TITLE not in html
