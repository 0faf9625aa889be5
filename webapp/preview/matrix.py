"""The preview matrix: for every place of the catalog and every page language, the notice ids a
reader would get, decided by the engine's selector alone (no page is rendered), and as CSV; and
for each language, whether the block's own words are the language's or English."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from babel import Locale

from webapp.catalog.interface import Coverage
from webapp.catalog.model import Catalog
from webapp.engine import Engine
from webapp.preview.places import Place, PlaceNames

OTHER = "none/other"  # a page with no language, or one no notice is written in or aimed at


@dataclass(frozen=True)
class Row:
    place: Place
    label: str  # the place as editors say it (PlaceNames)
    jurisdictions: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]  # notice ids per column, severest first


@dataclass(frozen=True)
class Matrix:
    day: date
    languages: tuple[str, ...]  # the columns; OTHER last
    rows: tuple[Row, ...]
    words: tuple[Coverage | None, ...] = ()  # per column: the block's own words in it

    def header(self) -> tuple[str, ...]:
        return ("place", "code", "jurisdictions", *self.languages)


def page_languages(catalog: Catalog) -> tuple[str, ...]:
    """The default language, then every language a notice is written in or aimed at, then
    "none/other"."""
    return (*catalog.page_languages(), OTHER)


def build_matrix(engine: Engine, places: tuple[Place, ...], day: date) -> Matrix:
    """Decide every (place, language) pair with the engine's rules, all against one catalog
    version (read once: a reload meanwhile cannot mix two versions in one matrix)."""
    state = engine.state
    catalog, selector = state.catalog, state.selector
    languages = page_languages(catalog)
    words = tuple(None if lang == OTHER else state.renderer.words.coverage(lang)
                  for lang in languages)
    names = PlaceNames(catalog)
    rows = []
    for place in places:
        decisions = [selector.decide(place.location, None if lang == OTHER else lang, day)
                     for lang in languages]
        rows.append(Row(place, names.label(place), decisions[0].jurisdictions,
                        tuple(decision.notice_ids for decision in decisions)))
    return Matrix(day, languages, tuple(rows), words)


def severities(catalog: Catalog) -> dict[str, str]:
    """Notice id -> severity, for colouring ids the way the notices are coloured."""
    return {notice.id: notice.severity for notice in catalog.notices}


def language_name(code: str) -> str:
    if code == OTHER:
        return "None or other"
    try:
        return str(Locale.parse(code, sep="-").get_display_name("en"))
    except (ValueError, LookupError):
        return code


def to_csv(matrix: Matrix) -> str:
    """One line per place; each language cell holds the notice ids separated by spaces."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(matrix.header())
    for row in matrix.rows:
        writer.writerow([row.label, row.place.code, " ".join(row.jurisdictions),
                         *(" ".join(ids) for ids in row.cells)])
    return out.getvalue()
