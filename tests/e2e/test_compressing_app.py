"""A Flask app that compresses its own pages (Flask-Compress, as it comes) inside
NoticeMiddleware. Chromium offers ``zstd`` (also to 127.0.0.1, a secure context), and
Flask-Compress prefers it: the app alone answers zstd, which Forewarn cannot undo, so every
page passed without its notice. The middleware now offers the app only the codings it can
undo (``decodable`` in webapp/page/coding.py), and the reader gets the notice."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask_compress import Compress
from playwright.sync_api import Page, Response

from tests.e2e.conftest import ReaderFactory
from tests.support import TODAY, ThreadedApp
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.settings import Settings

RUSSIA = "192.0.2.10"
ARTICLE = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Ferries</title>"
           "</head><body><main><h1>Harbour ferries run all winter</h1>"
           + "<p>The timetable changes on Monday.</p>" * 40 + "</main></body></html>")


def compressing_app() -> Flask:
    app = Flask("compressing")
    Compress(app)  # its defaults: zstd first, then br, gzip, deflate

    @app.route("/a/1")
    def article() -> str:
        return ARTICLE

    return app


class Served(ThreadedApp):
    """``app`` served from a thread, keeping the Accept-Encoding each request came with
    (Playwright does not show it)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.offered: list[str] = []
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.offered.append(environ.get("HTTP_ACCEPT_ENCODING", ""))
        result: Iterable[bytes] = self.app(environ, start_response)
        return result


@pytest.fixture(scope="module")
def servers(demo_settings: Settings) -> Iterator[tuple[Served, Served]]:
    bare = compressing_app()
    noticed = compressing_app()
    noticed.wsgi_app = NoticeMiddleware(  # type: ignore[method-assign]
        noticed.wsgi_app, engine=Engine(demo_settings, clock=lambda: TODAY))
    both = (Served(bare), Served(noticed))
    yield both
    for server in both:
        server.stop()


def opened(reader: ReaderFactory, server: Served) -> tuple[Page, Response]:
    """The article opened by a reader in Russia, whose Chromium offered zstd."""
    page = reader(RUSSIA, servers=(server.url,)).page
    response = page.goto(f"{server.url}/a/1")
    assert response is not None
    assert "zstd" in server.offered[-1]
    assert page.locator("h1").inner_text() == "Harbour ferries run all winter"
    return page, response


def test_the_app_alone_answers_chromium_in_zstd(
    reader: ReaderFactory, servers: tuple[Served, Served]
) -> None:
    """The control: what the app does without Forewarn, for the same browser."""
    _, response = opened(reader, servers[0])
    assert response.headers["content-encoding"] == "zstd"


def test_a_reader_in_russia_gets_the_notice_on_the_apps_compressed_page(
    reader: ReaderFactory, servers: tuple[Served, Served]
) -> None:
    page, response = opened(reader, servers[1])
    assert response.headers["content-encoding"] == "br"  # the app's next choice, undone and redone
    assert response.headers["x-forewarn-notices"] == "ru-undesirable"
    assert page.evaluate("document.body.firstElementChild.matches('aside.forewarn')")
    assert page.locator('section.forewarn-notice[data-notice-id="ru-undesirable"]').is_visible()
