"""The WSGI apps gunicorn runs in the benchmarks: a publisher's bare Flask app serving the
article, the same app in NoticeMiddleware (settings from FOREWARN_* variables, as any app would
take them), and a 20-line fragment app as the floor an edge include can reach in WSGI.

    gunicorn 'bench.apps:create_bare()'   # and create_middleware(), create_reference_fragment()
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING

import maxminddb
from flask import Flask, Response

from bench.article import PATH, article
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
