"""The WSGI apps gunicorn runs in the benchmarks: a publisher's bare Flask app serving the
article, the same app in NoticeMiddleware (settings from FOREWARN_* variables, as any app would
take them), in the naive floor middleware, and a 20-line fragment app as the floor an edge
include can reach in WSGI.

    gunicorn 'bench.apps:create_bare()'   # and create_middleware(), create_naive(),
                                          # create_reference_fragment()
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import maxminddb
from flask import Flask, Response

from bench.article import BODY_TAG, PATH, article
from webapp.middleware import NoticeMiddleware

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

REFERENCE_BLOCK = (b'<aside class="forewarn" data-forewarn="reference">'
                   b"<p>Reader safety notice</p></aside>")


def create_bare() -> Flask:
    """The publisher's own app: the article from memory, as a CMS's cache would give it."""
    page = article()
    app = Flask("bench.bare")

    @app.get(PATH)
    def serve_article() -> Response:
        return Response(page, content_type="text/html; charset=utf-8")

    return app


def create_middleware() -> Flask:
    """The same app with Forewarn wrapped around it, the way the README shows."""
    app = create_bare()
    app.wsgi_app = NoticeMiddleware(app.wsgi_app)  # type: ignore[method-assign]
    return app


class NaiveMiddleware:
    """The floor for any Python middleware that adds a banner: the page joined into one string,
    one raw look-up of the last forwarded address, the banner put after the body tag by one
    ``bytes.replace``, Content-Length set. No streaming, charsets, codings, cache headers,
    placement by the HTML standard, counting or privacy: what NoticeMiddleware's cost is
    measured against (`make bench`)."""

    def __init__(self, app: WSGIApplication, database: str, banner: bytes) -> None:
        self.app = app
        self.reader = maxminddb.open_database(database)
        self.banner = BODY_TAG + banner

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        held: list[Any] = []

        def capture(status: str, headers: list[tuple[str, str]],
                    exc_info: Any = None) -> Callable[[bytes], object]:
            held.extend((status, headers))
            return lambda data: None

        body = self.app(environ, capture)
        try:
            page = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        address = environ.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        record = self.reader.get(address or environ["REMOTE_ADDR"])
        country = record.get("country") if isinstance(record, dict) else None
        if isinstance(country, dict) and country.get("iso_code") == "RU":
            page = page.replace(BODY_TAG, self.banner, 1)
        status, headers = held
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(page)))])
        return [page]


def create_naive() -> Flask:
    """The bare app in NaiveMiddleware, with the block Forewarn gives a reader in Russia."""
    app = create_bare()
    database = os.environ["FOREWARN_GEOIP_DBS"].split(",")[0]
    app.wsgi_app = NaiveMiddleware(app.wsgi_app, database,  # type: ignore[method-assign]
                                   russian_block())
    return app


def russian_block() -> bytes:
    """The block Forewarn renders for a reader in Russia on the article: the same bytes."""
    from geoip.location import Location
    from webapp.engine import Engine
    from webapp.reader.links import PageURL
    from webapp.settings import load_settings

    engine = Engine(load_settings(environ=dict(os.environ)))
    return engine.block_bytes(engine.decide(Location("RU"), "en"), PageURL(PATH))[0]


def create_reference_fragment() -> WSGIApplication:
    """What a bare fragment service is: the forwarded address next to the cache's own, one raw
    look-up, a fixed block for readers in Russia. No catalog, languages, mirrors, cache headers,
    metrics or checks."""
    reader = maxminddb.open_database(os.environ["FOREWARN_GEOIP_DBS"].split(",")[0])

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        hops = environ.get("HTTP_X_FORWARDED_FOR", "").split(",")
        address = next((h.strip() for h in reversed(hops) if h.strip() != "127.0.0.1"), "")
        try:
            record = reader.get(address) or {}
        except ValueError:
            record = {}
        country = record.get("country", {}).get("iso_code") if isinstance(record, dict) else None
        body = REFERENCE_BLOCK if country == "RU" else b""
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Length", str(len(body))),
                                  ("Cache-Control", "private")])
        return [body]

    return app
