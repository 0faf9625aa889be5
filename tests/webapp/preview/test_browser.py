"""The preview pages in a real Chromium against a real `forewarn serve --demo`: layout at 1280 px
and on a phone, frames that show each place's notice, controls that work without JavaScript,
and no Content-Security-Policy violation. Screenshots go to the test's folder under
test-results/."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support import LiveServer

pytestmark = pytest.mark.e2e
ARTICLE = "/_forewarn/preview?path=/articles/library-winter"


@pytest.fixture
def shot(output_path: str) -> Callable[[Page, str], Path]:
    def take(page: Page, name: str) -> Path:
        folder = Path(output_path)
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / name), full_page=True)
        return folder / name

    return take


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """A page at a viewport width, recording console messages (CSP violations land there)."""
    contexts: list[BrowserContext] = []

    def open_at(width: int, height: int = 900, javascript: bool = True) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.console = []  # type: ignore[attr-defined]
        page.on("console", lambda message: page.console.append(message.text))  # type: ignore[attr-defined]
        return page

    yield open_at
    for context in contexts:
        context.close()


def test_side_by_side_at_1280_shows_three_frames_a_row_each_with_its_notice(
    open_page: Callable[..., Page], live_demo: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    page = open_page(1280)
    page.goto(live_demo.url + ARTICLE)
    figures = page.locator("figure.pv-frame")
    assert figures.count() == 8  # ru (Russia, Crimea), by, ir, DE, US, UA, unknown
    tops = [figures.nth(i).bounding_box()["y"] for i in range(4)]  # type: ignore[index]
    assert tops[0] == tops[1] == tops[2] < tops[3]
    russia = page.frame_locator("iframe").nth(0)
    russia.locator('section[data-notice-id="ru-undesirable"]').first.wait_for()
    assert russia.locator("aside.forewarn").is_visible()
    germany = page.frame_locator("iframe").nth(4)
    germany.locator("h1").first.wait_for()
    assert germany.locator("aside.forewarn").count() == 0
    caption = figures.nth(0).locator("figcaption")
    assert " ".join(caption.locator("h2").inner_text().split()) == \
        "Russia — Russia and the Russia-controlled parts of Ukraine"
    assert " ".join(caption.locator(".pv-ids").inner_text().split()) == \
        "notices: ru-undesirable Open alone"
    # the block's height from the last browser run (catalog/notices.heights.json), and its budget
    budget = " ".join(caption.locator(".pv-budget").inner_text().split())
    assert re.fullmatch(r"Block, all closed: \d+ px of 338 at 390×844 · \d+ px of 200 at "
                        r"1280×800", budget), budget
    assert page.locator(".pv-bar").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(31, 42, 54)")  # the stylesheet under /_forewarn/static/ applies
    shot(page, "preview-1280.png")
    assert not [text for text in page.console if "Content Security Policy" in text]  # type: ignore[attr-defined]


def test_on_a_phone_the_preview_and_the_matrix_do_not_scroll_sideways(
    open_page: Callable[..., Page], live_demo: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    page = open_page(390, 844)
    views = ((ARTICLE, "preview-390.png"), ("/_forewarn/preview/matrix", "matrix-390.png"))
    for url, name in views:
        page.goto(live_demo.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        shot(page, name)
    # The matrix's table scrolls inside its own region, which can take keyboard focus.
    region = page.get_by_role("region", name="Notice ids shown")
    assert region.get_attribute("tabindex") == "0"


def test_matrix_at_1280_fits_the_window(
    open_page: Callable[..., Page], live_demo: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    page = open_page(1280)
    page.goto(live_demo.url + "/_forewarn/preview/matrix?date=2024-02-20")
    table = page.locator("table.pv-matrix")
    assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
    assert page.locator("tbody tr").count() == 13
    assert page.get_by_role("row", name="Iran (IR)").inner_text().count("ir-hostile-media") == 5
    shot(page, "matrix-1280.png")
    assert not [text for text in page.console if "Content Security Policy" in text]  # type: ignore[attr-defined]


def test_the_controls_work_without_javascript(
    open_page: Callable[..., Page], live_demo: LiveServer, shot: Callable[[Page, str], Path]
) -> None:
    page = open_page(1280, javascript=False)
    page.goto(live_demo.url + ARTICLE)
    page.get_by_label("Country").select_option("UA")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**country=UA**")
    region = page.get_by_label("Region")
    assert region.locator("option").count() == 28  # whole country + Ukraine's 27
    region.select_option("UA-43")
    page.get_by_label("As of").fill("2024-02-19")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**region=UA-43**")
    first = page.locator("figure.pv-frame").first
    assert first.locator("h2").inner_text() == (
        "Crimea (Avtonomna Respublika Krym, UA-43) — Russia and the Russia-controlled parts of "
        "Ukraine chosen")
    assert "notices: none" in first.locator("figcaption").inner_text()  # the day before
    page.get_by_label("Country").select_option("RU")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**country=RU**")
    assert page.get_by_role("status").inner_text().startswith("UA-43 is not a region of Russia")
    assert page.get_by_label("Article").input_value() == "/articles/library-winter"
    shot(page, "preview-no-javascript.png")
