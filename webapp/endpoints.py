"""The Flask app mounted under the prefix (/_forewarn): health, stylesheet, fragment, preview."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify, request, send_from_directory

from webapp import headers as response_headers
from webapp.links import Request
from webapp.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from webapp.preview import preview_blueprint

if TYPE_CHECKING:
    from webapp.middleware import NoticeMiddleware

STATIC_DIR = Path(__file__).with_name("static")


def create_endpoints(middleware: NoticeMiddleware) -> Flask:
    """Build the endpoints app for one middleware (it shares the middleware's engine)."""
    from webapp.render import templates_dir

    app = Flask("forewarn.endpoints", template_folder=str(templates_dir()), static_folder=None)
    app.extensions["forewarn"] = middleware
    engine = middleware.engine

    @app.get("/healthz")
    def healthz() -> Response:
        response = jsonify(engine.health())
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text: counts per notice, outcome and reason; no reader data."""
        response = Response(engine.metrics.render(), content_type=METRICS_CONTENT_TYPE)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/static/<name>")
    def static(name: str) -> Response:
        """forewarn.css (linked from every block) and the preview's stylesheet."""
        response = send_from_directory(STATIC_DIR, name, max_age=3600)
        response.headers["Access-Control-Allow-Origin"] = "*"
        return response

    @app.get("/fragment")
    def fragment() -> Response:
        """Just the block for this reader, for an ESI/SSI include; empty when nothing applies."""
        lang = request.args.get("lang") or None
        location, vary = engine.place(request.environ)
        decision = engine.decide(location, lang,
                                 accept_language=request.headers.get("Accept-Language"))
        if decision.used_accept_language and vary:
            vary = (*vary, "Accept-Language")
        page = Request.from_environ(request.environ, path=request.args.get("path", "/"))
        html = engine.block(decision, page).html
        response = Response(html, content_type="text/html; charset=utf-8")
        # The whole body is the block: its length is already right, only the headers are added.
        response_headers.finish(response.headers, decision.notice_ids, 0, vary=vary)
        engine.metrics.served(decision.notice_ids)
        return response

    app.register_blueprint(preview_blueprint)
    return app
