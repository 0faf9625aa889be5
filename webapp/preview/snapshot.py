"""Write previews to disk for ``forewarn preview``: the page as served at a place, its PNG, and
for ``--all`` one of each per place plus an index.html contact sheet linking them."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, select_autoescape

from webapp.catalog.model import Catalog
from webapp.engine import Engine
from webapp.pages import PageNotices
from webapp.preview.as_reader import Served, View, serve_as
from webapp.preview.matrix import severities
from webapp.preview.page_source import SourcePage
from webapp.preview.places import Place, PlaceNames
from webapp.preview.screenshot import Shootable, screenshot
from webapp.resources import STATIC_DIR, templates_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser

OFFLINE_STYLESHEET = "forewarn.css"  # beside the pages `forewarn preview --all` writes


@dataclass(frozen=True)
class Snapshot:
    """One place's page as written: file names relative to the output folder."""

    place: Place
    notices: tuple[str, ...]
    html_name: str
    png_name: str | None
    label: str = ""  # the place as editors say it (PlaceNames)
    heading: str = ""  # and the jurisdictions it falls in, by name


class Previewer:
    """Serves one source page through Forewarn's page path, as readers at chosen places get
    it."""

    def __init__(self, engine: Engine, source: SourcePage) -> None:
        self.engine = engine
        self.source = source
        self._pages = PageNotices(source, engine)

    def serve(self, view: View) -> Served:
        return serve_as(self._pages, self.source.path, view,
                        base_url=self.source.origin + "/")

    @property
    def stylesheet_path(self) -> str:
        """Where the block links its stylesheet: under Forewarn's prefix, on the site."""
        return f"{self.engine.settings.prefix}/static/forewarn.css"

    def shootable(self, served: Served) -> Shootable:
        return Shootable(
            url=self.source.url, html=served.body,
            content_type=served.headers.get("Content-Type", "text/html"),
            stylesheet_path=self.stylesheet_path,
            stylesheet=(STATIC_DIR / "forewarn.css").read_bytes(),
            folder=self.source.folder, own_origin=self.source.folder is None)


def write_all(previewer: Previewer, places: tuple[Place, ...], view: View, folder: Path,
              browser: Browser, width: int) -> Iterator[Snapshot]:
    """One HTML and one PNG per place in ``folder``, yielded as each is written. The pages are
    for opening from disk: the block links forewarn.css, copied beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(STATIC_DIR / "forewarn.css", folder / OFFLINE_STYLESHEET)
    names = PlaceNames(previewer.engine.catalog)
    for place in places:
        served = previewer.serve(View(place, view.day, view.lang, view.accept_language))
        html_name, png_name = f"{place.code}.html", f"{place.code}.png"
        (folder / html_name).write_bytes(offline(served.body, previewer.stylesheet_path))
        screenshot(browser, previewer.shootable(served), folder / png_name, width)
        found = previewer.engine.index.match(place.location)
        yield Snapshot(place, served.notice_ids, html_name, png_name, names.label(place),
                       names.heading(place, found))


def offline(body: bytes, stylesheet_path: str) -> bytes:
    """A page as served, but with the block's stylesheet linked from beside the file: opened from
    disk, the site's path would name a file at the root of the disk."""
    for charset in ("ascii", "utf-16-le", "utf-16-be"):  # UTF-16 pages carry the block in it
        served = f'<link rel="stylesheet" href="{stylesheet_path}"'.encode(charset)
        if served in body:
            beside = f'<link rel="stylesheet" href="{OFFLINE_STYLESHEET}"'.encode(charset)
            return body.replace(served, beside, 1)
    return body


def write_contact_sheet(folder: Path, shots: list[Snapshot], source: str, day: date,
                        width: int, catalog: Catalog) -> Path:
    """index.html linking every page and picture; preview.css copied beside it."""
    environment = Environment(loader=FileSystemLoader(templates_dir()),
                              autoescape=select_autoescape(default=True))
    html = environment.get_template("preview/contact.html").render(
        shots=shots, source=source, day=day, width=width, organization=catalog.organization,
        severity=severities(catalog))
    shutil.copyfile(STATIC_DIR / "preview.css", folder / "preview.css")
    out = folder / "index.html"
    out.write_text(html, encoding="utf-8")
    return out
