"""`forewarn preview --screenshot` and `--all`, run as the real command (each run starts its own
Chromium through webapp/preview/browser.py): the PNG's size, the notice's pixels, no request to
anywhere but the page's own origin, and the contact sheet."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser
from werkzeug.wrappers import Request, Response

from tests.support import ThreadedApp
from webapp.cli import main
from webapp.errors import BrowserMissing
from webapp.preview.browser import find_chromium
from webapp.preview.page_source import FILE_ORIGIN
from webapp.preview.screenshot import VIEWPORTS, Shootable, screenshot

pytestmark = pytest.mark.e2e
FOREWARN = Path(sys.executable).with_name("forewarn")
CRITICAL_BACKGROUND = (253, 236, 234)  # .forewarn-critical in forewarn.css
SITE_BACKGROUND = (221, 238, 255)  # the test site's own stylesheet
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Ice</title><link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{outside}/font.css"></head>
<body><main><h1>The river froze early</h1><p>It did.</p>
<img src="{outside}/pixel.gif" alt=""></main></body>
</html>
"""


def _chromium_or_skip() -> None:
    try:
        find_chromium(os.environ)
    except BrowserMissing as missing:
        pytest.skip(str(missing))


class Recorder(ThreadedApp):
    """A local HTTP server that serves a page and its stylesheet and records every path asked."""

    def __init__(self, outside: str = "http://127.0.0.1:9") -> None:
        self.paths: list[str] = []
        self.outside = outside
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        request = Request(environ)
        self.paths.append(request.path)
        if request.path == "/site.css":
            response = Response("body { background: rgb(221, 238, 255) }", content_type="text/css")
        elif request.path == "/article":
            response = Response(PAGE.format(css="/site.css", outside=self.outside),
                                content_type="text/html; charset=utf-8")
        else:
            response = Response("gif", content_type="image/gif")
        return response(environ, start_response)


@pytest.fixture
def servers() -> Iterator[tuple[Recorder, Recorder]]:
    """The page's origin, and an origin elsewhere that its page also names."""
    _chromium_or_skip()
    elsewhere = Recorder()
    origin = Recorder(outside=elsewhere.url)
    yield origin, elsewhere
    origin.stop()
    elsewhere.stop()


def forewarn(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(FOREWARN), "preview", "--demo", *argv], capture_output=True,
                          text=True, timeout=180, check=False)


def pixels(path: Path, colour: tuple[int, int, int], rows: int | None = None) -> int:
    """How many pixels of the picture (of its first ``rows`` rows) have exactly ``colour``."""
    with Image.open(path) as image:
        rgb = image.convert("RGB")
        if rows is not None:
            rgb = rgb.crop((0, 0, rgb.width, rows))
        counts = rgb.getcolors(maxcolors=rgb.width * rgb.height) or []
    return sum(count for count, found in counts if found == colour)


def notice_on_top(path: Path, width: int) -> bool:
    """The critical notice's background takes most of the picture's top 60 rows (its first
    lines: the severity tag and title sit on it) and a tenth of the screen at least."""
    return (pixels(path, CRITICAL_BACKGROUND, rows=60) > width * 60 * 0.6
            and pixels(path, CRITICAL_BACKGROUND) > width * VIEWPORTS[width] // 10)


def test_screenshot_has_the_width_and_shows_the_notice_where_it_applies(
    servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    origin, elsewhere = servers
    shots = {}
    for country in ("RU", "DE"):
        shots[country] = tmp_path / f"{country}.png"
        done = forewarn("--country", country, "--url", f"{origin.url}/article", "--width",
                        "390", "--screenshot", str(shots[country]))
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
        assert done.stdout.startswith(f"{shots[country]}: ")
        with Image.open(shots[country]) as image:
            assert image.size == (390, 844)
    area = 390 * 844
    assert notice_on_top(shots["RU"], 390)
    assert pixels(shots["DE"], CRITICAL_BACKGROUND) == 0
    assert pixels(shots["DE"], SITE_BACKGROUND) > area // 2  # the site's own style, from itself
    assert origin.paths.count("/site.css") == 2
    assert elsewhere.paths == []  # the font and the image named elsewhere were never fetched


def test_out_and_screenshot_together_at_1280(
    servers: tuple[Recorder, Recorder], tmp_path: Path
) -> None:
    origin, _ = servers
    out, png = tmp_path / "page.html", tmp_path / "shots" / "page.png"
    done = forewarn("--region", "UA-43", "--url", f"{origin.url}/article", "--out", str(out),
                    "--screenshot", str(png), "--width", "1280")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"{out}: Crimea (Avtonomna Respublika Krym, UA-43): notices ru-undesirable",
        f"{png}: Crimea (Avtonomna Respublika Krym, UA-43): notices ru-undesirable"]
    assert 'data-forewarn="ru-undesirable"' in out.read_text(encoding="utf-8")
    with Image.open(png) as image:
        assert image.size == (1280, 800)
    assert notice_on_top(png, 1280)


def test_screenshot_serves_a_files_neighbours_and_aborts_everything_else(
    browser: Browser, tmp_path: Path
) -> None:
    (tmp_path / "site.css").write_text("body { background: rgb(221, 238, 255) }")
    html = PAGE.format(css="site.css", outside="https://cdn.example").encode()
    page = Shootable(url=f"{FILE_ORIGIN}/article.html", html=html, content_type="text/html",
                     stylesheet_path="/_forewarn/static/forewarn.css", stylesheet=b"",
                     folder=tmp_path)
    aborted = screenshot(browser, page, tmp_path / "full.png", 390, full_page=True)
    assert aborted == 2  # the font and the image at cdn.example
    with Image.open(tmp_path / "full.png") as image:
        assert image.width == 390
    assert pixels(tmp_path / "full.png", SITE_BACKGROUND) > 390 * 844 // 2
    outside = Shootable(url=f"{FILE_ORIGIN}/a.html", html=b'<img src="/../../etc/passwd">',
                        content_type="text/html", stylesheet_path="/x.css", stylesheet=b"",
                        folder=tmp_path)
    assert screenshot(browser, outside, tmp_path / "b.png", 390) == 1  # nothing above its folder


def test_all_writes_each_place_and_a_contact_sheet_that_shows_them(
    tmp_path: Path, browser: Browser, output_path: str
) -> None:
    _chromium_or_skip()
    source = tmp_path / "article.html"
    source.write_text(PAGE.format(css="site.css", outside="https://cdn.example"), encoding="utf-8")
    (tmp_path / "site.css").write_text("body { background: rgb(221, 238, 255) }")
    folder = tmp_path / "out"
    done = forewarn("--all", "--file", str(source), "--dir", str(folder), "--width", "390",
                    "--date", "2026-01-01")
    assert done.returncode == 0, done.stderr
    codes = ["RU", "UA-43", "BY", "IR", "DE", "US", "UA", "unknown"]
    assert done.stdout == f"{folder / 'index.html'}: {len(codes)} places\n"
    for code in codes:
        html = (folder / f"{code}.html").read_text(encoding="utf-8")
        assert ('class="forewarn"' in html) == (code in ("RU", "UA-43", "BY", "IR", "unknown"))
        with Image.open(folder / f"{code}.png") as image:
            assert image.size == (390, 844)
    assert pixels(folder / "DE.png", SITE_BACKGROUND) > 390 * 844 // 2  # its neighbour's style
    sheet = (folder / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<img src="([^"]+)"', sheet) == [f"{code}.png" for code in codes]
    assert re.findall(r'class="pv-open" href="([^"]+)"', sheet) == [f"{c}.html" for c in codes]
    assert "as of 2026-01-01" in sheet
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((folder / "index.html").as_uri())
    images = page.locator("img")
    assert images.count() == len(codes)
    for i in range(len(codes)):
        assert images.nth(i).evaluate("img => img.complete && img.naturalWidth") == 390
    assert page.locator(".pv-bar").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(31, 42, 54)")  # preview.css was copied beside it
    Path(output_path).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(output_path) / "contact-sheet.png"), full_page=True)
    page.close()


def test_all_pages_and_their_contact_sheet_open_from_disk_styled(
    tmp_path: Path, browser: Browser
) -> None:
    """Opened from file://, the written pages show the notice with forewarn.css (copied beside
    them, linked relatively) and the contact sheet with preview.css, and its links lead to the
    pages."""
    _chromium_or_skip()
    source = tmp_path / "article.html"
    source.write_text(PAGE.format(css="site.css", outside="https://cdn.example"), encoding="utf-8")
    folder = tmp_path / "out"
    done = forewarn("--all", "--file", str(source), "--dir", str(folder), "--width", "390")
    assert done.returncode == 0, done.stderr
    assert (folder / "forewarn.css").read_bytes() == (
        Path(__file__).parents[3] / "webapp" / "static" / "forewarn.css").read_bytes()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((folder / "index.html").as_uri())
    assert page.locator(".pv-bar").evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb(31, 42, 54)")
    page.locator('a.pv-open[href="RU.html"]').click()
    page.wait_for_url("**/RU.html")
    assert page.url == (folder / "RU.html").as_uri()
    aside = page.locator("aside.forewarn")
    assert aside.evaluate("e => getComputedStyle(e).zIndex") == "2147483647"
    section = page.locator("section.forewarn-critical").first
    assert section.evaluate("e => getComputedStyle(e).backgroundColor") == (
        "rgb({}, {}, {})".format(*CRITICAL_BACKGROUND))
    page.close()


def test_no_browser_is_one_line_saying_how_to_get_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    source = tmp_path / "a.html"
    source.write_text("<!doctype html><html><body><p>x</p></body></html>")
    monkeypatch.setenv("FOREWARN_CHROMIUM", str(tmp_path / "no-chromium"))
    code = main(["preview", "--demo", "--country", "RU", "--file", str(source),
                 "--screenshot", str(tmp_path / "a.png")])
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err == (f"forewarn: FOREWARN_CHROMIUM: {tmp_path / 'no-chromium'} is not a file; "
                   "install Debian's chromium (apt-get install chromium) or set "
                   "FOREWARN_CHROMIUM to a Chromium or Chrome binary\n")
    assert not (tmp_path / "a.png").exists()
