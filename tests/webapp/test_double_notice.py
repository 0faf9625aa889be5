"""A page that already carries a Forewarn block (a Forewarn behind this one, middleware stacked
twice, a page saved as it was served) never gets a second one: serving leaves it as it is and
counts why; the preview replaces it with the block of the place it shows. Checked against
html5lib's tree, not by counting strings."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import html5lib
import pytest
from werkzeug.test import Client

from tests.support import TODAY, LiveServer
from webapp.app import create_app
from webapp.cli import main
from webapp.engine import Engine
from webapp.metrics import Metrics
from webapp.middleware import NoticeMiddleware
from webapp.preview.as_reader import View, serve_as
from webapp.preview.places import Place
from webapp.settings import Settings, load_settings

RUSSIA, GERMANY = "192.0.2.10", "198.51.100.1"
BLOCK = (b'<aside class="forewarn" data-forewarn="ru-undesirable" lang="en">'
         b'<section class="forewarn-notice" data-notice-id="ru-undesirable"><h2>Old</h2>'
         b"</section></aside>")
SAVED = (b'<!doctype html><html lang="en"><head><title>t</title></head><body>\n  ' + BLOCK +
         b"<p>Story</p></body></html>")


def blocks(html: bytes) -> list[str]:
    """The data-forewarn of every block in the page, as the HTML parser builds the document."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return [aside.get("data-forewarn", "") for aside in tree.iter("aside")
            if "forewarn" in aside.get("class", "").split()]


def skipped(engine: Engine, reason: str) -> float:
    value = engine.metrics.registry.get_sample_value("forewarn_splice_skipped_total",
                                                     {"reason": reason})
    return value or 0.0


def page_app(body: bytes, coding: str | None = None, notices: str | None = None) -> Any:
    if coding == "gzip":
        body = gzip.compress(body)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        headers = [("Content-Type", "text/html; charset=utf-8"),
                   ("Content-Length", str(len(body)))]
        headers += [("Content-Encoding", coding)] if coding else []
        headers += [("X-Forewarn-Notices", notices)] if notices else []
        start_response("200 OK", headers)
        return [body]
    return app


def get(app: Any, address: str, path: str = "/a/1") -> Any:
    return Client(app).get(path, headers={"X-Forwarded-For": address},
                           environ_base={"REMOTE_ADDR": "127.0.0.1"})


def fresh_engine(settings: Settings) -> Engine:
    return Engine(settings, clock=lambda: TODAY, metrics=Metrics())


@pytest.mark.parametrize("coding", [None, "gzip"])
def test_a_page_saved_with_a_block_is_served_as_it_is_and_counted(
    demo_settings: Settings, coding: str | None
) -> None:
    engine = fresh_engine(demo_settings)
    response = get(NoticeMiddleware(page_app(SAVED, coding), engine=engine), GERMANY)
    body = response.get_data()
    assert (gzip.decompress(body) if coding else body) == SAVED
    assert blocks(SAVED) == ["ru-undesirable"]
    assert "X-Forewarn-Notices" not in response.headers  # this Forewarn added nothing
    assert skipped(engine, "already-noticed") == 1


def test_middleware_stacked_twice_adds_one_block(demo_settings: Settings) -> None:
    from tests.webapp.test_middleware import PAGE

    inner, outer = fresh_engine(demo_settings), fresh_engine(demo_settings)
    app = NoticeMiddleware(NoticeMiddleware(page_app(PAGE), engine=inner), engine=outer)
    response = get(app, RUSSIA)
    assert blocks(response.get_data()) == ["ru-undesirable"]
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert skipped(outer, "already-noticed") == 1


def test_a_header_from_the_app_alone_is_enough(demo_settings: Settings) -> None:
    """A Forewarn behind this one that decided "none" has added nothing: still not a second
    decision."""
    engine = fresh_engine(demo_settings)
    page = SAVED.replace(b"\n  " + BLOCK, b"")
    response = get(NoticeMiddleware(page_app(page, notices="none"), engine=engine), RUSSIA)
    assert response.get_data() == page
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert skipped(engine, "already-noticed") == 1


def test_the_proxy_in_front_of_another_forewarn_adds_no_second_block(
    live_demo: LiveServer, demo_db: Path
) -> None:
    settings = load_settings({"upstream": live_demo.url, "geoip_dbs": [str(demo_db)],
                              "trusted_proxies": ["127.0.0.0/8"]}, environ={})
    engine = fresh_engine(settings)
    response = get(create_app(engine=engine), RUSSIA, "/articles/library-winter")
    body = response.get_data()
    assert response.status_code == 200 and b"<article" in body
    assert len(blocks(body)) == 1
    assert skipped(engine, "already-noticed") == 1


@pytest.mark.parametrize(("place", "expected"), [
    (Place("DE"), []), (Place("BY"), ["by-extremist"]), (Place("UA", "UA-43"), ["ru-undesirable"])])
@pytest.mark.parametrize("coding", [None, "gzip"])
def test_the_preview_replaces_the_block_the_page_came_with(
    engine: Engine, coding: str | None, place: Place, expected: list[str]
) -> None:
    app = NoticeMiddleware(page_app(SAVED, coding, notices="ru-undesirable"), engine=engine)
    served = serve_as(app.pages, "/a/1", View(place))
    body = gzip.decompress(served.body) if coding else served.body
    assert blocks(body) == ([" ".join(expected)] if expected else [])
    assert served.notice_ids == tuple(expected)
    assert b"<p>Story</p></body></html>" in body
    if coding is None:
        assert int(served.headers["Content-Length"]) == len(body)


@pytest.mark.parametrize(("country", "expected"), [("RU", ["ru-undesirable"]), ("DE", [])])
def test_forewarn_preview_of_a_page_served_through_forewarn_shows_one_block(
    live_demo: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str], country: str,
    expected: list[str]
) -> None:
    out = tmp_path / "page.html"
    code = main(["preview", "--demo", "--country", country, "--url",
                 f"{live_demo.url}/articles/library-winter", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert blocks(out.read_bytes()) == ([" ".join(expected)] if expected else [])


@pytest.mark.parametrize("coding", [None, "gzip"])
@pytest.mark.parametrize("address", [RUSSIA, GERMANY])
def test_a_block_saved_at_the_marker_is_found_once_the_head_is_remembered(
    demo_settings: Settings, coding: str | None, address: str
) -> None:
    """The second request for a page finds its head remembered, and the marker is looked for
    only for a reader who gets a block (issue 17): the block already there is still found."""
    marked = SAVED.replace(b"\n  " + BLOCK, b"<header>Site</header><!-- forewarn -->" + BLOCK)
    engine = fresh_engine(demo_settings)
    app = NoticeMiddleware(page_app(marked, coding), engine=engine)
    for _ in range(2):
        body = get(app, address).get_data()
        assert (gzip.decompress(body) if coding else body) == marked
        assert blocks(marked) == ["ru-undesirable"]
    # A reader with a notice: the marker is read, the block there found and counted each time.
    # One without: the page as it is, counted as a page without a notice (the marker's window is
    # read only for a reader who would get a block; docs/middleware.md).
    assert skipped(engine, "already-noticed") == (2 if address == RUSSIA else 0)


@pytest.mark.parametrize("coding", [None, "gzip"])
@pytest.mark.parametrize("address", [RUSSIA, GERMANY])
def test_a_block_saved_in_the_slot_is_found(
    demo_settings: Settings, coding: str | None, address: str
) -> None:
    """A page served with the block in its ``data-forewarn-slot`` and saved as it was: the slot
    is no longer empty, but the block in it is the page's, and no second one goes in."""
    slotted = SAVED.replace(b"\n  " + BLOCK,
                            b"<header>Site</header><div data-forewarn-slot>" + BLOCK + b"</div>")
    engine = fresh_engine(demo_settings)
    app = NoticeMiddleware(page_app(slotted, coding), engine=engine)
    for _ in range(2):
        body = get(app, address).get_data()
        assert blocks(gzip.decompress(body) if coding else body) == ["ru-undesirable"]
        assert (gzip.decompress(body) if coding else body) == slotted
    assert skipped(engine, "already-noticed") == (2 if address == RUSSIA else 0)


@pytest.mark.parametrize(("place", "expected"),
                         [(Place("DE"), []), (Place("BY"), ["by-extremist"])])
def test_the_preview_puts_its_block_in_the_slot_of_the_old_one(
    engine: Engine, place: Place, expected: list[str]
) -> None:
    slotted = SAVED.replace(b"\n  " + BLOCK, b"<div data-forewarn-slot>" + BLOCK + b"</div>")
    app = NoticeMiddleware(page_app(slotted, notices="ru-undesirable"), engine=engine)
    body = serve_as(app.pages, "/a/1", View(place)).body
    assert blocks(body) == ([" ".join(expected)] if expected else [])
    slot = html5lib.parse(body, namespaceHTMLElements=False).find(".//div[@data-forewarn-slot]")
    assert slot is not None
    assert [child.tag for child in slot] == (["aside"] if expected else [])
