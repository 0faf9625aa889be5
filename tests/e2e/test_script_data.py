"""Data a page's scripts load, answered under an HTML type (PHP's default for what it echoes),
reaches them as the origin sent it: JSON a script fetches (Chromium marks it ``Sec-Fetch-Dest:
empty``; ``is_script_data`` in webapp/pages.py) and JSONP a ``<script>`` loads (``script``: a
subresource, never a page). The page itself, and the same address opened as a page, get the
notice, also when the browser kept the data's answer (it varies on the header that made it
data)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from pytest_playwright.pytest_playwright import CreateContextCallback

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


def test_data_the_browser_kept_is_not_what_it_shows_for_the_address_opened_as_a_page(
    new_context: CreateContextCallback, forewarn_proxy: LiveServer
) -> None:
    """Chromium's cache keys on the URL: had the data's answer (no notice, kept ten minutes by
    the origin's Cache-Control) not varied on Sec-Fetch-Dest, opening its address would show it
    from the cache without the notice. A context of its own: the readers' contexts route every
    request, which turns the cache off."""
    context = new_context(extra_http_headers={"X-Forwarded-For": RUSSIA})
    page = context.new_page()
    with page.expect_response("**/pages/comments-count.html") as fetched:
        page.goto(f"{forewarn_proxy.url}/pages/fetches-json.html")
    expect(page.locator("#likes")).to_have_text("7 likes")
    assert fetched.value.headers["cache-control"] == "max-age=600, private"
    for name in ("comments-count", "likes-jsonp"):
        response = page.goto(f"{forewarn_proxy.url}/pages/{name}.html")
        assert response is not None
        assert response.headers["x-forewarn-notices"] == "ru-undesirable", name
        assert page.locator('section.forewarn-notice[data-notice-id="ru-undesirable"]').count()
