"""The edge include's endpoint, ``GET /_forewarn/fragment?path=/a/1&lang=ru``: just the notice
block for this reader (an empty body when nothing applies) with the page's cache headers.

An edge asks for one fragment per page view, so NoticeMiddleware answers plain GETs here before
any routing: the reader's place, a decision, a cached render and precomputed headers, nothing
else. Anything unusual (another method, a query that is not ASCII) goes to the endpoints' Flask
route, which gives the same answer through the same function.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401 - registers the "werkzeug.url_quote" codec error handler

from webapp.engine import Engine
from webapp.page.headers import ResponseHeaders

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONTENT_TYPE = ("Content-Type", "text/html; charset=utf-8")


def fragment_answer(
    engine: Engine, environ: WSGIEnvironment | dict[str, Any], path: str, lang: str | None
) -> tuple[bytes, list[tuple[str, str]]]:
    """The block for the reader of ``environ`` reading ``path`` in ``lang``, and its headers."""
    answer = engine.answer(environ, lang, path=path)
    headers = ResponseHeaders([CONTENT_TYPE, ("Content-Length", str(len(answer.block)))])
    # The whole body is the block: its length is already right, only the headers are added.
    answer.finish(headers, 0)
    return answer.block, headers.items()


def query_arguments(query: str) -> dict[str, str]:
    """The first value of each key, as werkzeug's ``request.args.get`` gives it. A query with
    nothing escaped (the usual ``path=/a/1&lang=en``) is split directly: parse_qsl would return
    the same pairs, its unquoting having nothing to do."""
    if "%" in query or "+" in query:
        pairs = parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote")
    else:
        pairs = [(key, value) for key, _, value in
                 (pair.partition("=") for pair in query.split("&") if pair)]
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)
    return first


class FragmentApp:
    """WSGI for ``prefix/fragment``: plain GETs answered here, the rest by ``fallback``."""

    def __init__(self, engine: Engine, fallback: WSGIApplication) -> None:
        self.engine = engine
        self.fallback = fallback

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        query = environ.get("QUERY_STRING", "")
        if environ.get("REQUEST_METHOD") != "GET" or not query.isascii():
            return self.fallback(environ, start_response)
        arguments = query_arguments(query)
        body, headers = fragment_answer(self.engine, environ, arguments.get("path", "/"),
                                        arguments.get("lang") or None)
        start_response("200 OK", headers)
        return [body]
