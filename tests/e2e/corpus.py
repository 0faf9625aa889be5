"""Load real pages twice, straight from the origin and through Forewarn, several at a time in one
browser, and note for each whether the notice is visible, whether the page's own document is
the same once the block is taken out, how tall the block is and where the page's headline
begins with and without it (on a desktop, and on a phone)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page, Route
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.origin import CORPUS, corpus_name, corpus_pages
from tests.summary import SUMMARY
from tests.support import ROOT
from webapp.preview.budget import BUDGETS

STYLESHEET_PATH = "/_forewarn/static/forewarn.css"
STYLESHEET = ROOT / "webapp" / "static" / "forewarn.css"
READER = "192.0.2.1"  # a reader in Russia: the critical notice shows on every page
VIEWPORT = {"width": 1280, "height": 800}
# A phone as tests/e2e/conftest.py has it (a page without <meta name="viewport"> is laid out
# 980 px wide and shown zoomed out, as phones show it), but at one device pixel per CSS pixel:
# the layout, in CSS pixels, is the same, and 260 pages paint and picture four times cheaper.
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                         "has_touch": True, "device_scale_factor": 1}

NAMES = [corpus_name(page) for page in corpus_pages()]  # the real pages, by name
ABSENT = (f"{CORPUS} is absent: the real pages come from ../shared/fixtures/corpus/readability "
          "(see TESTDATA.md)")
AUTOFOCUS = "the page scrolls down to its own autofocus field at load"
# Pages whose own markup keeps the notice off the first screen; the browser test checks that this
# is the reason (their documents must still be untouched). Nothing in the block can help: the
# page moves the reader, or hides everything, before any notice is read.
HIDDEN = "the page hides its whole document (html {display: none}) until its scripts run"
CANNOT_SHOW = {
    # <input autofocus> far down the page: the browser scrolls to it at load (so far that the
    # notice, first in the body, is above the screen), with or without Forewarn. (ehow-2's
    # field is far down too, but no longer below the first screen since the block is short.)
    "bug-1255978": AUTOFOCUS,
    # <style>html{display:none}</style>, which the page's own script lifts: without its scripts
    # (blocked by the test origin's CSP, tests/e2e/origin.py) there is no page to see.
    "engadget": HIDDEN,
}
CANNOT_SHOW_ON_A_PHONE = {"engadget": HIDDEN}
# On a phone (the page zoomed out) Chromium scrolls bug-1255978 to its autofocus field at load in
# some runs and not in others, however long the test waits: either way the page's own doing.
MAY_NOT_SHOW_ON_A_PHONE = {"bug-1255978": AUTOFOCUS}

# The whole document as the parser built it, without Forewarn's block (which must be there
# exactly once when served through Forewarn, and absent otherwise): the number of blocks taken
# out and the SHA-256 of the serialized rest, which stays in the page (SERIALIZED) to be read
# only when two differ. (Handing every document over whole cost a sixth of the corpus's CPU.)
DOCUMENT = """async () => {
  const blocks = document.querySelectorAll("aside.forewarn[data-forewarn]");
  const count = blocks.length;
  blocks.forEach(block => block.remove());
  const parts = [...document.childNodes].map(node =>
    node.nodeType === Node.DOCUMENT_TYPE_NODE ? `<!DOCTYPE ${node.name}>` :
    node.nodeType === Node.COMMENT_NODE ? `<!--${node.data}-->` : node.outerHTML);
  window.__serialized = parts.join("\\n");
  const digest = await crypto.subtle.digest("SHA-256",
                                            new TextEncoder().encode(window.__serialized));
  return [count, [...new Uint8Array(digest)].map(b => b.toString(16).padStart(2, "0")).join("")];
}"""
SERIALIZED = "() => window.__serialized"
# Where the block is: "" when it is the first element child of <body>, else what is there.
NOT_FIRST = """() => {
  const first = document.body && document.body.firstElementChild;
  if (first && first.matches("aside.forewarn[data-forewarn]")) return "";
  return `the first element in <body> is <${first ? first.tagName.toLowerCase() : "nothing"}>`;
}"""
# The block's height, the first visible <h1>'s top (from the top of the page) and the height of
# the first screen, in CSS pixels (on a phone a page without a viewport <meta> has more of them
# to the screen: it is shown zoomed out).
PLACES = """() => {
  const block = document.querySelector("aside.forewarn[data-forewarn]");
  const h1 = [...document.querySelectorAll("h1")].find(el => el.getClientRects().length);
  return {block: block ? block.getBoundingClientRect().height : null,
          h1: h1 ? h1.getBoundingClientRect().top + scrollY : null, inner: innerHeight};
}"""
# Two frames: the browser has run what it runs after load (focusing an autofocus field and
# scrolling to it is one of them), so what is measured no longer depends on timing.
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# Why the notice's title is not seen at load, or "" when it is: inside the first screen, shown,
# and the topmost thing at its centre (no overlay of the page's over it).
UNSEEN = """() => {
  const title = document.querySelector("aside.forewarn section.forewarn-notice h2");
  if (!title) return "no notice title in the document";
  const r = title.getBoundingClientRect();
  if (getComputedStyle(document.documentElement).display === "none")
    return "the page hides its whole document (html {display: none}) until its scripts run";
  if (scrollY > 0 && document.activeElement && document.activeElement.autofocus)
    return "the page scrolls down to its own autofocus field at load";
  if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight)
    return `the title is outside the first screen: ${JSON.stringify(r)}`;
  if (!(r.width > 0 && r.height > 0)) return "the title has no size";
  if (!title.checkVisibility({opacityProperty: true, visibilityProperty: true}))
    return "the title is hidden (display, visibility or opacity)";
  const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!title.contains(top)) return `covered by <${top && top.tagName.toLowerCase()}
    class="${top && top.className}">`;
  return "";
}"""


@dataclass(frozen=True)
class Outcome:
    """One page: what the splice did to it, as the browser shows it."""

    name: str
    blocks: int  # blocks in the document served through Forewarn
    unseen: str  # why the notice is not seen at load; "" when it is
    not_first: str  # why the block is not the first element of <body>; "" when it is
    difference: str  # where the documents differ (with and without Forewarn); "" when equal
    # The first screen through Forewarn, taken only of a page whose notice is not seen or not
    # first, or whose block is over its budget (a page failing otherwise is loaded again and
    # pictured by pytest-playwright: keep_record)
    screenshot: bytes | None
    block: float | None = None  # the block's height, collapsed, in the screen's pixels
    h1: float | None = None  # where the headline begins through Forewarn, in the screen's pixels
    h1_plain: float | None = None  # where it begins without Forewarn
    screen: float = 800.0  # the screen's height in its pixels (the viewport's)

    @property
    def problems(self) -> list[str]:
        found = [] if self.blocks == 1 else [f"{self.blocks} notice blocks in the document"]
        return found + [text for text in (self.unseen, self.not_first, self.difference) if text]

    def over_budget(self, budget: int) -> list[str]:
        """The block taller than ``budget``; or a headline the page shows on its first screen,
        with room for the block above it, pushed below that screen by the block."""
        found = []
        if self.block is not None and self.block > budget:
            found.append(f"block {self.block:.0f} px > {budget} px")
        if self.h1_plain is not None and self.h1_plain < self.screen - budget and (
                self.h1 is None or self.h1 >= self.screen):
            found.append(f"headline at {self.h1_plain:.0f} px without the block, {self.h1} "
                         "with it: off the first screen")
        return found


CONTEXT: dict[str, Any] = {"viewport": VIEWPORT, "java_script_enabled": True, "locale": "en-US",
           "extra_http_headers": {"X-Forwarded-For": READER}}
PHONE_CONTEXT: dict[str, Any] = {**CONTEXT, **PHONE}


def only_to(context: BrowserContext, servers: tuple[str, ...]) -> None:
    """Abort every request of the context but the pages and Forewarn's stylesheet on
    ``servers`` (a frame's navigation gets "no content"): the rest would go to third parties,
    or to the origin, which has none of the pages' images or styles (aborted or answered 404,
    they lay out the same). A page whose <base href> names its own site (pixnet) asks that site
    for the stylesheet: there, Forewarn stands in front of it, so the stylesheet is what it
    gets."""
    allowed = "|".join(re.escape(server) for server in servers)
    pattern = re.compile(f"^(?!(?:{allowed})/(?:corpus/|doc/|_forewarn/static/))")
    context.route(pattern, _abort_or_stylesheet)


def _abort_or_stylesheet(route: Route) -> None:
    if urlsplit(route.request.url).path == STYLESHEET_PATH:
        route.fulfill(body=STYLESHEET.read_bytes(), content_type="text/css; charset=utf-8")
    elif route.request.is_navigation_request():
        # A frame's navigation (the page's ad and social frames) answered "no content": the
        # frame keeps its empty document, laid out at the size the page gives it. Aborted, each
        # would show Chromium's network error page, a document of its own to build, lay out and
        # paint (ten on cnn: a third of that page's CPU, and a fifth of the corpus's).
        route.fulfill(status=204)
    else:
        route.abort()


@contextmanager
def reader_context(browser: Browser, servers: tuple[str, ...],
                   options: dict[str, Any] = CONTEXT) -> Iterator[BrowserContext]:
    """Scripting on, as for nearly every reader (the parser then reads ``<noscript>`` as raw
    text, which decides where some bodies begin), but no script runs: the origin sends the pages
    with ``Content-Security-Policy: script-src 'none'`` (tests/e2e/origin.py), since their
    scripts would rewrite their documents (ads, clocks, random ids) and reach for third
    parties; what is compared is what the parser built from the bytes, which is all the splice
    touches. Every request not to ``servers`` is aborted, so no page waits on, or reaches, the
    outside world."""
    context = browser.new_context(**options)
    only_to(context, servers)
    try:
        yield context
    finally:
        context.close()


def load_all(browser: Browser, names: list[str], plain: str, forewarn: str,
             at_once: int = 4, options: dict[str, Any] = CONTEXT) -> dict[str, Outcome]:
    """Each page from ``plain`` and from ``forewarn`` (base URLs), ``at_once`` pairs of tabs in
    flight: a pair takes the next page as soon as it is done with one. A page with a problem,
    or with a block over its screen's budget, is pictured as it was measured."""
    outcomes: dict[str, Outcome] = {}
    with reader_context(browser, (plain, forewarn), options) as context:
        tabs = [(context.new_page(), context.new_page()) for _ in range(at_once)]
        in_flight: list[tuple[str, Page, Page]] = []
        for name in names:
            if len(in_flight) == at_once:
                done, without, with_block = in_flight.pop(0)
                outcomes[done] = _compare(done, without, with_block)
                tabs.append((without, with_block))
            without, with_block = tabs.pop(0)
            # commit only: the pages already in flight go on loading meanwhile
            without.goto(f"{plain}/corpus/{name}", wait_until="commit")
            with_block.goto(f"{forewarn}/corpus/{name}", wait_until="commit")
            in_flight.append((name, without, with_block))
        for done, without, with_block in in_flight:
            outcomes[done] = _compare(done, without, with_block)
    return outcomes


def _compare(name: str, without: Page, with_block: Page) -> Outcome:
    without.wait_for_load_state("domcontentloaded")  # the document is whole: no script runs
    with_block.wait_for_load_state("load")  # laid out with Forewarn's stylesheet
    for page in (without, with_block):
        # In front first: Chromium gives a tab behind others no frames, or few (the two frames
        # took half a second a page, and whether an autofocus field was scrolled to at load
        # depended on it); the reader's tab is in front.
        page.bring_to_front()
        page.evaluate(SETTLED)
    unseen = str(with_block.evaluate(UNSEEN))
    not_first = str(with_block.evaluate(NOT_FIRST))
    placed, placed_plain = with_block.evaluate(PLACES), without.evaluate(PLACES)
    viewport = with_block.viewport_size or VIEWPORT
    screen = float(viewport["height"])

    def on_screen(found: dict[str, Any], key: str) -> float | None:
        value = found[key]
        return None if value is None else value * screen / found["inner"]
    seen = Outcome(name, 1, unseen, not_first, "", None, on_screen(placed, "block"),
                   on_screen(placed, "h1"), on_screen(placed_plain, "h1"), screen)
    shot = None  # pictured before DOCUMENT takes the block out
    if seen.problems or seen.over_budget(BUDGETS[viewport["width"]]):
        shot = with_block.screenshot(caret="initial")  # "hide" would add style="" to fields
    plain_blocks, plain_digest = without.evaluate(DOCUMENT)
    blocks, digest = with_block.evaluate(DOCUMENT)
    difference = "" if digest == plain_digest else first_difference(
        without.evaluate(SERIALIZED), with_block.evaluate(SERIALIZED))
    if plain_blocks:
        difference = f"the page itself has {plain_blocks} Forewarn block(s); {difference}"
    return replace(seen, blocks=blocks, difference=difference, screenshot=shot)


def first_difference(expected: str, actual: str, context: int = 80) -> str:
    """Where two serialized documents first differ, with some text either side."""
    at = next((i for i, (a, b) in enumerate(zip(expected, actual, strict=False)) if a != b),
              min(len(expected), len(actual)))
    start = max(0, at - context)
    return (f"the documents differ at character {at}:\n"
            f"  without Forewarn: {expected[start:at + context]!r}\n"
            f"  through Forewarn: {actual[start:at + context]!r}")


def record_budget(screen: str, found: dict[str, Outcome]) -> str:
    """The largest block on ``screen`` and where headlines begin, for the record: a line in the
    run's summary and in test-results/corpus-budget-{screen}.md."""
    heights = {name: o.block for name, o in found.items() if o.block is not None}
    largest = max(heights, key=lambda name: heights[name])
    with_h1 = [o for o in found.values() if o.h1_plain is not None]
    first = sum(1 for o in with_h1 if o.h1 is not None and o.h1 < o.screen)
    plain_first = sum(1 for o in with_h1 if o.h1_plain is not None and o.h1_plain < o.screen)
    line = (f"{screen}: largest block {heights[largest]:.0f} px ({largest}); "
            f"{len(with_h1)} pages show an <h1>: it begins on the first screen on "
            f"{first} with the block, {plain_first} without")
    report = ROOT / "test-results" / f"corpus-budget-{screen}.md"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(line + "\n", encoding="utf-8")
    SUMMARY.append(f"real pages, {line}")
    return line


def keep_record(outcome: Outcome, output_path: str, file_name: str, failing: bool,
                new_context: CreateContextCallback, options: dict[str, Any],
                servers: tuple[str, str]) -> None:
    """The page's screenshot, if it was taken, in the test's output folder; and when the test is
    about to fail, the page loaded again (from ``servers``: the origin, then Forewarn) in a
    context of pytest-playwright's, so the failure keeps a screenshot of its own (and a trace,
    when tracing is on: docs/testing.md)."""
    if outcome.screenshot is not None:
        folder = Path(output_path)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / file_name).write_bytes(outcome.screenshot)
    if failing:
        context = new_context(**options)
        only_to(context, servers)
        context.new_page().goto(f"{servers[1]}/corpus/{outcome.name}")
