"""The notice block's height against its budget: at most 40% of a 390x844 phone screen and 25% of
a 1280x800 desktop one, everything collapsed. The heights come from the last run of the browser
suite (tests/e2e measures every place on every demo article in Chromium), kept beside the catalog
in ``<catalog>.heights.json`` and looked up by what the block looks like: its markup without link
targets, and the stylesheet. Nothing is measured here, nor in the editor's browser, so a block
whose text, template or stylesheet changed since that run is said to be unmeasured, never given
an old height."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webapp.preview.matrix import OTHER, Matrix

if TYPE_CHECKING:
    from webapp.engine import Engine

log = logging.getLogger("forewarn")

# width: (viewport height, share of it the collapsed block may take)
SCREENS: dict[int, tuple[int, float]] = {390: (844, 0.40), 1280: (800, 0.25)}
BUDGETS: dict[int, int] = {width: round(height * share) for width, (height, share) in
                           SCREENS.items()}  # 338 and 200 px
_BLOCK = re.compile(r'<aside class="forewarn" data-forewarn="[^"]*".*?</aside>', re.S)
# What differs from page to page but not on screen: link targets and the Tor field's value.
_TARGETS = re.compile(r'\s(?:href|value)="[^"]*"')


@lru_cache(maxsize=1)
def _stylesheet() -> bytes:
    return files("webapp").joinpath("static/forewarn.css").read_bytes()


def block_of(page: str) -> str | None:
    """The notice block in a served page's text, or None."""
    found = _BLOCK.search(page)
    return found.group(0) if found else None


def fingerprint(block: str) -> str:
    """What the block looks like, whatever page it is on: its markup without link targets,
    and the stylesheet that lays it out. Equal fingerprints, equal heights."""
    digest = hashlib.sha256(_stylesheet())
    digest.update(_TARGETS.sub("", block).encode("utf-8"))
    return digest.hexdigest()[:20]


@dataclass(frozen=True)
class Height:
    """One block's measured height at one screen width, against the budget there."""

    width: int
    pixels: int

    @property
    def budget(self) -> int:
        return BUDGETS[self.width]

    @property
    def over(self) -> bool:
        return self.pixels > self.budget

    @property
    def screen(self) -> str:
        return f"{self.width}×{SCREENS[self.width][0]}"


def heights_path(catalog_path: str | Path) -> Path:
    """``notices.toml`` -> ``notices.heights.json`` beside it."""
    return Path(catalog_path).with_suffix(".heights.json")


class Heights:
    """The measured heights of one catalog's blocks, by fingerprint."""

    def __init__(self, blocks: dict[str, dict[str, Any]] | None = None) -> None:
        self.blocks = blocks or {}

    @classmethod
    def load(cls, path: Path) -> Heights:
        """The file's heights; none when it is absent or unreadable (logged: the preview then
        says "not measured", which is true)."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            blocks = document["blocks"]
            if not isinstance(blocks, dict):
                raise TypeError("blocks is not an object")
        except FileNotFoundError:
            return cls()
        except (OSError, ValueError, KeyError, TypeError) as error:
            log.warning("%s: block heights not read (%s); shown as not measured", path, error)
            return cls()
        return cls(blocks)

    def of(self, block: str | None) -> tuple[Height, ...] | None:
        """The block's heights per screen, widest last; None when it was not measured."""
        if block is None:
            return None
        entry = self.blocks.get(fingerprint(block))
        if not isinstance(entry, dict):
            return None
        found = [Height(width, int(entry[str(width)])) for width in sorted(SCREENS)
                 if isinstance(entry.get(str(width)), int)]
        return tuple(found) if len(found) == len(SCREENS) else None

    def to_json(self) -> str:
        document = {"about": "Heights in CSS pixels of the notice block, all collapsed, as "
                             "tests/e2e measured them in Chromium; written by the browser "
                             "suite, read by the preview (webapp/preview/budget.py).",
                    "budgets": {str(width): budget for width, budget in BUDGETS.items()},
                    "blocks": dict(sorted(self.blocks.items()))}
        return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def matrix_heights(engine: Engine, matrix: Matrix,
                   heights: Heights) -> list[list[tuple[Height, ...] | None]]:
    """For each cell of the matrix with notices, its block's measured heights (None: none shown,
    or not measured), the block rendered as that cell's reader gets it (no Accept-Language)."""
    state = engine.state  # one catalog version for the whole table
    found: list[list[tuple[Height, ...] | None]] = []
    for row in matrix.rows:
        cells: list[tuple[Height, ...] | None] = []
        for lang in matrix.languages:
            decision = state.selector.decide(row.place.location,
                                             None if lang == OTHER else lang, matrix.day)
            shown = decision.shown
            cells.append(heights.of(state.renderer.block(decision, day=matrix.day).html
                                    if shown else None))
        found.append(cells)
    return found
