"""Take a PNG of a page Forewarn served, in Chromium, with nothing fetched from outside: the page
and forewarn.css come from memory, a local file's neighbours from its folder, a URL's own
resources from its origin; every other request is aborted."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from webapp.errors import PreviewFailed

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Route

VIEWPORTS = {390: 844, 1280: 800}  # a phone and a laptop, as the browser tests use


@dataclass(frozen=True)
class Shootable:
    """A served page and what the browser may load with it."""

    url: str  # where the page stands, so its relative links resolve
    html: bytes
    content_type: str
    stylesheet_path: str  # /_forewarn/static/forewarn.css under the configured prefix
    stylesheet: bytes
    folder: Path | None = None  # a local file's folder: its neighbours are served from it
    own_origin: bool = False  # a fetched URL: requests to its origin go through


def screenshot(browser: Browser, page: Shootable, out: Path, width: int,
               full_page: bool = False) -> int:
    """Write the PNG; returns how many requests were aborted (they were for elsewhere)."""
    from playwright.sync_api import Error

    context = browser.new_context(viewport={"width": width, "height": VIEWPORTS[width]},
                                  device_scale_factor=1, service_workers="block")
    aborted = [0]
    try:
        tab = context.new_page()
        tab.route("**/*", lambda route: _answer(route, page, aborted))
        tab.goto(page.url, wait_until="load")
        out.parent.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(out), full_page=full_page)
    except (Error, OSError) as error:
        text = str(error).strip().splitlines()
        raise PreviewFailed(f"{out}: no picture: {text[0] if text else 'failed'}") from None
    finally:
        context.close()
    return aborted[0]


def _answer(route: Route, page: Shootable, aborted: list[int]) -> None:
    url = route.request.url.split("#", 1)[0]
    target, home = urlsplit(url), urlsplit(page.url)
    same_origin = (target.scheme, target.netloc) == (home.scheme, home.netloc)
    if url == page.url.split("#", 1)[0]:
        route.fulfill(status=200, body=page.html, headers={"Content-Type": page.content_type})
    elif same_origin and target.path == page.stylesheet_path:
        route.fulfill(status=200, body=page.stylesheet, content_type="text/css")
    elif same_origin and (local := _neighbour(page.folder, target.path)) is not None:
        route.fulfill(status=200, path=local)
    elif same_origin and page.own_origin:
        route.continue_()
    else:
        aborted[0] += 1
        route.abort()


def _neighbour(folder: Path | None, path: str) -> Path | None:
    """The file under ``folder`` a same-origin path names, never one outside it."""
    if folder is None:
        return None
    root = folder.resolve()
    candidate = (root / unquote(path).lstrip("/")).resolve()
    if candidate.is_file() and candidate.is_relative_to(root):
        return candidate
    return None
