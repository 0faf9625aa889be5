"""NoticeMiddleware: the WSGI middleware that adds Forewarn's notices to any WSGI app's pages and
serves Forewarn's own endpoints beside them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from webapp.endpoints import create_endpoints
from webapp.engine import Engine
from webapp.fragment import FragmentApp
from webapp.pages import PageNotices
from webapp.settings import Settings, load_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class NoticeMiddleware:
    """Adds the legal-risk notices that apply to each reader to the HTML pages of ``app``.

    Use it to put Forewarn in front of a WSGI application you run (Flask, Django, a CMS)::

        app.wsgi_app = NoticeMiddleware(app.wsgi_app, catalog="notices.toml",
                                        geoip_dbs=["GeoLite2-City.mmdb"],
                                        trusted_proxies=["10.0.0.0/8"])

    Keyword arguments are the settings keys (docs/settings.md); keys not given come from the
    file named by ``FOREWARN_CONFIG`` and from ``FOREWARN_<KEY>`` environment variables. It also
    serves Forewarn's own endpoints under ``prefix`` (default ``/_forewarn``): the stylesheet the
    notice links to, health, metrics, the fragment and the preview.

    The reader's address is REMOTE_ADDR unless the peer is in ``trusted_proxies``; only then is
    X-Forwarded-For read, from the right. Trusting a network that readers can reach directly
    lets anyone claim to be anywhere, i.e. to switch the notice off: list only your own proxies.
    Every HTML page that passes gets ``Cache-Control: private`` so that no shared cache hands one
    reader's variant to another; put a CDN in front only with the edge-include shape.
    """

    def __init__(
        self,
        app: WSGIApplication,
        *,
        engine: Engine | None = None,
        environ: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> None:
        self.app = app
        if engine is None:
            environ = os.environ if environ is None else environ
            engine = Engine(load_settings(settings, environ=environ))
        self.engine = engine
        self.settings: Settings = engine.settings
        self.pages = PageNotices(app, engine)
        prefix = self.settings.prefix
        self._prefix, self._under_prefix = prefix, prefix + "/"
        self._dispatch = DispatcherMiddleware(self.pages, {prefix: create_endpoints(engine,
                                                                                  self.pages)})
        self._fragment_path = prefix + "/fragment"
        self._fragment = FragmentApp(engine, self._dispatch)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.engine.reloader.ensure_running()  # in this process: a forked worker starts its own
        path = environ.get("PATH_INFO", "")
        if path.startswith(self._under_prefix) or path == self._prefix:
            if path == self._fragment_path:
                return self._fragment(environ, start_response)
            return self._dispatch(environ, start_response)
        return self.pages(environ, start_response)
