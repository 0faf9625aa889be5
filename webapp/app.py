"""The Flask application factory: the demo articles (with --demo) behind NoticeMiddleware,
and Forewarn's endpoints under the prefix."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from flask import Flask

from webapp.demo import ENGINE_KEY, demo_blueprint
from webapp.engine import Engine
from webapp.metrics import Metrics
from webapp.middleware import NoticeMiddleware
from webapp.page.headers import EDGE_KEY_HEADER
from webapp.proxy import UpstreamProxy
from webapp.reader.cdn import cdn_headers
from webapp.resources import STATIC_DIR, templates_dir
from webapp.settings import Settings, load_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def create_app(settings: Settings | None = None, *, engine: Engine | None = None,
               environ: Mapping[str, str] | None = None) -> Flask:
    """Build the app. Without arguments, settings come from FOREWARN_CONFIG and FOREWARN_* keys.

    With ``settings.upstream`` every page comes from that origin (the proxy shape); else with
    ``settings.demo`` the app serves the demo articles; otherwise it serves only the endpoints
    under the prefix (the edge-include shape: /_forewarn/fragment and friends).
    """
    if engine is None:
        environ = os.environ if environ is None else environ
        settings = settings or load_settings(environ=environ)
        engine = Engine(settings, metrics=Metrics(environ))
    demo = engine.settings.demo
    app = Flask("forewarn", template_folder=str(templates_dir()),
                static_folder=str(STATIC_DIR) if demo else None)
    if demo:
        app.extensions[ENGINE_KEY] = engine
        app.register_blueprint(demo_blueprint)
    pages: WSGIApplication = app.wsgi_app
    if engine.settings.upstream:
        settings = engine.settings
        cdn = cdn_headers(settings.country_header, settings.region_header, settings.asn_header)
        # The place headers and what the shipped edge cache sends besides (the network, the
        # variant key) say where the reader is: not the origin's business (README, Privacy).
        dropped = (*(cdn.vary if cdn else ()), "X-Forewarn-ASN", EDGE_KEY_HEADER)
        pages = UpstreamProxy(settings, extra_dropped=dropped)
    app.wsgi_app = NoticeMiddleware(pages, engine=engine)  # type: ignore[method-assign]
    return app
