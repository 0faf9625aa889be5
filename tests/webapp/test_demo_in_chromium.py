"""The newer notices as Chromium lays them out (the demo server, Debian's Chromium through
Playwright): the Belarus notice's three languages read left to right, and in a right-to-left
block the mirror links sit on the right like the text around them. (Kept here, not in
tests/e2e, while that folder is being rewritten; same browser set-up.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support import LiveServer

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "webapp-demo-in-chromium"


@pytest.fixture(scope="module")
def chromium(browser: Browser) -> Browser:
    """pytest-playwright's Chromium, launched as tests/conftest.py says."""
    return browser


def open_as(chromium: Browser, server: LiveServer, path: str, address: str) -> Page:
    context = chromium.new_context(viewport={"width": 1280, "height": 900},
                                   extra_http_headers={"X-Forwarded-For": address})
    page = context.new_page()
    page.goto(server.url + path)
    page.locator("section.forewarn-notice").first.wait_for(state="visible")
    return page


def test_a_reader_in_belarus_reads_three_left_to_right_languages(
    chromium: Browser, live_demo: LiveServer
) -> None:
    page = open_as(chromium, live_demo, "/articles/library-winter", "203.0.113.200")
    page.locator("details.forewarn-languages > summary").click()
    texts = page.locator("section.forewarn-notice, .forewarn-translation")
    seen = [(texts.nth(i).get_attribute("lang"),
             texts.nth(i).evaluate("el => getComputedStyle(el).direction"))
            for i in range(texts.count())]
    assert seen == [("en", "ltr"), ("be", "ltr"), ("ru", "ltr")]
    page.locator("details.forewarn-onion > summary").click()  # the long onion address too
    no_overflow = "() => document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(no_overflow), "a long onion address must not widen the page"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "belarus.png"), full_page=True)
    page.context.close()


def test_mirror_links_in_a_right_to_left_notice_start_on_the_right(
    chromium: Browser, live_demo: LiveServer
) -> None:
    page = open_as(chromium, live_demo, "/articles/river-teahouse", "198.51.100.1")
    block = page.locator("aside.forewarn[dir=rtl]")
    box = block.bounding_box()
    assert box is not None
    right = box["x"] + box["width"]
    links = block.locator("a.forewarn-mirror").all()
    assert len(links) == 2
    for link in links:
        # where the link's text is drawn (its box may be wider than the text)
        left, text_right = link.evaluate("el => { const r = document.createRange(); "
                                         "r.selectNodeContents(el); const b = "
                                         "r.getBoundingClientRect(); return [b.left, b.right]; }")
        gap_right, gap_left = right - text_right, left - box["x"]
        assert gap_right < gap_left, f"{link.inner_text()!r} is not at the right"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "persian-page-germany.png"), full_page=True)
    page.context.close()
