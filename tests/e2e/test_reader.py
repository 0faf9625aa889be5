"""What a reader sees in a real Chromium: the notice first, visible, in the right language."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.conftest import ReaderFactory
from tests.support import LiveServer

LANDMARKS = "aside, header, nav, main, footer, section[aria-label], [role]"


@pytest.fixture
def screenshot_path(output_path: str) -> Callable[[str], str]:
    """Where a screenshot goes: the test's folder under test-results/ (pytest-playwright's)."""

    def path(name: str) -> str:
        folder = Path(output_path)
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / name)

    return path


@pytest.fixture
def reader_page(reader: ReaderFactory) -> Callable[[str], Page]:
    """A desktop page for a reader at an address (see conftest.py's ``reader``); its
    ``requests`` are every URL it asked for."""

    def open_as(address: str) -> Page:
        visitor = reader(address)
        visitor.page.requests = visitor.traffic.requests  # type: ignore[attr-defined]
        return visitor.page

    return open_as


def test_reader_in_crimea_sees_the_notice_first(
    reader_page: Callable[[str], Page], live_demo: LiveServer, screenshot_path: Callable[[str], str]
) -> None:
    page = reader_page("203.0.113.7")
    page.goto(f"{live_demo.url}/articles/library-winter")
    notice = page.locator("section.forewarn-notice").first
    notice.wait_for(state="visible")
    box = notice.bounding_box()
    assert box is not None and box["y"] < 800 / 2, "the notice is at the top, without scrolling"
    assert notice.get_attribute("lang") == "en"
    # the Russian text behind its disclosure, hidden until the reader opens it
    russian = notice.locator(".forewarn-translation")
    assert russian.get_attribute("lang") == "ru" and not russian.is_visible()
    notice.locator("details.forewarn-languages > summary").click()
    assert russian.is_visible()
    first_landmark = page.evaluate(
        f"() => {{ const el = document.querySelector({LANDMARKS!r}); "
        "return el.className + '|' + (el.querySelector('[role=region]') || {}).lang; }"
    )
    assert first_landmark == "forewarn|en", "the notice is the first landmark in reading order"
    first_region = page.get_by_role("region").first
    assert first_region.get_attribute("data-notice-id") == "ru-undesirable"
    # The stylesheet really applied (the block carries no inline style).
    assert notice.evaluate("el => getComputedStyle(el).borderInlineStartWidth") == "6px"
    page.screenshot(path=screenshot_path("reader-crimea.png"), full_page=True)
    assert all(url.startswith(live_demo.url) for url in page.requests), page.requests


def test_reader_in_germany_sees_no_notice(
    reader_page: Callable[[str], Page], live_demo: LiveServer, screenshot_path: Callable[[str], str]
) -> None:
    page = reader_page("198.51.100.1")
    page.goto(f"{live_demo.url}/articles/library-winter")
    assert page.locator("h1").inner_text().startswith("How a village library")
    assert page.locator(".forewarn").count() == 0
    page.screenshot(path=screenshot_path("reader-germany.png"))


def test_reader_in_iran_sees_a_right_to_left_notice_on_the_persian_article(
    reader_page: Callable[[str], Page], live_demo: LiveServer, screenshot_path: Callable[[str], str]
) -> None:
    page = reader_page("198.51.100.129")
    page.goto(f"{live_demo.url}/articles/river-teahouse")
    notice = page.locator("section.forewarn-notice").first
    notice.wait_for(state="visible")
    assert (notice.get_attribute("lang"), notice.get_attribute("dir")) == ("fa", "rtl")
    assert notice.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.screenshot(path=screenshot_path("reader-iran.png"), full_page=True)


def test_reader_in_iran_on_an_english_page_gets_english_then_persian_right_to_left(
    reader_page: Callable[[str], Page], live_demo: LiveServer,
    screenshot_path: Callable[[str], str],
) -> None:
    page = reader_page("198.51.100.129")
    page.goto(f"{live_demo.url}/articles/library-winter")
    sections = page.locator("section.forewarn-notice")
    sections.first.wait_for(state="visible")
    assert [sections.nth(i).get_attribute("lang") for i in range(sections.count())] == ["en"]
    sections.first.locator("details.forewarn-languages > summary").click()
    translations = sections.first.locator(".forewarn-translation")
    assert [translations.nth(i).get_attribute("lang")
            for i in range(translations.count())] == ["fa"]
    persian = translations.first
    assert persian.evaluate("el => getComputedStyle(el).direction") == "rtl"
    # right to left for real: the Persian title's text is drawn at the right of its box
    title = persian.locator("h3").evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " const b = r.getBoundingClientRect(); return {x: b.left, width: b.width}; }")
    box = persian.bounding_box()
    assert box is not None
    right_gap = box["x"] + box["width"] - (title["x"] + title["width"])
    assert right_gap < title["x"] - box["x"]
    # the onion address can be selected and copied without JavaScript, once its disclosure opens
    field = page.locator("aside.forewarn .forewarn-copy input")
    assert not field.is_visible()
    page.locator("aside.forewarn details.forewarn-onion > summary").click()
    assert field.is_visible() and field.get_attribute("readonly") is not None
    assert field.input_value().endswith(".onion/articles/library-winter")
    page.screenshot(path=screenshot_path("reader-iran-bilingual.png"), full_page=True)


def test_editor_reaches_the_four_readers_in_two_clicks(
    new_context: CreateContextCallback, live_demo: LiveServer,
    screenshot_path: Callable[[str], str],
) -> None:
    context = new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    page.goto(live_demo.url + "/")
    page.locator("a.preview-link").first.click()
    # read the preview, not the page it left (its frames may still be loading)
    page.wait_for_url(lambda url: "/_forewarn/preview?" in url, wait_until="commit")
    page.locator("figcaption").first.wait_for()
    captions = page.locator("figcaption").all_inner_texts()
    expected = {"Russia — Russia and the Russia-controlled parts of Ukraine": "ru-undesirable",
                "UA-43": "ru-undesirable",
                "Germany": "none", "Unknown location": "ru-undesirable"}
    for place, notices in expected.items():
        caption = next((c for c in captions if place in c), f"no caption for {place}: {captions}")
        assert f"notices: {notices}" in caption, caption
    frame = page.frame_locator("iframe[title*='UA-43']")
    frame.locator("section.forewarn-notice").first.wait_for(state="visible")
    page.screenshot(path=screenshot_path("preview.png"))
    context.close()
