"""The Flask app mounted under the prefix (/_forewarn): health, metrics, static files (stylesheet,
caution script, JSON Schema), fragment, notices.json, and the preview's blueprint."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from flask import Flask, Response, abort, jsonify, request, send_from_directory

from webapp.engine import Engine
from webapp.fragment import fragment_answer
from webapp.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from webapp.notices_json import notices_json
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
        """Liveness for anyone (load balancers, the Docker HEALTHCHECK); the files, their ages
        and errors only with the ops token."""
        health = engine.health()
        response = jsonify(health if _ops(engine) else {"status": health["status"]})
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        """Prometheus text: counts per notice, outcome and reason; no reader data. Near-live
        counts of readers in each jurisdiction are for the operator: 404 without the token."""
        if not _ops(engine):
            abort(404)
        response = Response(engine.metrics.render(), content_type=METRICS_CONTENT_TYPE)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.get("/static/<name>")
    def static(name: str) -> Response:
        """forewarn.css (linked from every block), keep.js (loaded by every block), guard.js
        (loaded by a block with a caution), the schema of notices.json and the preview's
        stylesheet."""
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

    @app.get("/notices.json")
    def notices() -> Response:
        """The notices for this reader as data, for apps (webapp/notices_json.py)."""
        body, headers = notices_json(engine, request.environ, request.args.get("path", "/"),
                                     request.args.get("lang") or None)
        response = Response(body, headers=headers)
        response.make_conditional(request.environ)  # If-None-Match: 304 with the same headers
        return response

    app.register_blueprint(preview_blueprint)
    return app


def _ops(engine: Engine) -> bool:
    """Whether this request may see the operator's views: the demo, or the ops token."""
    settings = engine.settings
    if settings.demo:
        return True
    expected = f"Bearer {settings.ops_token}".encode() if settings.ops_token else None
    given = request.headers.get("Authorization", "").encode()
    return expected is not None and hmac.compare_digest(given, expected)
