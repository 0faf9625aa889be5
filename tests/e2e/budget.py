"""The block's height budget as Chromium lays it out: the cases (every place of the preview on
every demo article, and every cell of the matrix), what is measured on each (the collapsed
block's height, where the page's first heading begins), and the heights file the preview reads
(catalog/notices.heights.json), written from those measurements."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import Page

from webapp.catalog.model import Catalog
from webapp.demo import ARTICLES, DemoArticle
from webapp.preview.budget import BUDGETS, SCREENS, Heights, heights_path
from webapp.preview.matrix import OTHER, page_languages
from webapp.preview.places import Place, chosen_countries, matrix_places, preview_places
from webapp.resources import packaged

SHIPPED_HEIGHTS = heights_path(packaged("notices.toml"))
ENGLISH = next(article for article in ARTICLES if article.lang == "en")

# The collapsed block (no disclosure open) and the page's first <h1>, in CSS pixels from the
# top of the page; the block must be the document's only one and start at its top.
MEASURE = """() => {
  const blocks = document.querySelectorAll("aside.forewarn");
  const block = blocks[0], h1 = document.querySelector("h1");
  const box = block ? block.getBoundingClientRect() : null;
  return {blocks: blocks.length, notices: block ? block.dataset.forewarn : "",
          open: block ? block.querySelectorAll("details[open]").length : 0,
          top: box ? box.top + scrollY : null,
          height: box ? Math.ceil(box.height) : 0,
          h1: h1 ? h1.getBoundingClientRect().top + scrollY : null};
}"""


@dataclass(frozen=True)
class Case:
    """A page of the preview: a place, a demo article, and the page language forced or not."""

    place: Place
    article: DemoArticle
    lang: str | None = None  # forced (a matrix column); None: the article's own

    def __str__(self) -> str:  # the pytest id
        return f"{self.place.code}-{self.article.lang}" + (f"-as-{self.lang}" if self.lang else "")

    def path(self) -> str:
        query = {"country": self.place.country, "region": self.place.region,
                 "asn": self.place.asn, "lang": self.lang,
                 "path": f"/articles/{self.article.slug}"}
        return "/_forewarn/preview/page?" + urlencode(
            {key: value for key, value in query.items() if value is not None})


def cases(catalog: Catalog) -> list[Case]:
    """Every frame of the preview (each jurisdiction, the chosen countries, unknown) on each
    demo article, then every cell of the matrix not already among them (its places, the
    catalog's page languages, on the English article with the language forced). The matrix's
    "none or other" column is no page the demo has."""
    chosen = chosen_countries(catalog, None)
    found = [Case(place, article) for place in preview_places(catalog, chosen)
             for article in ARTICLES]
    seen = {(case.place, case.article.lang) for case in found}
    for place in matrix_places(catalog, chosen):
        for lang in page_languages(catalog):
            if lang != OTHER and (place, lang) not in seen:
                found.append(Case(place, ENGLISH, lang))
    return found


@dataclass(frozen=True)
class Measure:
    """One case at one screen width."""

    width: int
    notices: str  # the block's notice ids, for a reader of the heights file
    blocks: int
    open: int
    top: float | None
    height: int
    h1: float | None
    fingerprint: str | None

    @property
    def screens(self) -> float | None:
        """Where the first <h1> begins, in screens from the top (the issue's figure)."""
        return None if self.h1 is None else self.h1 / SCREENS[self.width][0]

    def problems(self) -> list[str]:
        """What breaks the budget: "" when the block keeps to it and the headline starts on
        the first screen."""
        found = []
        if self.height > BUDGETS[self.width]:
            found.append(f"block {self.height} px > {BUDGETS[self.width]} px at {self.width}")
        if self.h1 is not None and self.h1 >= SCREENS[self.width][0]:
            found.append(f"<h1> begins at {self.h1:.0f} px, below the first screen")
        return found


def measure(page: Page, width: int, fingerprint: str | None) -> Measure:
    found = page.evaluate(MEASURE)
    return Measure(width, found["notices"], found["blocks"], found["open"], found["top"],
                   found["height"], found["h1"], fingerprint)


def write_heights(measures: list[Measure], path: Path = SHIPPED_HEIGHTS) -> bool:
    """Write the heights file from this run's measures (the largest per block and width, should
    two pages differ), replacing what an earlier run wrote; untouched when nothing changed.
    Returns whether it was written."""
    blocks: dict[str, dict[str, Any]] = {}
    for found in measures:
        if found.fingerprint is not None:
            entry = blocks.setdefault(found.fingerprint, {"notices": found.notices})
            entry[str(found.width)] = max(found.height, entry.get(str(found.width), 0))
    text = Heights(dict(blocks.items())).to_json()
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    # written aside and renamed, so a test reading it in another worker never sees half of it
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.write_text(text, encoding="utf-8")
    aside.replace(path)
    return True
