"""The preview says, per language, whether the block's own words are the language's or English:
on the side-by-side page for each language a notice is written in, and in the matrix's column
heads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support import TODAY
from webapp.app import create_app
from webapp.catalog.messages import message_ids
from webapp.engine import Engine
from webapp.settings import Settings

TOTAL = len(message_ids())
CATALOG = """
schema = 1
organization = "R"
[interface.kk]
"Read more" = "Әрі қарай"
[interface.de]
"Read more" = "Mehr lesen"
[[notices]]
id = "n"
everyone = true
severity = "info"
  [notices.text.en]
  title = "t"
  body = "b"
  [notices.text.kk]
  title = "t"
  body = "b"
  [notices.text.de]
  title = "t"
  body = "b"
  [notices.text.nl]
  title = "t"
  body = "b"
"""
EXPECTED = {"en": "own (the source language)", "kk": "own",
            "de": f"1 of {TOTAL} own, {TOTAL - 1} in English", "nl": "none of its own: English"}


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    catalog = tmp_path / "notices.toml"
    catalog.write_text(CATALOG, encoding="utf-8")
    engine = Engine(Settings(catalog=catalog, demo=True), clock=lambda: TODAY)
    return create_app(engine=engine).test_client()


def test_the_side_by_side_page_lists_each_languages_words(client: FlaskClient) -> None:
    page = client.get("/_forewarn/preview?path=/").get_data(as_text=True)
    listed = re.search(r'<ul class="pv-langs"[^>]*>(.*?)</ul>', page, re.S)
    assert listed is not None
    items = re.findall(r'<li>.*?<span class="pv-code">([\w-]+)</span>: '
                       r'<span class="(pv-warn)?">([^<]*)</span></li>', listed.group(1))
    assert [(code, status) for code, _warn, status in items] == list(EXPECTED.items())
    assert [code for code, warn, _status in items if warn] == ["de", "nl"]


def test_the_matrix_says_under_each_language_whose_words_it_gets(client: FlaskClient) -> None:
    page = client.get("/_forewarn/preview/matrix").get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", page, re.S)
    assert head is not None
    cells = re.findall(r'<span class="pv-code">([\w-]+)</span>(?: <span class="pv-words'
                       r'( pv-warn)?">words: ([^<]*)</span>)?', head.group(1))
    assert [(code, status) for code, _warn, status in cells] == list(EXPECTED.items())
    assert [code for code, warn, _status in cells if warn] == ["de", "nl"]
