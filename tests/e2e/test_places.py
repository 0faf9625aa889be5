"""What a reader in each place of the shipped catalog sees, on a phone and on a desktop, on each
demo article: the right notices in the right order, first in the accessibility tree, their
titles on the first screen, the block within its height budget and the headline on the first
screen; each notice in its languages and their directions (the other languages behind their
disclosure, opened as a reader does); mirror links that start at the block's start edge."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page

from tests.e2e import aria
from tests.e2e.budget import Measure, measure
from tests.e2e.conftest import SCREENS, ReaderFactory
from tests.e2e.places import (
    Place,
    demo_places,
    expected_notices,
    expected_title,
    place_languages,
    script_direction,
    shipped_catalog,
)
from tests.support import LiveServer
from webapp.catalog.model import Catalog
from webapp.demo import ARTICLES, DemoArticle

PLACES = demo_places(shipped_catalog())


def test_every_jurisdiction_of_the_catalog_has_a_demo_reader(catalog: Catalog) -> None:
    covered = {jid for place in PLACES for jid in place.jurisdictions}
    missing = set(catalog.jurisdictions) - covered
    assert not missing, f"no network in catalog/demo-networks.csv places a reader in {missing}"


@pytest.mark.parametrize("article", ARTICLES, ids=lambda article: article.lang)
@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("place", PLACES, ids=str)
def test_the_notice_comes_first_on_the_first_screen_in_its_languages(
    place: Place, screen: str, article: DemoArticle, reader: ReaderFactory,
    live_demo: LiveServer, catalog: Catalog, screenshot: Callable[..., Path],
) -> None:
    page = reader(place.address, screen).page
    page.goto(f"{live_demo.url}/articles/{article.slug}")
    expected = expected_notices(catalog, place, article.lang, date.today())
    screenshot(page, f"{place}-{screen}-{article.lang}.png", full_page=False)  # the first screen
    if not expected:
        assert page.locator(".forewarn").count() == 0, "no notice applies here"
        return
    block = page.locator("aside.forewarn")
    assert block.get_attribute("data-forewarn") == " ".join(n.id for n in expected)
    sections = block.locator("section.forewarn-notice")
    shown = [sections.nth(i).get_attribute("data-notice-id") for i in range(sections.count())]
    assert shown == [n.id for n in expected], "one section per notice, their own place first"
    assert_title_on_first_screen(page, sections.first.locator("h2"))
    assert_first_in_the_accessibility_tree(page, sections.first)
    found: Measure = measure(page, SCREENS[screen]["viewport"]["width"], None)
    assert found.problems() == [], found  # within budget, the headline on the first screen
    direction = block.get_attribute("dir") or ""
    assert direction == script_direction(block.get_attribute("lang") or "")
    assert block.evaluate(LINKS_START_AT_THE_START_EDGE, direction) == []
    for notice in expected:
        langs = assert_texts_in_their_languages(catalog, block, notice.id)
        # The page's language leads; else the reader's (the context sends en-US); else the default.
        lead = next(lang for lang in (article.lang, "en", catalog.default_language)
                    if lang in notice.text)
        assert langs[0] == lead, f"{notice.id} should lead with {lead}: {langs}"
        for lang in place_languages(catalog, place, notice):
            assert lang in langs, f"{notice.id} is also given in {lang}, the place's language"


def assert_title_on_first_screen(page: Page, title: Locator) -> None:
    """Wholly inside the viewport at load, and not covered by anything else."""
    box, size = title.bounding_box(), page.viewport_size
    assert box is not None and size is not None
    assert box["x"] >= 0 and box["y"] >= 0, box
    assert box["x"] + box["width"] <= size["width"], (box, size)
    assert box["y"] + box["height"] <= size["height"], (box, size)
    on_top = title.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }")
    assert on_top, "something covers the notice's title"


def assert_first_in_the_accessibility_tree(page: Page, first_section: Locator) -> None:
    nodes = aria.tree(page)
    landmark = aria.first(nodes, aria.LANDMARKS)
    block_name = page.locator("aside.forewarn").get_attribute("aria-label")
    assert landmark == aria.Node("complementary", block_name or ""), landmark
    title = first_section.locator("h2").inner_text()
    assert aria.first(nodes, "region") == aria.Node("region", title)
    heading = aria.first(nodes, "heading")
    assert heading is not None and heading.name == title, "the notice's title is read first"


# Mirror links that begin a line of the list: their text must begin at the block's start edge
# (the right in a right-to-left block). Returns the labels of those that do not.
LINKS_START_AT_THE_START_EDGE = """(block, dir) => {
  const edge = box => dir === "rtl" ? box.right : box.left;
  const list = block.querySelector(".forewarn-mirrors ul");
  if (!list) return [];
  return [...list.querySelectorAll("li")].filter(
    li => Math.abs(edge(li.getBoundingClientRect()) - edge(list.getBoundingClientRect())) < 1
  ).map(li => li.querySelector("a.forewarn-mirror")).filter(a => {
    const text = document.createRange();
    text.selectNodeContents(a);
    return Math.abs(edge(text.getBoundingClientRect()) - edge(list.getBoundingClientRect())) > 1;
  }).map(a => a.textContent);
}"""


def assert_texts_in_their_languages(catalog: Catalog, block: Locator, notice_id: str) -> list[str]:
    """The notice's section (its first language) and each of its other languages, behind the
    "This notice in" disclosure, opened as a reader does: each marked with the language its
    text is in and that language's direction, laid out in it, its title the catalog's. Returns
    the languages in order."""
    notice = next(n for n in catalog.notices if n.id == notice_id)
    section = block.locator(f"section.forewarn-notice[data-notice-id='{notice_id}']")
    texts = [(section, section.locator(".forewarn-head > h2"))]
    disclosure = section.locator("details.forewarn-languages")
    if disclosure.count():
        disclosure.locator("summary").click()
        translations = section.locator(".forewarn-translation")
        texts += [(translations.nth(i), translations.nth(i).locator("h3"))
                  for i in range(translations.count())]
    langs = []
    for element, title in texts:
        lang = element.get_attribute("lang") or ""
        assert lang in notice.text, f"{notice_id}: lang={lang!r} has no text in the catalog"
        assert title.is_visible() and title.inner_text() == expected_title(catalog, notice, lang)
        direction = script_direction(lang)
        assert element.get_attribute("dir") == direction, (notice_id, lang)
        assert element.evaluate("el => getComputedStyle(el).direction") == direction
        langs.append(lang)
    assert len(langs) == len(set(langs)), f"{notice_id}: a language twice: {langs}"
    return langs
