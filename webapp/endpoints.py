"""The Flask app mounted under the prefix (/_forewarn): health, metrics, stylesheet, fragment,
and the preview's blueprint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, jsonify, request, send_from_directory

from webapp.engine import Engine
from webapp.fragment import fragment_answer
from webapp.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from webapp.preview.views import PreviewBacking, preview_blueprint
from webapp.resources import STATIC_DIR, templates_dir

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def create_endpoints(engine: Engine, pages: WSGIApplication) -> Flask:
    """The endpoints app for ``engine``; ``pages`` serves a page as readers get it (the
    middleware's page path), for the preview's frames."""
    app = Flask("forewarn.endpoints", template_folder=str(templates_dir()), static_folder=None)
    app.extensions[PreviewBacking.KEY] = PreviewBacking(engine, pages)

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
        """Just the block for this reader, for an ESI/SSI include; empty when nothing applies.
        Plain GETs are answered before routing (webapp/fragment.py); this takes the rest."""
        body, headers = fragment_answer(engine, request.environ, request.args.get("path", "/"),
                                        request.args.get("lang") or None)
        return Response(body, headers=headers)

    app.register_blueprint(preview_blueprint)
    return app
