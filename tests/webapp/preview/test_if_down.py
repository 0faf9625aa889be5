"""The preview's "If Forewarn is down" section: for each page language, the notices of the
fallback block every reader gets from an edge while Forewarn cannot answer (checked against the
matrix's unknown-location row, decided apart), and whether this server's export is current."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from flask.testing import FlaskClient

from tests.webapp.preview.test_matrix import csv_rows
from tests.webapp.preview.test_views import ARTICLE, _text, get_preview
from webapp.app import create_app
from webapp.engine import Engine

SECTION = re.compile(r'<section class="pv-down".*?</section>', re.S)


def section(page: str) -> str:
    found = SECTION.search(page)
    assert found, "no 'If Forewarn is down' section"
    return found.group(0)


def test_each_language_lists_the_notices_an_unknown_reader_gets(client: FlaskClient) -> None:
    shown = section(get_preview(client, f"path={ARTICLE}"))
    items = [_text(item) for item in re.findall(r"<li>(.*?)</li>", shown, re.S)]
    [unknown] = [row for row in csv_rows(client) if row["code"] == "unknown"]
    expected = [f"{name} {unknown[code] or 'none'}" for code, name in [
        ("en", "English"), ("ru", "Russian"), ("be", "Belarusian"), ("fa", "Persian"),
        ("none/other", "None or other")]]
    assert items == expected
    assert "the <code>fallback_dir</code> setting is not set" in shown


def test_the_servers_own_export_is_said_to_be_current_or_not(engine: Engine, tmp_path: Path
                                                             ) -> None:
    settings = replace(engine.settings, fallback_dir=tmp_path / "fallback")
    served = Engine(settings, clock=engine.clock)  # writes the blocks at start
    client = create_app(engine=served).test_client()
    assert f"Exported to <code>{tmp_path / 'fallback'}</code> and current" in section(
        get_preview(client, f"path={ARTICLE}"))
    (tmp_path / "fallback" / "ru.html").write_text("<p>edited</p>", encoding="utf-8")
    stale = section(get_preview(client, f"path={ARTICLE}"))
    assert "is not current: ru.html: changed since the export" in _text(stale)
