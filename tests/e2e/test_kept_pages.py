"""A reader's browser keeps pages the origin says it may (``max-age``, ``Expires``) and shows
them again without asking. A page decided for a reader's place must not be shown from such a
copy after the place changed (a reader who crossed a border, or whose VPN went off): Forewarn
cuts the browser's freshness to ``browser_max_age`` (0 by default), so the browser asks again,
and gets a 304 only when its copy is the variant the reader would get now."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.support import LiveServer

RUSSIA, GERMANY = "192.0.2.10", "198.51.100.10"
NOTICE = 'section.forewarn-notice[data-notice-id="ru-undesirable"]'
LINKS = {"kept-article": "#again", "kept-expires": "#expires"}


def _notices(page: Page) -> int:
    return page.locator(NOTICE).count()


@pytest.mark.parametrize("name", ["kept-article", "kept-expires"])
def test_a_reader_who_moved_gets_the_notice_of_where_they_are_now(
    new_context: CreateContextCallback, forewarn_proxy: LiveServer, name: str
) -> None:
    """Read in Germany, then, within the origin's ten minutes, in Russia: opened from a link,
    and by its address. A context of its own: the readers' contexts route every request, which
    turns the browser's cache off."""
    context = new_context(extra_http_headers={"X-Forwarded-For": GERMANY})
    page = context.new_page()
    url = f"{forewarn_proxy.url}/pages/{name}.html"
    first = page.goto(url)
    assert first is not None and first.headers["x-forewarn-notices"] == "none"
    assert _notices(page) == 0
    context.set_extra_http_headers({"X-Forwarded-For": RUSSIA})
    with page.expect_navigation() as clicked:
        page.click(LINKS[name])  # the link to this very address
    assert _notices(page) == 1, clicked.value.headers
    page.goto(url)
    assert _notices(page) == 1
