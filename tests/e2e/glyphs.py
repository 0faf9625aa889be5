"""Missing glyphs ("tofu") in what Chromium drew: for each element, the fonts Chromium says it used
for the element's own text (DevTools' CSS.getPlatformFontsForNode), read with fontTools from the
files fontconfig names, must hold every character of that text. A character none of them holds
was drawn as an empty box."""

from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from fontTools.ttLib import TTFont
from playwright.sync_api import Page

from tests.e2e.corpus import SETTLED

# Spaces, controls and format characters (ZWNJ in Persian, bidi marks) are not drawn as glyphs.
NOT_DRAWN = ("Zs", "Zl", "Zp", "Cc", "Cf")


@dataclass(frozen=True)
class Missing:
    """A character of an element's text that none of the fonts used for it holds."""

    element: str
    character: str
    fonts: tuple[str, ...]

    def __str__(self) -> str:
        return (f"U+{ord(self.character):04X} {unicodedata.name(self.character, '?')} in "
                f"<{self.element}>, drawn with {', '.join(self.fonts) or 'no font'}")


@cache
def font_files() -> dict[str, tuple[str, int]]:
    """PostScript name -> (file, index in a collection), as fontconfig (and Chromium) sees them."""
    listing = subprocess.run(["fc-list", "--format", "%{postscriptname}|%{file}|%{index}\n"],
                             capture_output=True, text=True, check=True).stdout
    found: dict[str, tuple[str, int]] = {}
    for line in listing.splitlines():
        name, file, index = line.rsplit("|", 2)
        found.setdefault(name, (file, int(index or 0)))
    return found


@cache
def characters_of(postscript_name: str) -> frozenset[int]:
    file, index = font_files()[postscript_name]
    with TTFont(file, fontNumber=index, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(page: Page, selector: str) -> tuple[list[Missing], int]:
    """Every character drawn without a glyph inside ``selector``, and how many characters were
    checked (so that a check of nothing cannot pass). Waits for two frames first: the fonts of
    text not yet laid out and drawn (just added by a script) are none, which would read as tofu."""
    page.evaluate(SETTLED)
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        nodes = cdp.send("DOM.querySelectorAll",
                         {"nodeId": root, "selector": f"{selector}, {selector} *"})["nodeIds"]
        missing: list[Missing] = []
        checked = 0
        for node in nodes:
            described = cdp.send("DOM.describeNode", {"nodeId": node, "depth": 1})["node"]
            text = "".join(child.get("nodeValue", "") for child in described.get("children", ())
                           if child.get("nodeType") == 3)
            drawn = [c for c in dict.fromkeys(text) if unicodedata.category(c) not in NOT_DRAWN]
            if not drawn:
                continue
            fonts = _fonts(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"])
            held = frozenset().union(*(characters_of(name) for name in fonts))
            checked += len(drawn)
            missing += [Missing(described["localName"], c, fonts) for c in drawn
                        if ord(c) not in held]
        return missing, checked
    finally:
        cdp.detach()


def _fonts(used: list[dict[str, Any]]) -> tuple[str, ...]:
    """The PostScript names of the platform fonts that drew at least one glyph."""
    return tuple(font["postScriptName"] for font in used
                 if font.get("glyphCount") and font.get("postScriptName") in font_files())
