"""JSON that a page's own script fetches, answered under an HTML type (PHP's default for what it
echoes), reaches the script as the origin sent it: Chromium marks the fetch ``Sec-Fetch-Dest:
empty``, and Forewarn puts no block in front of data (webapp/pages.py, ``is_script_data``). The
page itself, and the same address opened as a page, get the notice."""

from __future__ import annotations

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
    assert page.locator('section.forewarn-notice[data-notice-id="ru-undesirable"]').is_visible()


def test_the_same_address_opened_as_a_page_gets_the_notice(
    reader: ReaderFactory, forewarn_proxy: LiveServer
) -> None:
    page = reader(RUSSIA, servers=(forewarn_proxy.url,)).page
    response = page.goto(f"{forewarn_proxy.url}/pages/comments-count.html")
    assert response is not None
    assert response.headers["x-forewarn-notices"] == "ru-undesirable"
    assert page.locator('section.forewarn-notice[data-notice-id="ru-undesirable"]').is_visible()
