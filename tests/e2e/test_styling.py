"""The block's styling as docs/notice.md promises it, in Chromium: a publisher's custom
properties come through, the text keeps a readable measure on a wide screen, forced colours keep
the notices apart, an opened disclosure fades in only for readers who did not ask for less
motion, and on paper the severity, title and summary print while the disclosures and links do
not. A reader in Russia on the English demo article (one critical notice)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import ReaderFactory
from tests.support import LiveServer

RUSSIA = "192.0.2.1"
ARTICLE = "/articles/library-winter"


def opened(reader: ReaderFactory, live_demo: LiveServer, screen: str = "desktop",
           **options: object) -> Page:
    page = reader(RUSSIA, screen, **options).page
    page.goto(live_demo.url + ARTICLE)
    page.locator("aside.forewarn section.forewarn-notice").first.wait_for()
    return page


def zeros(page: Page, count: int) -> float:
    """The width of ``count`` "0" in the summary's own font: what ``count``ch means there."""
    return float(page.locator(".forewarn-summary").first.evaluate("""(e, count) => {
        const probe = document.createElement("span");
        probe.textContent = "0".repeat(count);
        probe.style.whiteSpace = "nowrap";
        e.append(probe);
        const width = probe.getBoundingClientRect().width;
        probe.remove();
        return width;
    }""", count))


def style(page: Page, selector: str, name: str) -> str:
    return str(page.locator(selector).first.evaluate(
        "(e, name) => getComputedStyle(e).getPropertyValue(name)", name))


def test_a_publishers_custom_properties_come_through(
    reader: ReaderFactory, live_demo: LiveServer, screenshot: Callable[..., Path],
) -> None:
    page = opened(reader, live_demo, bypass_csp=True)
    assert style(page, ".forewarn-notice", "border-inline-start-color") == "rgb(179, 38, 30)"
    page.add_style_tag(content=":root { --forewarn-critical: rgb(0, 85, 0); "
                               "--forewarn-font: serif; --forewarn-measure: 30ch; }")
    assert style(page, ".forewarn-notice", "border-inline-start-color") == "rgb(0, 85, 0)"
    assert style(page, ".forewarn-severity", "background-color") == "rgb(0, 85, 0)"
    assert style(page, ".forewarn-summary", "font-family") == "serif"
    summary = page.locator(".forewarn-summary").first.bounding_box()
    assert summary is not None and summary["width"] <= zeros(page, 30) + 1
    screenshot(page, "custom-properties.png")


def test_the_text_keeps_a_readable_measure_on_a_wide_screen(
    reader: ReaderFactory, live_demo: LiveServer,
) -> None:
    page = opened(reader, live_demo)
    measure = zeros(page, 70)
    summary = page.locator(".forewarn-summary").first.bounding_box()
    notice = page.locator(".forewarn-notice").first.bounding_box()
    assert summary is not None and notice is not None
    assert notice["width"] > measure + 100, "the notice is wider than the measure"
    assert measure - 1 <= summary["width"] <= measure + 1, (summary["width"], measure)


def test_forced_colours_keep_the_notices_apart(
    reader: ReaderFactory, live_demo: LiveServer, screenshot: Callable[..., Path],
) -> None:
    page = opened(reader, live_demo, forced_colors="active")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    for side in ("block-start", "block-end", "inline-end"):
        assert style(page, ".forewarn-notice", f"border-{side}-style") == "solid", side
    assert style(page, ".forewarn-notice", "border-inline-start-width") == "6px"
    assert style(page, ".forewarn-severity", "border-top-style") == "solid"
    screenshot(page, "forced-colors.png")


@pytest.mark.parametrize(("motion", "animation"), [("no-preference", "forewarn-reveal"),
                                                   ("reduce", "none")])
def test_an_opened_disclosure_fades_in_unless_the_reader_asked_for_less_motion(
    reader: ReaderFactory, live_demo: LiveServer, motion: str, animation: str,
) -> None:
    page = opened(reader, live_demo, reduced_motion=motion)
    page.locator(".forewarn-full > summary").first.click()
    assert style(page, ".forewarn-full[open] > .forewarn-body", "animation-name") == animation


def test_on_paper_the_severity_title_and_summary_print_and_the_rest_does_not(
    reader: ReaderFactory, live_demo: LiveServer,
) -> None:
    page = opened(reader, live_demo)
    page.emulate_media(media="print")
    block = page.locator("aside.forewarn")
    for part in (".forewarn-severity", ".forewarn-title", ".forewarn-summary"):
        assert block.locator(part).first.is_visible(), part
        assert style(page, part, "color") == "rgb(0, 0, 0)", part
    assert block.locator(".forewarn-disclosures").first.is_hidden()
    assert block.locator(".forewarn-mirrors").is_hidden()
    assert style(page, ".forewarn-notice", "background-color") == "rgba(0, 0, 0, 0)"
