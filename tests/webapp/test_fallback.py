"""The fallback blocks (webapp/fallback.py): each is what the fragment endpoint gives a reader at
an unknown place on a page in that language (the oracle is the endpoint, not the module), marked
as a fallback; written atomically with a manifest and a VCL copy; found stale by `forewarn check`
when the catalog or the day moved on; kept current by a running server, which fails to start on a
folder it cannot write and keeps the old files when a later write fails."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support import ROOT, TODAY
from webapp.catalog.check import catalog_sha256, fallback_warnings
from webapp.catalog.model import load_catalog
from webapp.engine import Engine
from webapp.errors import SettingsError
from webapp.fallback import MARKER, export, to_vcl
from webapp.settings import load_settings

UNLOCATED = "198.18.0.7"  # in no database
SHIPPED = ROOT / "catalog" / "notices.toml"
LANGS = ["en", "ru", "be", "fa"]  # the shipped catalog's page languages


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    folder.mkdir()
    shutil.copyfile(SHIPPED, folder / "notices.toml")
    shutil.copyfile(ROOT / "catalog" / "mirrors.json", folder / "mirrors.json")
    return folder / "notices.toml"


def unknown_reader_fragment(client: FlaskClient, lang: str | None) -> tuple[str, str]:
    query = "path=/" + (f"&lang={lang}" if lang else "")
    response = client.get(f"/_forewarn/fragment?{query}",
                          headers={"X-Forwarded-For": UNLOCATED})
    return response.headers["X-Forewarn-Notices"], response.get_data(as_text=True)


def unmarked(html: str) -> str:
    return re.sub(rf' {MARKER}="[0-9-]+"', "", html, count=1)


@pytest.mark.parametrize("lang", [*LANGS, None, "de", "ru-RU"])
def test_each_block_is_what_an_unknown_reader_gets_from_the_fragment_endpoint(
    client: FlaskClient, engine: Engine, tmp_path: Path, lang: str | None
) -> None:
    written = export(engine.catalog, "/_forewarn", tmp_path, TODAY)
    block = written.for_lang(lang)
    notices, html = unknown_reader_fragment(client, lang)
    assert html  # the shipped catalog shows its critical notice to an unknown reader
    assert unmarked((tmp_path / block.file).read_text(encoding="utf-8")) == html
    assert ", ".join(block.notice_ids) == notices
    expected_file = {None: "none", "de": "none", "ru-RU": "ru"}.get(lang, lang)
    assert block.file == f"{expected_file}.html"


def test_the_block_carries_its_marker_and_day_and_the_folder_its_manifest(
    engine: Engine, tmp_path: Path
) -> None:
    export(engine.catalog, "/_forewarn", tmp_path, TODAY)
    html = (tmp_path / "ru.html").read_text(encoding="utf-8")
    assert html.startswith(f'<aside class="forewarn" {MARKER}="2026-11-24" data-forewarn=')
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["day"] == "2026-11-24"
    assert manifest["catalog"]["sha256"] == catalog_sha256(Path(engine.catalog.path))
    assert list(manifest["languages"]) == [*LANGS, "none"]
    # unknown location on a Persian page: the notice for the page's language first (issue 16)
    assert manifest["languages"]["fa"]["notices"] == ["ir-hostile-media", "ru-undesirable"]
    assert (tmp_path / "forewarn.css").read_bytes() == (
        ROOT / "webapp" / "static" / "forewarn.css").read_bytes()


def test_files_are_readable_by_the_edge_and_no_temporary_file_is_left(
    engine: Engine, tmp_path: Path
) -> None:
    export(engine.catalog, "/_forewarn", tmp_path / "new", TODAY)  # the folder is created
    export(engine.catalog, "/_forewarn", tmp_path / "new", TODAY)  # and written again
    names = sorted(path.name for path in (tmp_path / "new").iterdir())
    assert names == sorted([*(f"{lang}.html" for lang in [*LANGS, "none"]), "forewarn.css",
                            "keep.js", "guard.js", "fallback.vcl", "manifest.json"])
    for path in (tmp_path / "new").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_the_vcl_holds_each_block_and_the_stylesheet_verbatim(engine: Engine, tmp_path: Path
                                                              ) -> None:
    written = export(engine.catalog, "/_forewarn", tmp_path, TODAY)
    vcl = (tmp_path / "fallback.vcl").read_text(encoding="utf-8")
    for block in written.blocks:
        assert '{"' + block.html + '"}' in vcl
    for lang in LANGS:
        assert f'req.http.X-Forewarn-Fallback-Lang == "{lang}"' in vcl
    for name in ("forewarn.css", "keep.js", "guard.js"):
        assert '{"' + (tmp_path / name).read_text(encoding="utf-8") + '"}' in vcl
        assert (tmp_path / name).read_bytes() == (ROOT / "webapp" / "static" / name).read_bytes()
    assert 'if (req.url ~ "/keep\\.js(\\?|$)")' in vcl
    with pytest.raises(ValueError, match="VCL long string"):
        to_vcl(written, 'a { content: "x"}', {})
    with pytest.raises(ValueError, match="VCL long string"):
        to_vcl(written, "", {"keep.js": 'f({"a": "b"});'})


def test_a_catalog_that_shows_nothing_to_unknown_readers_exports_empty_blocks(
    catalog_copy: Path, tmp_path: Path
) -> None:
    text = catalog_copy.read_text(encoding="utf-8").replace('unknown = "show"', 'unknown = "hide"')
    catalog_copy.write_text(text, encoding="utf-8")
    written = export(load_catalog(catalog_copy), "/_forewarn", tmp_path / "out", TODAY)
    assert (tmp_path / "out" / "en.html").read_text(encoding="utf-8") == ""
    assert written.for_lang("ru").notice_ids == ("ru-undesirable",)  # aimed at Russian pages


def test_fresh_files_are_not_stale(engine: Engine, tmp_path: Path) -> None:
    export(engine.catalog, "/_forewarn", tmp_path, TODAY)
    assert fallback_warnings(engine.catalog, tmp_path, "/_forewarn", TODAY) == ()
    # Exported yesterday, and no notice began or ended since: still good.
    later = TODAY + timedelta(days=1)
    assert fallback_warnings(engine.catalog, tmp_path, "/_forewarn", later) == ()


def test_check_warns_when_the_catalog_changed_after_the_export(
    capsys: pytest.CaptureFixture[str], catalog_copy: Path, tmp_path: Path
) -> None:
    from webapp.cli import main

    folder = tmp_path / "fallback"
    export(load_catalog(catalog_copy), "/_forewarn", folder, TODAY)
    assert main(["check", "--strict", "--fallback-dir", str(folder), str(catalog_copy)]) == 0
    catalog_copy.write_text(catalog_copy.read_text(encoding="utf-8").replace(
        "Example Radio", "Example Radio Europe"), encoding="utf-8")
    code = main(["check", "--strict", "--fallback-dir", str(folder), str(catalog_copy)])
    err = capsys.readouterr().err
    assert code == 1
    assert (f"forewarn: warning: {folder}: manifest.json: exported at " in err
            and f"from an older version of {catalog_copy}" in err)


def test_check_warns_when_a_notice_took_effect_after_the_export(
    catalog_copy: Path, tmp_path: Path
) -> None:
    text = catalog_copy.read_text(encoding="utf-8")
    catalog_copy.write_text(text.replace("since = 2024-02-20", "since = 2026-11-25"),
                            encoding="utf-8")
    catalog = load_catalog(catalog_copy)
    export(catalog, "/_forewarn", tmp_path, TODAY)  # before the notice's first day
    assert fallback_warnings(catalog, tmp_path, "/_forewarn", TODAY) == ()
    [warning] = fallback_warnings(catalog, tmp_path, "/_forewarn", date(2026, 11, 25))
    assert warning.key == "manifest.json"
    assert "exported for 2026-11-24: by 2026-11-25 a notice began or ended" in warning.message
    # What the oracle says: the block of that day is not the one exported.
    assert export(catalog, "/_forewarn", tmp_path / "then", date(2026, 11, 25)).for_lang(
        "en").html.replace("2026-11-25", "") != (tmp_path / "en.html").read_text(
        encoding="utf-8").replace("2026-11-24", "")


def test_check_warns_when_the_prefix_differs(engine: Engine, tmp_path: Path) -> None:
    export(engine.catalog, "/_forewarn", tmp_path, TODAY)
    [warning] = fallback_warnings(engine.catalog, tmp_path, "/_fw", TODAY)
    assert "exported for the prefix '/_forewarn', Forewarn serves under '/_fw'" in str(warning)


def test_check_warns_about_a_missing_export_and_a_changed_file(engine: Engine, tmp_path: Path
                                                               ) -> None:
    [missing] = fallback_warnings(engine.catalog, tmp_path / "nowhere", "/_forewarn", TODAY)
    assert missing.key == "manifest.json" and "no fallback blocks have been exported" in str(
        missing)
    export(engine.catalog, "/_forewarn", tmp_path, TODAY)
    (tmp_path / "fa.html").write_text("<p>edited by hand</p>", encoding="utf-8")
    (tmp_path / "ru.html").unlink()
    warnings = fallback_warnings(engine.catalog, tmp_path, "/_forewarn", TODAY)
    assert [(warning.key, warning.message.split(";")[0]) for warning in warnings] == [
        ("ru.html", "missing"), ("fa.html", "changed since the export")]


def served_engine(catalog: Path, demo_db: Path, folder: Path, clock: list[date]) -> Engine:
    settings = load_settings({"catalog": str(catalog), "geoip_dbs": [str(demo_db)],
                              "fallback_dir": str(folder)}, environ={})
    return Engine(settings, clock=lambda: clock[0])


def test_a_server_writes_them_at_start_and_after_a_catalog_reload_or_a_new_day(
    catalog_copy: Path, demo_db: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "fallback"
    today = [TODAY]
    engine = served_engine(catalog_copy, demo_db, folder, today)
    assert "Example Radio" in (folder / "en.html").read_text(encoding="utf-8")
    temporary = catalog_copy.with_suffix(".new")
    temporary.write_text(catalog_copy.read_text(encoding="utf-8").replace(
        "Example Radio", "Example Radio Europe"), encoding="utf-8")
    os.replace(temporary, catalog_copy)
    engine.reloader.check()
    assert "Example Radio Europe" in (folder / "en.html").read_text(encoding="utf-8")
    today[0] = TODAY + timedelta(days=1)
    engine.reloader.check()
    assert json.loads((folder / "manifest.json").read_text())["day"] == "2026-11-25"


def test_a_folder_the_server_cannot_write_fails_its_start(
    catalog_copy: Path, demo_db: Path, tmp_path: Path
) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(SettingsError, match=r"fallback_dir: cannot write"):
        served_engine(catalog_copy, demo_db, tmp_path / "file" / "fallback", [TODAY])


def test_a_write_that_fails_later_keeps_the_files_and_is_logged_and_counted(
    catalog_copy: Path, demo_db: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "fallback"
    today = [TODAY]
    engine = served_engine(catalog_copy, demo_db, folder, today)
    before = (folder / "ru.html").read_text(encoding="utf-8")
    (folder / "en.html").unlink()
    (folder / "en.html").mkdir()  # the first file cannot be replaced (even by root)
    today[0] = TODAY + timedelta(days=1)
    with caplog.at_level(logging.WARNING, logger="forewarn"):
        engine.reloader.check()
    assert (folder / "ru.html").read_text(encoding="utf-8") == before
    assert json.loads((folder / "manifest.json").read_text())["day"] == "2026-11-24"
    assert "fallback blocks not written" in caplog.text
    assert b'forewarn_reload_failures_total{kind="fallback"} 1.0' in engine.metrics.render()
    assert not [path for path in folder.iterdir() if path.name.startswith(".")]


def test_export_fallback_on_the_command_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from webapp.cli import main

    code = main(["export", "fallback", "--demo", "--dir", str(tmp_path), "--date", "2026-11-24"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"{tmp_path / 'fa.html'}: ir-hostile-media ru-undesirable\n" in out
    assert json.loads((tmp_path / "manifest.json").read_text())["day"] == "2026-11-24"


@pytest.mark.parametrize(("argv", "message"), [
    (["export", "fallback", "--demo"], "say where with --dir DIR"),
    (["export", "fallback", "--demo", "--dir", "x", "--date", "2026-02-30"], "is not a date"),
    (["export"], "required"),
])
def test_export_usage_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    from webapp.cli import main

    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1
