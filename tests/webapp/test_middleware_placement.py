"""What the middleware does with pages whose body has no place for the block: a frameset
document and a page whose body does not begin within the prefix pass unchanged, each counted
under its reason and logged without anything about the reader; and the end of a prefix cut at
the limit is not taken for the end of the page."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from werkzeug.test import Client

from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.pages import PREFIX_LIMIT

RUSSIA = "192.0.2.10"


def serve(engine: Engine, page: bytes, chunk: int = 0) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        if not chunk:
            return [page]
        return [page[at:at + chunk] for at in range(0, len(page), chunk)]

    return Client(NoticeMiddleware(app, engine=engine)).get(
        "/a/1", headers={"X-Forwarded-For": RUSSIA}, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def skipped(engine: Engine, reason: str) -> float:
    value = engine.metrics.skipped.labels(reason)._value.get()  # type: ignore[attr-defined]
    return float(value)


@pytest.mark.parametrize("page", [
    b"<!doctype html><html><head><title>t</title></head><frameset cols='50%,50%'>"
    b"<frame src=a><frame src=b></frameset></html>",
    b"<title>t</title><div></div><frameset><frame src=a></frameset>",
])
def test_a_frameset_document_passes_unchanged_and_is_counted(
    engine: Engine, page: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    before = skipped(engine, "frameset")
    with caplog.at_level(logging.WARNING, logger="forewarn"):
        response = serve(engine, page, chunk=7)
    assert response.get_data() == page
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert skipped(engine, "frameset") == before + 1
    assert "frameset" in caplog.text and RUSSIA not in caplog.text


def test_a_body_that_begins_past_the_prefix_limit_is_not_looked_for(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    head = b"<!doctype html><head><title>t</title>"
    page = head + b"<meta name=x content=y>" * (PREFIX_LIMIT // 20) + b"<body><p>story"
    before = skipped(engine, "no-body")
    with caplog.at_level(logging.WARNING, logger="forewarn"):
        response = serve(engine, page, chunk=64 * 1024)
    assert response.get_data() == page  # not a block at the 1 MiB cut, which is no page end
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert skipped(engine, "no-body") == before + 1
    assert "does not begin" in caplog.text and RUSSIA not in caplog.text


def test_a_page_that_ends_inside_its_head_script_passes_unchanged(engine: Engine) -> None:
    page = b"<html><head><script>var body = '<body>';"
    response = serve(engine, page)
    assert response.get_data() == page
    assert response.headers["X-Forewarn-Notices"] == "none"


def test_a_page_that_ends_in_its_head_gets_the_block_at_its_end(engine: Engine) -> None:
    page = b"<!doctype html><title>Moved</title><meta http-equiv=refresh content='0;url=/b'>"
    response = serve(engine, page, chunk=5)
    body = response.get_data()
    assert body.startswith(page) and body[len(page):].startswith(b"<aside class=\"forewarn\"")
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"


def ask(engine: Engine, page: bytes, headers: dict[str, str]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page]

    return Client(NoticeMiddleware(app, engine=engine)).get(
        "/a/1", headers={"X-Forwarded-For": RUSSIA, **headers},
        environ_base={"REMOTE_ADDR": "127.0.0.1"})


PIECE = b'<li class="comment">A reader\'s comment</li>'
WHOLE = b"<!doctype html><html><head><title>t</title></head><body><p>Article</p></body></html>"


@pytest.mark.parametrize(("headers", "vary"), [
    ({"HX-Request": "true"}, {"HX-Request", "HX-Boosted"}),
    ({"HX-Request": "true", "HX-Target": "comments"}, {"HX-Request", "HX-Boosted"}),
    ({"X-Up-Target": ".comments"}, {"X-Up-Target"}),
    ({"Turbo-Frame": "comments"}, {"Turbo-Frame"}),
])
def test_a_piece_of_a_page_asked_for_by_the_page_s_own_script_passes_unchanged(
    engine: Engine, headers: dict[str, str], vary: set[str]
) -> None:
    assert_passed(engine, PIECE, headers, "partial", vary)


def assert_passed(engine: Engine, page: bytes, headers: dict[str, str], reason: str,
                  vary: set[str]) -> None:
    """``page``, asked for with ``headers``, came back byte for byte, private, claiming no
    notice, varying on the ``vary`` headers that made it so (so that no cache, a browser's
    included, gives it for the same URL opened as a page), and was counted under ``reason``."""
    before = skipped(engine, reason)
    response = ask(engine, page, headers)
    assert response.get_data() == page
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert "private" in response.headers["Cache-Control"]
    assert vary <= {name.strip() for name in response.headers["Vary"].split(",")}
    assert skipped(engine, reason) == before + 1


# A script's fetch answered with JSON that says text/html (PHP's default for what it echoes)
JSON = b'{"comments": 12, "liked": false}'
SCRIPT = {"Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}


@pytest.mark.parametrize("page", [JSON, b"\n  [1, 2, 3]", JSON.replace(b"{", b"{\n", 1)])
def test_json_a_script_fetched_under_an_html_type_passes_unchanged(
    engine: Engine, page: bytes
) -> None:
    """A block in front of it would break the script's JSON.parse, only for readers who get a
    notice, on a page that already shows them theirs."""
    assert_passed(engine, page, SCRIPT, "partial", {"Sec-Fetch-Dest"})


@pytest.mark.parametrize("destination", ["script", "style", "image", "font", "worker"])
def test_an_html_answer_to_a_subresource_request_passes_unchanged(
    engine: Engine, destination: str
) -> None:
    """JSONP that PHP sends as text/html, asked for by a <script>: a block in front of it would
    be a SyntaxError. The browser never shows such an answer as a page; it is still made private,
    so that no shared cache hands it out later for the same address opened as one."""
    for page in (b'counter({"comments": 12});', WHOLE):
        assert_passed(engine, page, {"Sec-Fetch-Dest": destination, "Sec-Fetch-Mode": "no-cors"},
                      "subresource", {"Sec-Fetch-Dest"})


@pytest.mark.parametrize(("page", "headers"), [
    (WHOLE, {"Sec-Fetch-Dest": "iframe"}),  # a page in a frame is a page
    (WHOLE, {"Sec-Fetch-Dest": "document"}),
    (JSON, {}),  # no Sec-Fetch-Dest: it may be a page, and a page gets the block
    (JSON, {"Sec-Fetch-Dest": "document"}),  # the browser shows it as a page
    (JSON, {"Sec-Fetch-Dest": "iframe"}),
    (PIECE, SCRIPT),  # markup a script fetched: it may be a whole page it puts in (Turbo Drive)
    (b"comments: 12", SCRIPT),  # text, but no JSON
    (PIECE, {}),  # a browser asked for it as a page: the standard's implied body gets the block
    (PIECE, {"HX-Request": "true", "HX-Boosted": "true"}),  # hx-boost swaps in a whole body
    (PIECE, {"X-Requested-With": "XMLHttpRequest"}),  # says nothing about what the answer is
    (WHOLE, {"HX-Request": "true"}),  # a whole page with its body tag, whoever asked
    (WHOLE, {"Turbo-Frame": "comments"}),
])
def test_pages_and_whole_bodies_still_get_the_block(
    engine: Engine, page: bytes, headers: dict[str, str]
) -> None:
    response = ask(engine, page, headers)
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert response.get_data().count(b'<aside class="forewarn"') == 1
