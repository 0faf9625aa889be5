"""Find a Chromium (Debian's, as the tests use) and start it headless through Playwright, with
background networking off; when there is none, say how to get one."""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from webapp.errors import BrowserMissing

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# No sandbox (tests and containers run as root), no GPU, and no requests of the browser's own
# (updates, sync, field trials): the only traffic is what the page asks for.
CHROMIUM_FLAGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run")
HOW_TO_GET_ONE = ("install Debian's chromium (apt-get install chromium) or set "
                  "FOREWARN_CHROMIUM to a Chromium or Chrome binary")


def find_chromium(environ: Mapping[str, str]) -> str:
    """FOREWARN_CHROMIUM when set (it must exist), else /usr/bin/chromium, else one on PATH."""
    chosen = environ.get("FOREWARN_CHROMIUM")
    if chosen:
        if not Path(chosen).is_file():
            raise BrowserMissing(f"FOREWARN_CHROMIUM: {chosen} is not a file; {HOW_TO_GET_ONE}")
        return chosen
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise BrowserMissing(f"no Chromium found: {HOW_TO_GET_ONE}")


@contextmanager
def chromium(environ: Mapping[str, str]) -> Iterator[Browser]:
    """A headless Chromium for the length of the ``with`` block."""
    executable = find_chromium(environ)
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        raise BrowserMissing("screenshots need Playwright: pip install 'forewarn[screenshot]'"
                             ) from None
    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                                 args=list(CHROMIUM_FLAGS))
        except Error as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else "failed"
            raise BrowserMissing(f"{executable} did not start: {first}") from None
        try:
            yield browser
        finally:
            browser.close()
