"""axe-core (axe-playwright-python) inside the notice block: on each demo article for each reader
who gets a notice, in the light and the dark theme, with every disclosure closed and then opened
as a reader opens them; and on a publisher's page in a dark theme whose own styles reach for
every aside, paragraph and link. Text contrast (axe's color-contrast rule) is part of every
run."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.e2e.conftest import SCREENS, ReaderFactory
from tests.e2e.places import Place, demo_places, expected_notices, shipped_catalog
from tests.support import LiveServer
from webapp.demo import ARTICLES, DemoArticle

NOTICED = [place for place in demo_places(shipped_catalog())
           if expected_notices(shipped_catalog(), place, "en", date.today())]
# Every reader and article that gets a block.
WITH_BLOCK = [(place, article) for place in demo_places(shipped_catalog()) for article in ARTICLES
              if expected_notices(shipped_catalog(), place, article.lang, date.today())]
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": True}}}
BLOCKING = ("serious", "critical")
# forewarn.css's dark backgrounds for critical and warning notices
DARK_BACKGROUNDS = ("rgb(58, 25, 23)", "rgb(50, 40, 15)")


def check_the_block(page: Page, report: Path) -> None:
    """Run axe on the block only; fail on a serious or critical violation (the report is kept)."""
    results: dict[str, Any] = Axe().run(page, "aside.forewarn", AXE_OPTIONS).response
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(results["violations"], indent=1, ensure_ascii=False))
    contrast_ran = any(rule["id"] == "color-contrast"
                       for kind in ("passes", "violations") for rule in results[kind])
    assert contrast_ran, "axe checked the text contrast of the notice"
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"] if v["impact"] in BLOCKING
    ]
    assert blocking == [], "\n".join(blocking)


def open_every_disclosure(page: Page) -> None:
    """Tap each summary of the block, as a reader does; then none is left closed."""
    summaries = page.locator("aside.forewarn summary")
    for i in range(summaries.count()):
        summaries.nth(i).click()
    assert page.locator("aside.forewarn details:not([open])").count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("place", "article"), WITH_BLOCK,
                         ids=[f"{place}-{article.lang}" for place, article in WITH_BLOCK])
def test_no_serious_accessibility_violation_in_the_notice_closed_or_open(
    place: Place, article: DemoArticle, scheme: str, reader: ReaderFactory,
    live_demo: LiveServer, output_path: str, screenshot: Callable[..., Path],
) -> None:
    page = reader(place.address, color_scheme=scheme, reduced_motion="reduce").page
    page.goto(f"{live_demo.url}/articles/{article.slug}")
    page.locator("aside.forewarn").wait_for()
    check_the_block(page, Path(output_path) / "axe-violations-closed.json")
    open_every_disclosure(page)
    screenshot(page, f"{place}-{article.lang}-{scheme}-open.png")
    check_the_block(page, Path(output_path) / "axe-violations-open.json")


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("place", NOTICED, ids=str)
def test_the_notice_stays_readable_on_a_dark_theme(
    place: Place, screen: str, reader: ReaderFactory, forewarn_proxy: LiveServer,
    output_path: str, screenshot: Callable[..., Path],
) -> None:
    page = reader(place.address, screen, servers=(forewarn_proxy.url,),
                  color_scheme="dark", reduced_motion="reduce").page
    page.goto(f"{forewarn_proxy.url}/pages/dark-article.html")
    assert page.locator("body").evaluate("el => getComputedStyle(el).backgroundColor") == \
        "rgb(16, 18, 20)", "the page's dark theme applied"
    block = page.locator("aside.forewarn")
    screenshot(page, f"dark-{place}-{screen}.png")
    # Laid out as the notice, not as the theme's floating sidebar aside.
    assert block.evaluate("el => getComputedStyle(el).float") == "none"
    box, size = block.bounding_box(), page.viewport_size
    assert box is not None and size is not None and box["width"] == size["width"], box
    # in the reader's dark theme (the page's own is dark too)
    notice = block.locator("section.forewarn-notice").first
    assert notice.evaluate("el => getComputedStyle(el).backgroundColor") in DARK_BACKGROUNDS
    check_the_block(page, Path(output_path) / "axe-violations.json")
    open_every_disclosure(page)
    screenshot(page, f"dark-{place}-{screen}-open.png")
    check_the_block(page, Path(output_path) / "axe-violations-open.json")
