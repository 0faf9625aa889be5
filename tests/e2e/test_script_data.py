"""Data a page's scripts load, answered under an HTML type (PHP's default for what it echoes),
reaches them as the origin sent it: JSON a script fetches (Chromium marks it ``Sec-Fetch-Dest:
empty``; ``is_script_data`` in webapp/pages.py) and JSONP a ``<script>`` loads (``script``: a
subresource, never a page). The page itself, and the same address opened as a page, get the
notice."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ReaderFactory
from tests.support import LiveServer

RUSSIA = "192.0.2.10"


def test_json_the_page_fetches_parses_and_the_page_has_its_notice(
    reader: ReaderFactory, forewarn_proxy: LiveServer
) -> None:
    page = reader(RUSSIA, servers=(forewarn_proxy.url,)).page
    with page.expect_response("**/pages/comments-count.html") as fetched:
        page.goto(f"{forewarn_proxy.url}/pages/fetches-json.html")
    assert fetched.value.headers["x-forewarn-notices"] == "none"
    expect(page.locator("#count")).to_have_text("12 comments")
    expect(page.locator("#likes")).to_have_text("7 likes")
    assert page.locator('section.forewarn-notice[data-notice-id="ru-undesirable"]').is_visible()


@pytest.mark.parametrize("name", ["comments-count", "likes-jsonp"])
def test_the_same_address_opened_as_a_page_gets_the_notice(
    reader: ReaderFactory, forewarn_proxy: LiveServer, name: str
) -> None:
    page = reader(RUSSIA, servers=(forewarn_proxy.url,)).page
    response = page.goto(f"{forewarn_proxy.url}/pages/{name}.html")
    assert response is not None
    assert response.headers["x-forewarn-notices"] == "ru-undesirable"
    assert page.locator('section.forewarn-notice[data-notice-id="ru-undesirable"]').is_visible()
