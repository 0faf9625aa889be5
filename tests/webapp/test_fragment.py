"""The fragment answered before routing (webapp/fragment.py) is the Flask route's answer, byte
for byte and header for header; what the fast path does not take goes to the route."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from webapp.middleware import NoticeMiddleware

READERS = ["192.0.2.7", "203.0.113.7", "198.51.100.1", "198.51.100.129", "198.18.0.7", "junk"]
QUERIES = ["path=/a/1&lang=en", "path=/a/1&lang=ru", "lang=fa&lang=ru&path=/a&path=/b", "",
           "path=%2Farticles%2Ftwo%3Fx%3D1", "path=//evil.example/&lang=", "path=/a%ff%00",
           "path=/a&lang=xx-YY", "path=/a&lang=<script>"]


def _call(app: Any, method: str, query: str, reader: str, **headers: str) -> tuple[str, list[
        tuple[str, str]], bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": "/_forewarn/fragment", "SCRIPT_NAME": "",
               "QUERY_STRING": query, "SERVER_NAME": "localhost", "SERVER_PORT": "80",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_HOST": "news.example", "HTTP_X_FORWARDED_FOR": reader,
               "wsgi.url_scheme": "http", "wsgi.input": None, "wsgi.errors": None,
               "wsgi.multithread": False, "wsgi.multiprocess": False, "wsgi.run_once": False,
               "wsgi.version": (1, 0), **headers}
    seen: dict[str, Any] = {}

    def start_response(status: str, response_headers: list[tuple[str, str]],
                       exc_info: Any = None) -> None:
        seen.update(status=status, headers=response_headers)

    body = b"".join(app(environ, start_response))
    return seen["status"], seen["headers"], body


def _middleware(app: Flask) -> NoticeMiddleware:
    middleware = app.wsgi_app
    assert isinstance(middleware, NoticeMiddleware)
    return middleware


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("reader", READERS)
def test_the_fast_fragment_is_the_routes_answer(app: Flask, query: str, reader: str) -> None:
    middleware = _middleware(app)
    fast = _call(middleware, "GET", query, reader, HTTP_ACCEPT_LANGUAGE="fa,ru;q=0.5")
    routed = _call(middleware._dispatch, "GET", query, reader, HTTP_ACCEPT_LANGUAGE="fa,ru;q=0.5")
    assert fast == routed
    assert fast[0] == "200 OK"


def test_other_methods_and_odd_queries_go_to_the_route(app: Flask) -> None:
    middleware = _middleware(app)
    assert _call(middleware, "POST", "path=/a", "192.0.2.7")[0].startswith("405")
    head = _call(middleware, "HEAD", "path=/a", "192.0.2.7")
    assert head[0] == "200 OK" and head[2] == b""
    # WSGI gives the raw query as latin-1: here the UTF-8 bytes of "/é", which the route decodes
    status, _, body = _call(middleware, "GET", "path=/\u00c3\u00a9", "192.0.2.7")
    assert status == "200 OK" and b"/%C3%A9" in body


@pytest.mark.parametrize("query", [*QUERIES, "a&b=&=c&&d=1=2", "path=/a;lang=ru", "x=%41+b"])
def test_queries_are_read_as_parse_qsl_reads_them(query: str) -> None:
    from urllib.parse import parse_qsl

    from webapp.fragment import query_arguments

    expected: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True, errors="werkzeug.url_quote"):
        expected.setdefault(key, value)
    assert query_arguments(query) == expected
