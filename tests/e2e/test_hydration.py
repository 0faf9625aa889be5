"""Client-rendered pages: small apps built here (tests/e2e/apps: React 18 and React 19 hydrating
the whole document with hydrateRoot(document, ...), Vue 3 hydrating #app; npm packages bundled
with esbuild by scripts/ensure-apps) served through `forewarn serve --upstream`, hydrated in
Chromium, re-rendered once, then looked at two seconds later. With the documented slot
(``<div data-forewarn-slot></div>``) every framework keeps the notice. Without it, React 18
throws the server's document away and the notice with it (RECIPES.md, "Client-side
hydration"), which is why the slot exists; the block's own script (static/keep.js) now puts it
back where the new body begins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.conftest import SCREENS
from tests.e2e.origin import APPS, StaticOrigin
from tests.support import LiveServer

READER = "192.0.2.1"  # a reader in Russia
# Without a slot, as documented (docs/placement.md): React 18 throws the block away with the
# whole document (RECIPES.md), and static/keep.js puts it back.
WITHOUT_SLOT = {"react18": "kept", "react19": "kept", "vue": "kept"}
NOTICE = """() => {
  const blocks = document.querySelectorAll("aside.forewarn[data-forewarn]");
  if (blocks.length !== 1) return {state: blocks.length ? "doubled" : "lost"};
  const block = blocks[0], title = block.querySelector("h2");
  const r = title.getBoundingClientRect();
  const seen = title.checkVisibility({opacityProperty: true, visibilityProperty: true}) &&
    r.width > 0 && r.top >= 0 && r.bottom <= innerHeight;
  return {state: seen ? "kept" : "hidden",
          inSlot: !!block.parentElement.closest("[data-forewarn-slot]")};
}"""
RESULTS: dict[str, str] = {}
HYDRATION_ERRORS = (418, 423, 425)  # React 18: "hydration failed", "recoverable", "text differs"


@pytest.fixture(scope="module", autouse=True)
def record(tmp_path_factory: pytest.TempPathFactory) -> object:
    """After the module: the table of outcomes, printed and in test-results/hydration.json."""
    yield
    if RESULTS:
        Path("test-results").mkdir(exist_ok=True)
        Path("test-results/hydration.json").write_text(json.dumps(RESULTS, indent=1))
        print("\nhydration:", json.dumps(RESULTS))

pytestmark = pytest.mark.skipif(
    not (APPS / "react18-slot.html").is_file(),
    reason="the hydration apps are not built: run scripts/ensure-apps (make test does; it needs "
           "node and npm from Debian and the npm registry)")


def hydrated(page: Page, url: str) -> dict[str, object]:
    page.goto(url)
    page.wait_for_function("window.__hydrated === true")
    page.wait_for_timeout(2000)  # what the reader sees two seconds after hydration
    return dict(page.evaluate(NOTICE))


def looked_at(page: Page, url: str, shot: Path) -> tuple[list[str], dict[str, object]]:
    """``hydrated``, with the page's errors on the way and a screenshot of what was seen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    found = hydrated(page, url)
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot))
    return errors, found


@pytest.mark.parametrize("app", sorted(WITHOUT_SLOT))
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_a_slot_keeps_the_notice_through_hydration(
    app: str, screen: str, new_context: CreateContextCallback, origin: StaticOrigin,
    forewarn_proxy: LiveServer, output_path: str,
) -> None:
    context = new_context(**SCREENS[screen], extra_http_headers={"X-Forwarded-For": READER})
    errors, found = looked_at(context.new_page(), f"{forewarn_proxy.url}/app/{app}-slot.html",
                              Path(output_path) / f"{app}-slot-{screen}.png")
    RESULTS[f"{app} with slot ({screen})"] = str(found["state"])
    assert found == {"state": "kept", "inSlot": True}
    assert errors == []


@pytest.mark.parametrize("app", sorted(WITHOUT_SLOT))
def test_without_a_slot_the_notice_fares_as_documented(
    app: str, new_context: CreateContextCallback, origin: StaticOrigin,
    forewarn_proxy: LiveServer, output_path: str,
) -> None:
    context = new_context(**SCREENS["desktop"], extra_http_headers={"X-Forwarded-For": READER})
    page = context.new_page()
    errors, found = looked_at(page, f"{forewarn_proxy.url}/app/{app}-plain.html",
                              Path(output_path) / f"{app}-plain.png")
    RESULTS[f"{app} without slot"] = str(found["state"])
    assert found["state"] == WITHOUT_SLOT[app]
    assert page.locator("h1").inner_text() == "The library that stayed open all winter"
    # React 18 reports the difference it rebuilt the document for (its errors 418 and 423,
    # with or without keep.js); nothing else may fail.
    assert [error for error in errors if app != "react18" or not any(
        f"React error #{code};" in error for code in HYDRATION_ERRORS)] == []


def test_without_the_blocks_script_react_18_loses_the_notice(
    new_context: CreateContextCallback, origin: StaticOrigin, forewarn_proxy: LiveServer,
) -> None:
    """The control: the same page with keep.js refused (the reader's browser, or a policy,
    does not load it) loses the notice, as measured before keep.js (RECIPES.md)."""
    context = new_context(**SCREENS["desktop"], extra_http_headers={"X-Forwarded-For": READER})
    context.route("**/_forewarn/static/keep.js", lambda route: route.abort())
    found = hydrated(context.new_page(), f"{forewarn_proxy.url}/app/react18-plain.html")
    assert found["state"] == "lost"
