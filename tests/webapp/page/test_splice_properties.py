"""Property: whatever the page and however the app cuts it into chunks, the reader gets the page
with exactly one block at the documented place, or the page unchanged, and never an error."""

from __future__ import annotations

import gzip
import html
import itertools
from collections.abc import Iterator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.page.placement import find_placement

PIECES = st.sampled_from([
    b"<body>", b"<BODY class='>'>", b"<!--", b"-->", b"<!-- forewarn -->", b"<script>",
    b"</script>", b"<style>", b"</style>", b"<template>", b"</template>", b"<![CDATA[", b"]]>",
    b"<", b">", b"'", b'"', b"<p title='", b"text ", b"\n", b"<meta charset=utf-8>",
    b"<html lang=ru>", b"</", b"<!", b"\xef\xbb\xbf", b"\xd0\xa0\xd1\x83", b"\xff\xfe", b"\x00",
    b"<plaintext>", b"<textarea>", b"</textarea>", b"<body", b"<?x ?>", b"<!doctype html>",
])
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


def cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    edges = [0, *points, len(data)]
    return [data[a:b] for a, b in itertools.pairwise(edges)]


def serve(engine: Engine, chunks: list[bytes], headers: list[tuple[str, str]]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", headers)
        yield from chunks

    client = Client(NoticeMiddleware(app, engine=engine))
    return client.get("/a", headers={"X-Forwarded-For": "192.0.2.10"},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"})


def check(page: bytes, body: bytes, notices: str) -> None:
    placement = find_placement(page, complete=True)
    assert placement is not None
    if placement.offset is None:
        assert body == page and notices == "none"
        return
    at = placement.offset
    codec = placement.charset if placement.bom and placement.charset != "utf-8" else "ascii"
    assert notices == "ru-undesirable"
    assert body[:at] == page[:at]
    assert body[at:].startswith('<aside class="forewarn"'.encode(codec))
    end = body.index("</aside>".encode(codec), at) + len("</aside>".encode(codec))
    assert body[end:] == page[at:]


@SETTINGS
@given(st.lists(PIECES, max_size=40), st.lists(st.integers(0, 400), max_size=8))
def test_any_page_cut_anyhow_gets_one_block_or_none(
    engine: Engine, pieces: list[bytes], cuts: list[int]
) -> None:
    page = b"".join(pieces)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))]
    response = serve(engine, cut(page, cuts), headers)
    body = response.get_data()
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(body)
    check(page, body, response.headers["X-Forewarn-Notices"])


@SETTINGS
@given(st.lists(PIECES, max_size=40), st.lists(st.integers(0, 200), max_size=6))
def test_the_same_holds_for_gzip_bodies(
    engine: Engine, pieces: list[bytes], cuts: list[int]
) -> None:
    page = b"".join(pieces)
    compressed = gzip.compress(page)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
    response = serve(engine, cut(compressed, cuts), headers)
    body = response.get_data()
    notices = response.headers["X-Forewarn-Notices"]
    if notices == "none":
        assert body == compressed  # byte for byte as the app sent it
    check(page, gzip.decompress(body), notices)


@SETTINGS
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=8))
def test_random_bytes_never_break_the_response(
    engine: Engine, data: bytes, cuts: list[int]
) -> None:
    response = serve(engine, cut(data, cuts), [("Content-Type", "text/html")])
    check(data, response.get_data(), response.headers["X-Forewarn-Notices"])


# Pages as Russian and Ukrainian sites still serve them: text in a declared charset, with random
# bytes among it (a single-byte charset takes any byte), the charset named by the Content-Type
# header or, for UTF-16, by the byte order mark.
TEXT_PIECES = st.sampled_from([
    "<body>", "<BODY dir=ltr>", "<!--", "-->", "<script>", "</script>", "<p title='>'>",
    "<html lang=ru>", "<html lang=en>", "Река замёрзла рано. ", "Ґанок, їжак. ", "<", ">",
    "<meta charset=utf-8>", "\n", "<style>", "</style>", "<![CDATA[", "]]>",
])
CHARSETS = ["windows-1251", "koi8-r", "iso-8859-5", "utf-16-le", "utf-16-be"]
BOMS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}
RUSSIAN_TITLE = "Example Radio признано в России «нежелательной организацией»"


def encode_page(pieces: list[str], noise: list[bytes], charset: str) -> bytes:
    """The pieces in ``charset`` (characters it lacks as ``?``), random bytes between them in a
    single-byte charset; a UTF-16 page starts with its byte order mark."""
    out = BOMS.get(charset, b"")
    for index, piece in enumerate(pieces):
        out += piece.encode(charset, errors="replace")
        if charset not in BOMS and index < len(noise):
            out += noise[index]
    return out


@SETTINGS
@given(st.sampled_from(CHARSETS), st.lists(TEXT_PIECES, max_size=30),
       st.lists(st.binary(max_size=6), max_size=30), st.lists(st.integers(0, 300), max_size=6))
def test_pages_in_declared_charsets_get_one_block_in_that_charset(
    engine: Engine, charset: str, pieces: list[str], noise: list[bytes], cuts: list[int]
) -> None:
    page = encode_page(pieces, noise, charset)
    header_charset = "utf-16" if charset in BOMS else charset
    headers = [("Content-Type", f"text/html; charset={header_charset}")]
    response = serve(engine, cut(page, cuts), headers)
    body = response.get_data()
    placement = find_placement(page, complete=True)
    assert placement is not None
    if placement.offset is None:
        assert body == page and response.headers["X-Forewarn-Notices"] == "none"
        return
    at = placement.offset
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert body[:at] == page[:at]
    tail = len(page) - at
    assert body[len(body) - tail:] == page[at:]
    block = body[at:len(body) - tail].decode(charset)  # the block, in the page's own charset
    assert block.startswith('<aside class="forewarn"') and block.endswith("</aside>")
    assert RUSSIAN_TITLE in html.unescape(block)  # what the charset lacks, as &#NNN;
