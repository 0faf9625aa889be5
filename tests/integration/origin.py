"""A plain origin for the edge tests: articles that carry an ESI or SSI include where the notice
goes, served from a thread, counting how often the edge fetched each path."""

from __future__ import annotations

import gzip
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Literal

from werkzeug.wrappers import Request, Response

from tests.support import ThreadedApp

Syntax = Literal["esi", "ssi"]

INCLUDES: dict[Syntax, str] = {
    "esi": '<esi:include src="{src}"/>',
    "ssi": '<!--# include virtual="{src}" -->',
}
FRAGMENT = "/_forewarn/fragment?path={path}&lang={lang}"
MISSING_FRAGMENT = "/_forewarn/no-such-fragment"
COOKIE = "origin-session=anonymous-1; Path=/; HttpOnly"

PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="utf-8"><title>{slug}</title></head>
<body>
<header><h1>Example Radio</h1></header>
{include}
<main><article><h2>{slug}</h2><p>{text}</p></article></main>
</body>
</html>
"""
TEXT = {"en": "The river froze early this year.", "ru": "В этом году река замёрзла рано."}


class Origin(ThreadedApp):
    """`/articles/SLUG` (English) and `/ru/articles/SLUG` (Russian), each with the include in
    the edge's syntax; `/static/site.css`. Two slugs misbehave on purpose: `with-cookie` sets a
    cookie, `broken-include` includes a fragment path Forewarn does not have. Answers gzip when
    asked, as most origins do. ``counts[path]`` is how often each path was requested."""

    def __init__(self, syntax: Syntax) -> None:
        self.syntax = syntax
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        super().__init__()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        request = Request(environ)
        with self._lock:
            self.counts[request.path] += 1
        return self.respond(request)(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.path == "/static/site.css":
            return Response("body { margin: 0 }", content_type="text/css",
                            headers={"Cache-Control": "public, max-age=86400"})
        lang = "ru" if request.path.startswith("/ru/articles/") else "en"
        slug = request.path.removeprefix("/ru").removeprefix("/articles/")
        if not request.path.startswith(("/articles/", "/ru/articles/")) or not slug or "/" in slug:
            return Response("not found", status=404, content_type="text/plain")
        src = (MISSING_FRAGMENT if slug == "broken-include"
               else FRAGMENT.format(path=request.path, lang=lang))
        if self.syntax == "esi":
            src = src.replace("&", "&amp;")  # an XML attribute, as ESI is XML
        html = PAGE.format(lang=lang, slug=slug, text=TEXT[lang],
                           include=INCLUDES[self.syntax].format(src=src))
        response = Response(html, content_type="text/html; charset=utf-8", headers={
            "Cache-Control": "public, max-age=300",
            "ETag": f'"{slug}-v1"',
            "Last-Modified": "Tue, 24 Nov 2026 08:00:00 GMT",
        })
        if slug == "with-cookie":
            response.headers["Set-Cookie"] = COOKIE
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            response.set_data(gzip.compress(response.get_data()))
            response.headers["Content-Encoding"] = "gzip"
            response.headers["Vary"] = "Accept-Encoding"
        return response
