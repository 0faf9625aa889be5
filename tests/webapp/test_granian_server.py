"""What `forewarn serve --server granian` adds around the app (webapp/granian_server.py): the
status and headers given before the body is handed to granian, however late the app gives them;
the small error page when a page's source breaks off before them; no process variable read as a
request header. The app under a real granian is tested in tests/integration (the proxy, the edge
includes and caches, reload, logs)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from webapp.granian_server import HeadersFirst, worker_app
from webapp.settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


class Body:
    """An app's answer that says whether it was closed."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks, self.closed = chunks, False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True


def late(*chunks: bytes, empty_first: int = 0) -> tuple[Any, list[Body]]:
    """An app that calls start_response only when its body is read (as NoticeMiddleware does),
    after ``empty_first`` empty chunks; and the bodies it returned."""
    bodies: list[Body] = []

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def body() -> Iterator[bytes]:
            yield from [b""] * empty_first
            start_response("200 OK", [("Cache-Control", "private")])
            yield from chunks

        bodies.append(Body(body()))
        return bodies[-1]

    return app, bodies


def call(app: Any) -> tuple[list[tuple[str, list[tuple[str, str]]]], Iterable[bytes]]:
    """The app called as granian calls it: what start_response got by the time it returned."""
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started.append((status, headers))

    return started, app({}, start_response)


@pytest.mark.parametrize("empty_first", [0, 2])
def test_headers_given_with_the_first_chunk_are_there_when_the_app_returns(
    empty_first: int,
) -> None:
    app, bodies = late(b"<p>notice</p>", b"<p>page</p>", empty_first=empty_first)
    started, body = call(HeadersFirst(app))
    assert started == [("200 OK", [("Cache-Control", "private")])]
    assert b"".join(body) == b"<p>notice</p><p>page</p>"
    assert not bodies[0].closed
    body.close()  # type: ignore[attr-defined]
    assert bodies[0].closed


def test_without_the_wrapper_granian_would_see_no_headers() -> None:
    app, _ = late(b"<p>page</p>")
    started, _body = call(app)
    assert started == []  # what the wrapper is for


def test_an_app_that_answers_at_once_is_handed_over_as_it_is() -> None:
    answer = Body([b"<p>page</p>"])

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("204 No Content", [])
        return answer

    started, body = call(HeadersFirst(app))
    assert started == [("204 No Content", [])] and body is answer


def failing_app(error: BaseException, *, start_first: bool = False) -> tuple[Any, Body]:
    """An app whose body raises ``error`` on its first read (after its start_response, with
    ``start_first``), as the proxy's does when the origin breaks off before the first chunk."""
    answer = Body(iter([]))

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        def body() -> Iterator[bytes]:
            if start_first:
                start_response("200 OK", [("Cache-Control", "private")])
            raise error
            yield b""  # pragma: no cover - a generator

        answer.chunks = body()
        return answer

    return app, answer


def test_a_body_that_fails_before_its_headers_is_closed_and_the_error_raised() -> None:
    app, answer = failing_app(OSError("origin gone"))
    with pytest.raises(OSError, match="origin gone"):
        call(HeadersFirst(app))
    assert answer.closed


def test_a_process_variable_named_like_a_header_is_not_read_as_one(
    demo_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """granian starts every request's environ from a copy of the process's environment."""
    monkeypatch.setenv("HTTP_X_FOREWARN_COUNTRY", "RU")
    monkeypatch.setenv("FOREWARN_SOMETHING", "kept")
    app = worker_app(dataclasses.replace(demo_settings, reload_seconds=0), None)
    assert isinstance(app, HeadersFirst)
    assert "HTTP_X_FOREWARN_COUNTRY" not in os.environ
    assert os.environ["FOREWARN_SOMETHING"] == "kept"


def test_a_page_whose_source_breaks_off_before_its_headers_gets_the_small_error_page() -> None:
    app, answer = failing_app(ConnectionResetError(104, "upstream answer cut"))
    started, body = call(HeadersFirst(app))
    assert [status for status, _headers in started] == ["502 Bad Gateway"]
    headers = dict(started[0][1])
    assert headers["Cache-Control"] == "no-store"  # no cache keeps it for other readers
    assert b"Please try again" in b"".join(body)
    assert answer.closed


def test_a_break_that_comes_with_the_headers_is_raised_for_granian_to_cut() -> None:
    app, answer = failing_app(ConnectionResetError(104, "upstream answer cut"), start_first=True)
    with pytest.raises(ConnectionResetError):
        call(HeadersFirst(app))
    assert answer.closed
