"""The notice block keeps to its height budget in Chromium, everything collapsed: at most 40% of a
390x844 phone screen (338 px) and 25% of a 1280x800 desktop (200 px), with the article's headline
starting on the first screen, for every place of the preview on every demo article and every
cell of the matrix; opening every disclosure shows the full text of every language. The heights
measured here are what the preview states (catalog/notices.heights.json)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.dates import format_date
from playwright.sync_api import Browser, Locator

from tests.e2e.budget import (
    SHIPPED_HEIGHTS,
    Case,
    Measure,
    cases,
    measure,
    write_heights,
)
from tests.e2e.conftest import SCREENS, ReaderFactory
from tests.e2e.places import shipped_catalog
from tests.summary import SUMMARY
from tests.support import ROOT, LiveServer
from webapp.catalog.model import Catalog, Notice
from webapp.demo import ARTICLES, DemoArticle
from webapp.preview.budget import BUDGETS, Heights, block_of, fingerprint
from webapp.preview.places import Place, chosen_countries, preview_places

CASES = cases(shipped_catalog())
WIDTHS = {screen: options["viewport"]["width"] for screen, options in SCREENS.items()}
REPORT = ROOT / "test-results" / "block-budget.md"


@pytest.fixture(scope="module")
def measured(browser: Browser, live_demo: LiveServer) -> Iterator[dict[Case, list[Measure]]]:
    """Every case loaded once per screen in one context each (the preview's pages: the place
    forced, no Accept-Language, as the preview's frames are); then the heights file and a
    table for the record."""
    found: dict[Case, list[Measure]] = {case: [] for case in CASES}
    for screen, width in WIDTHS.items():
        context = browser.new_context(**SCREENS[screen], reduced_motion="reduce")
        page = context.new_page()
        for case in CASES:
            response = page.goto(live_demo.url + case.path())
            assert response is not None and response.ok, case
            block = block_of(response.text())
            found[case].append(measure(page, width, fingerprint(block) if block else None))
        context.close()
    write_heights([m for measures in found.values() for m in measures])
    write_report(found)
    yield found


def write_report(found: dict[Case, list[Measure]]) -> None:
    """test-results/block-budget.md: the issue's table for every frame of the preview."""
    lines = ["| place | article | phone block | headline after (screens) | desktop block "
             "| headline after (screens) |", "|---|---|---:|---:|---:|---:|"]
    for case, measures in found.items():
        if case.lang is None:
            cells = [f"{m.height} px | {m.screens:.2f}" for m in measures]
            lines.append(f"| {case.place.label} | {case.article.lang} | {' | '.join(cells)} |")
    for width in sorted(BUDGETS):
        largest = max((m for ms in found.values() for m in ms if m.width == width),
                      key=lambda m: m.height)
        case = next(c for c, ms in found.items() if largest in ms)
        line = f"largest at {width}: {largest.height} px of {BUDGETS[width]} ({case})"
        SUMMARY.append(f"demo, {line}")
        lines.append(f"\n{line[:1].upper()}{line[1:]}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_collapsed_block_keeps_to_its_budget_and_the_headline_to_the_first_screen(
    case: Case, measured: dict[Case, list[Measure]], catalog: Catalog
) -> None:
    for found in measured[case]:
        assert found.h1 is not None, "every demo article has a headline"
        assert found.blocks <= 1 and found.open == 0, "one block, every disclosure closed"
        if found.blocks:
            assert found.top == 0, "the block starts the page"
        assert found.problems() == [], f"{case} at {found.width}: {found.problems()}"


def test_the_preview_reads_the_heights_measured_here(measured: dict[Case, list[Measure]]) -> None:
    heights = Heights.load(SHIPPED_HEIGHTS)
    for case, measures in measured.items():
        for found in measures:
            if found.fingerprint is None:
                continue
            entry = heights.blocks[found.fingerprint]
            assert entry[str(found.width)] >= found.height, case
    assert json.loads(SHIPPED_HEIGHTS.read_text())["budgets"] == {"390": 338, "1280": 200}


def filled(catalog: Catalog, notice: Notice, lang: str, text: str) -> str:
    """A catalog text as the reader reads it: the organization, and the designation date written
    for the language by Babel (CLDR's long format)."""
    since = format_date(notice.since, format="long", locale=lang) if notice.since else ""
    return text.replace("{organization}", catalog.organization).replace("{since}", since)


def texts_of(catalog: Catalog, notice: Notice, lang: str) -> list[str]:
    """Everything the notice says in ``lang``: title, summary, each paragraph of the body."""
    text = notice.text[lang]
    return [filled(catalog, notice, lang, part)
            for part in (text.title, text.summary or "", *text.paragraphs) if part]


def shown_texts(container: Locator) -> list[str]:
    """The title, summary and body paragraphs a reader sees in a notice's language, in order
    (a translation's; or the section's own, leaving its translations out)."""
    parts = container.locator(
        ":scope > .forewarn-head > .forewarn-title, :scope > .forewarn-title, "
        ":scope > .forewarn-summary, :scope > .forewarn-disclosures > .forewarn-full > "
        ".forewarn-body, :scope > .forewarn-body")
    found = []
    for i in range(parts.count()):
        assert parts.nth(i).is_visible(), parts.nth(i).inner_html()
        found.append(" ".join(parts.nth(i).inner_text().split()))
    return found


PREVIEW_PLACES = preview_places(shipped_catalog(), chosen_countries(shipped_catalog(), None))


@pytest.mark.parametrize("article", ARTICLES, ids=lambda article: article.lang)
@pytest.mark.parametrize("place", PREVIEW_PLACES, ids=lambda place: place.code)
def test_opening_every_disclosure_shows_the_full_text_of_every_language(
    place: Place, article: DemoArticle, reader: ReaderFactory, live_demo: LiveServer,
    catalog: Catalog, screenshot: Callable[..., Path],
) -> None:
    case = Case(place, article)
    page = reader("127.0.0.1", "phone", reduced_motion="reduce").page
    page.goto(live_demo.url + case.path())
    sections = page.locator("aside.forewarn section.forewarn-notice")
    if sections.count() == 0:
        return  # no notice here (tested by the budget case above)
    summaries = page.locator("aside.forewarn summary")
    for i in range(summaries.count()):  # as a reader does: each one tapped open
        summaries.nth(i).click()
    assert page.locator("aside.forewarn details:not([open])").count() == 0
    field = page.locator("aside.forewarn .forewarn-copy input")
    for i in range(field.count()):
        assert field.nth(i).is_visible() and field.nth(i).input_value().endswith(
            f".onion/articles/{case.article.slug}")
    for i in range(sections.count()):
        section = sections.nth(i)
        notice = next(n for n in catalog.notices
                      if n.id == section.get_attribute("data-notice-id"))
        lead = section.get_attribute("lang") or ""
        assert shown_texts(section) == [" ".join(t.split()) for t in
                                        texts_of(catalog, notice, lead)], (notice.id, lead)
        translations = section.locator(".forewarn-translation")
        langs = [lead]
        for j in range(translations.count()):
            lang = translations.nth(j).get_attribute("lang") or ""
            assert shown_texts(translations.nth(j)) == [" ".join(t.split()) for t in
                                                        texts_of(catalog, notice, lang)]
            langs.append(lang)
        assert catalog.default_language in langs and len(set(langs)) == len(langs), langs
        more = section.locator("a[href]:not(.forewarn-mirror)")
        assert more.count() == sum(1 for lang in langs if notice.text[lang].more_url)
    screenshot(page, f"{case}-open.png")
