"""A WSGI server may close an answer before iterating it (the client went away, an error in
the server between start and first byte). Its close() must still reach the wrapped app, and
behind the proxy the connection to the origin must be given back or closed, never leaked."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from urllib3 import BaseHTTPResponse
from urllib3.connection import HTTPConnection
from werkzeug.test import EnvironBuilder

from tests.integration.upstream import Origin
from tests.support import ROOT
from webapp.app import create_app
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.pages import PageNotices
from webapp.settings import load_settings

PAGE = b"<!doctype html><html lang='en'><head><title>t</title></head><body><p>x</p></body></html>"


class CountingBody:
    """A wrapped app's answer that counts how often it was closed."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = chunks
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed += 1


class App:
    """A WSGI app answering ``content_type`` and remembering each body it gave."""

    def __init__(self, content_type: str, lazy: bool) -> None:
        self.content_type, self.lazy = content_type, lazy
        self.bodies: list[CountingBody] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers = [("Content-Type", self.content_type)]
        if self.lazy:  # a generator app: start_response comes with the first chunk
            def chunks() -> Iterator[bytes]:
                start_response("200 OK", headers)
                yield PAGE
            body = CountingBody(chunks())
        else:
            start_response("200 OK", headers)
            body = CountingBody([PAGE])
        self.bodies.append(body)
        return body


def environ(path: str = "/a") -> dict[str, Any]:
    built = EnvironBuilder(path=path, base_url="http://news.example/").get_environ()
    built["REMOTE_ADDR"] = "192.0.2.7"
    return built


def ignore_start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return lambda data: None


@pytest.mark.parametrize("lazy", [False, True], ids=["eager", "generator"])
@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "image/png"])
@pytest.mark.parametrize("wrapper", ["pages", "middleware"])
def test_closing_an_unstarted_answer_closes_the_wrapped_apps_answer(
    engine: Engine, wrapper: str, content_type: str, lazy: bool
) -> None:
    app = App(content_type, lazy)
    wrapped = PageNotices(app, engine) if wrapper == "pages" else NoticeMiddleware(app,
                                                                                   engine=engine)
    answer = wrapped(environ(), ignore_start)
    answer.close()  # type: ignore[attr-defined]
    assert [body.closed for body in app.bodies] == [1]


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", "image/png"])
def test_an_answer_read_to_the_end_is_closed_once(engine: Engine, content_type: str) -> None:
    app = App(content_type, lazy=False)
    answer = PageNotices(app, engine)(environ(), ignore_start)
    body = b"".join(answer)
    answer.close()  # type: ignore[attr-defined]
    assert (b'class="forewarn"' in body) == content_type.startswith("text/html")
    assert [b.closed for b in app.bodies] == [1]


class CountingConnection(HTTPConnection):
    """urllib3's connection to the origin, counting every answer it got and whether Forewarn
    gave it back to the pool or closed it. The answers are held here, so that the garbage
    collector closing a dropped one cannot hide a close() that never reached it."""

    answers: ClassVar[list[BaseHTTPResponse]] = []

    def getresponse(self) -> Any:
        answer = super().getresponse()
        CountingConnection.answers.append(answer)
        return answer


def handled(answer: BaseHTTPResponse) -> bool:
    """Closed, or read to its end and its connection given back to the pool."""
    return bool(answer.closed or answer.connection is None)


@pytest.fixture
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.mark.parametrize("path", ["/articles/plain", "/articles/gzip", "/image.png"])
def test_the_origin_connection_is_never_leaked_when_answers_are_closed_unread(
    origin: Origin, demo_db: Path, path: str
) -> None:
    app = create_app(load_settings({
        "catalog": str(ROOT / "catalog" / "notices.toml"), "geoip_dbs": [str(demo_db)],
        "upstream": origin.url}, environ={}))
    proxy = app.wsgi_app.app  # type: ignore[attr-defined]  # NoticeMiddleware -> UpstreamProxy
    pool = proxy.pool
    pool.ConnectionCls = CountingConnection
    CountingConnection.answers = []
    for _ in range(5):
        app.wsgi_app(environ(path), ignore_start).close()  # type: ignore[attr-defined]
    whole = app.wsgi_app(environ(path), ignore_start)  # type: ignore[attr-defined]
    assert b"".join(whole)
    whole.close()
    answers = CountingConnection.answers
    assert len(answers) == 6, "every request went through the counted connections"
    assert [handled(answer) for answer in answers] == [True] * 6
    assert [answer.fileno() for answer in answers if not answer.closed] == []
