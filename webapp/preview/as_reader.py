"""Serve one page as a reader at a chosen place (and day, page language, Accept-Language) gets
it: one internal request through the middleware's own code path, the place forced through the
Forced view of webapp/reader/forced.py. Used by the preview endpoints and ``forewarn preview``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from werkzeug.datastructures import Headers
from werkzeug.test import EnvironBuilder, run_wsgi_app

from webapp.page.headers import NOTICES_HEADER, notice_ids_in
from webapp.preview.places import Place
from webapp.reader.forced import FORCED_KEY, Forced

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


@dataclass(frozen=True)
class View:
    """How the page is asked for: where the reader is, on which day, in which languages."""

    place: Place
    day: date | None = None
    lang: str | None = None  # the page's language, in place of its own <html lang>
    accept_language: str | None = None


@dataclass(frozen=True)
class Served:
    """The answer as the reader's browser would get it (body possibly content-encoded)."""

    status: str
    headers: Headers
    body: bytes

    @property
    def status_code(self) -> int:
        return int(self.status.split(" ", 1)[0])

    @property
    def notices(self) -> str | None:
        """X-Forewarn-Notices: the ids, "none", or None when the middleware did not pass it."""
        return self.headers.get(NOTICES_HEADER)

    @property
    def notice_ids(self) -> tuple[str, ...]:
        """The notice ids the page was served with."""
        return notice_ids_in(self.notices)


def serve_as(app: WSGIApplication, path: str, view: View,
             base_url: str = "http://localhost/") -> Served:
    """GET ``path`` (may carry ?query) from ``app`` (the middleware's ``process``) as ``view``."""
    headers = [("Accept-Language", view.accept_language)] if view.accept_language else []
    builder = EnvironBuilder(path=path.partition("?")[0], query_string=path.partition("?")[2],
                             base_url=base_url, headers=headers)
    environ = builder.get_environ()
    environ[FORCED_KEY] = Forced(view.place.location, view.day, view.lang)
    app_iter, status, response_headers = run_wsgi_app(app, environ, buffered=True)
    try:
        body = b"".join(app_iter)
    finally:
        close = getattr(app_iter, "close", None)
        if close is not None:
            close()
    return Served(status, Headers(response_headers), body)
