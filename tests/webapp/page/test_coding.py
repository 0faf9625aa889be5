"""Compressed and non-UTF-8 pages: decoded, given the notice, encoded again; untouched when no
notice is added; never a broken response for a corrupt body."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from typing import Any

import brotli
import pytest
from werkzeug.datastructures import Headers
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from webapp.engine import Engine
from webapp.errors import CodingError
from webapp.middleware import NoticeMiddleware
from webapp.page.coding import (
    MAX_DECODED,
    PIECE,
    Coding,
    DecodedTooLarge,
    coding_for,
    decodable,
)

PAGE = ('<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
        '<body class="article"><p>' + "Story text. " * 2000 + "</p></body></html>").encode()
RUSSIA, GERMANY = "192.0.2.10", "198.51.100.1"

ENCODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
}
DECODERS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.decompress,
    "deflate": zlib.decompress,
    "br": brotli.decompress,
}


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def served(engine: Engine, body: list[bytes], headers: list[tuple[str, str]],
           address: str) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", headers)
        yield from body

    client = Client(NoticeMiddleware(app, engine=engine))
    return client.get("/a/1", headers={"X-Forwarded-For": address},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"})


@pytest.mark.parametrize("name", ["gzip", "deflate", "br"])
@pytest.mark.parametrize("chunk_size", [7, 1000, 1 << 20])
def test_a_compressed_page_gets_the_notice_and_stays_compressed(
    engine: Engine, name: str, chunk_size: int
) -> None:
    compressed = ENCODERS[name](PAGE)
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", name),
               ("Content-Length", str(len(compressed))), ("ETag", '"v7"')]
    response = served(engine, chunked(compressed, chunk_size), headers, RUSSIA)
    assert response.headers["Content-Encoding"] == name
    assert "Content-Length" not in response.headers  # re-encoded on the fly: sent chunked
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert response.headers["ETag"].startswith('W/"v7-fw-')
    page = DECODERS[name](response.get_data())
    at = page.index(b'<body class="article">') + len(b'<body class="article">')
    assert page[at:].startswith(b'<aside class="forewarn"')
    end = page.index(b"</aside>", at) + len(b"</aside>")
    assert page[:at] + page[end:] == PAGE


@pytest.mark.parametrize("name", ["gzip", "deflate", "br"])
def test_a_compressed_page_without_a_notice_is_sent_byte_for_byte(
    engine: Engine, name: str
) -> None:
    compressed = ENCODERS[name](PAGE)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", name),
               ("Content-Length", str(len(compressed)))]
    response = served(engine, chunked(compressed, 500), headers, GERMANY)
    assert response.get_data() == compressed
    assert response.headers["Content-Length"] == str(len(compressed))
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert response.headers["Cache-Control"] == "private"


def test_raw_deflate_from_servers_that_get_it_wrong_is_read_too(engine: Engine) -> None:
    encoder = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = encoder.compress(PAGE) + encoder.flush()
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "deflate")]
    response = served(engine, [raw], headers, RUSSIA)
    assert b'<aside class="forewarn"' in zlib.decompress(response.get_data())


def test_a_corrupt_gzip_body_is_passed_as_it_came(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    broken = b"\x1f\x8b\x08\x00garbage that is not deflate data at all"
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
    response = served(engine, [broken], headers, RUSSIA)
    assert response.status_code == 200
    assert response.get_data() == broken
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert "not valid gzip" in caplog.text


def test_an_unknown_coding_passes_without_a_notice_but_private(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "zstd"),
               ("Cache-Control", "public, max-age=60")]
    response = served(engine, [b"\x28\xb5\x2f\xfdopaque"], headers, RUSSIA)
    assert response.get_data() == b"\x28\xb5\x2f\xfdopaque"
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert {d.strip() for d in response.headers["Cache-Control"].split(",")} == {
        "private", "max-age=60"}
    assert "'zstd' cannot be undone" in caplog.text


@pytest.mark.parametrize(
    ("offered", "passed"),
    [("gzip, deflate, br, zstd", "gzip, deflate, br"),  # Chromium's, over HTTPS and to localhost
     ("zstd;q=1.0, gzip;q=0.5", "gzip;q=0.5"), ("zstd", "identity"), ("*", "identity"),
     ("gzip", "gzip")],
)
def test_the_app_is_offered_only_codings_forewarn_can_undo(
    engine: Engine, offered: str, passed: str
) -> None:
    """An app that compresses its own pages picks from what it is offered (Flask-Compress
    prefers zstd): offered one Forewarn cannot undo, it would send every page without a notice.
    The reader's own environ is left as it came."""
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["HTTP_ACCEPT_ENCODING"])
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>t</title><p>x"]

    environ = EnvironBuilder("/a/1", headers={"Accept-Encoding": offered,
                                              "X-Forwarded-For": RUSSIA},
                             environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()
    response = run_wsgi_app(NoticeMiddleware(app, engine=engine), environ, buffered=True)
    assert Headers(response[2]).get("X-Forewarn-Notices") == "ru-undesirable"
    assert seen == [passed]
    assert environ["HTTP_ACCEPT_ENCODING"] == offered  # for what wraps Forewarn in turn
    assert decodable(offered) == passed


@pytest.mark.parametrize(
    ("charset", "in_meta"),
    [("windows-1251", False), ("koi8-r", True), ("iso-8859-5", False), ("utf-16", False)],
)
def test_the_block_is_written_in_the_page_charset(
    engine: Engine, charset: str, in_meta: bool
) -> None:
    meta = f'<meta charset="{charset}">' if in_meta else ""
    text = f'<html lang="ru"><head>{meta}</head><body>Новости</body></html>'
    page = text.encode(charset)  # utf-16 writes a byte order mark
    content_type = "text/html" if in_meta else f"text/html; charset={charset}"
    response = served(engine, [page], [("Content-Type", content_type)], RUSSIA)
    decoded = response.get_data().decode(charset)
    assert 'lang="ru"' in decoded and "нежелательной" in decoded  # the Russian text, readable
    assert decoded.replace(decoded[decoded.index("<aside"):decoded.index("</aside>") + 8], "") \
        == text


def test_characters_the_charset_cannot_hold_become_references(engine: Engine) -> None:
    page = '<html lang="ru"><body>Новости</body></html>'.encode("koi8-r")
    headers = [("Content-Type", "text/html; charset=koi8-r")]
    body = served(engine, [page], headers, RUSSIA).get_data()
    text = body.decode("koi8-r")  # still valid KOI8-R throughout
    assert "&#171;нежелательной организацией&#187;" in text  # KOI8-R has no « »


def test_decoding_cuts_a_bomb_into_bounded_pieces() -> None:
    bomb = gzip.compress(b"\0" * (20 * PIECE))
    pieces = list(Coding("gzip").decode([bomb]))
    assert b"".join(pieces) == b"\0" * (20 * PIECE)
    assert max(len(p) for p in pieces) <= PIECE


BIG = b"<!doctype html><html><body>" + bytes(range(256)) * 8192 + b"</body></html>"  # 2 MiB


@pytest.mark.parametrize("name", ["gzip", "deflate", "br"])
@pytest.mark.parametrize("chunk_size", [1, 997, 1 << 16, 1 << 22])
def test_every_coding_decodes_a_large_page_whole_in_bounded_pieces(
    name: str, chunk_size: int
) -> None:
    encoded = ENCODERS[name](BIG)
    pieces = list(Coding(name).decode(chunked(encoded, chunk_size)))
    assert b"".join(pieces) == BIG
    assert max(len(piece) for piece in pieces) <= 2 * PIECE


def zeros_bomb(name: str, size: int) -> bytes:
    if name == "br":
        compressor: Any = brotli.Compressor(quality=5)
        return b"".join([*(compressor.process(bytes(1 << 20)) for _ in range(size >> 20)),
                         compressor.finish()])
    return ENCODERS[name](bytes(size))


@pytest.mark.parametrize("name", ["gzip", "deflate", "br"])
def test_a_bomb_in_any_coding_stops_at_the_bound_holding_little_memory(name: str) -> None:
    """Issue 15, item 7: a few KB of br grew a worker by 2 GB in one decoder call."""
    bomb = zeros_bomb(name, MAX_DECODED + (8 << 20))
    tracemalloc.start()
    try:
        seen = 0
        with pytest.raises(DecodedTooLarge):
            for piece in Coding(name).decode(chunked(bomb, 1 << 16)):
                seen += len(piece)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert MAX_DECODED - 2 * PIECE < seen <= MAX_DECODED
    assert peak < len(bomb) + (4 << 20), f"{peak >> 20} MiB"


def test_a_gzip_body_in_several_members_decodes_whole() -> None:
    """RFC 1952: a gzip file is a series of members; some servers send pages so (also padded)."""
    body = gzip.compress(b"<html><head>") + gzip.compress(b"") + gzip.compress(
        b"<body>x</body></html>") + b"\0" * 10
    for size in (1, 5, 1000):
        assert b"".join(Coding("gzip").decode(chunked(body, size))) == (
            b"<html><head><body>x</body></html>")


def test_corrupt_input_raises_coding_error() -> None:
    with pytest.raises(CodingError):
        list(Coding("gzip").decode([b"\x1f\x8b\x08\x00not deflate"]))


@pytest.mark.parametrize(
    ("header", "name"),
    [(None, "identity"), ("", "identity"), ("identity", "identity"), ("GZIP", "gzip"),
     (" x-gzip ", "gzip"), ("deflate", "deflate"), ("br", "br"),
     # stacked: each undone, the last applied first (Chromium does so)
     ("gzip, br", "gzip, br"), ("x-gzip,GZIP", "gzip, gzip"), (", gzip", "gzip"),
     # a coding Chromium does not know, or identity among others: it shows the body as it came
     ("compress", "identity"), ("UTF-8", "identity"), ("none", "identity"),
     ("gzip, identity", "identity"), ("gzip, binary", "identity"),
     # one it undoes and Forewarn cannot, or too many: the page passes (counted "encoded")
     ("zstd", None), ("gzip, zstd", None), ("gzip, gzip, gzip, gzip", None)],
)
def test_which_codings_can_be_undone(header: str | None, name: str | None) -> None:
    coding = coding_for(header)
    assert (coding.name if coding else None) == name


@pytest.mark.parametrize("names", [("gzip", "br"), ("br", "gzip"), ("deflate", "gzip"),
                                   ("gzip", "gzip", "gzip")])
def test_stacked_codings_are_undone_last_first_and_redone_in_order(
    names: tuple[str, ...]
) -> None:
    encoded = PAGE
    for name in names:
        encoded = ENCODERS[name](encoded)
    coding = Coding(", ".join(names))
    assert b"".join(coding.decode(chunked(encoded, 700))) == PAGE
    again = b"".join(coding.encode(chunked(PAGE, 5000)))
    for name in reversed(names):
        again = DECODERS[name](again)
    assert again == PAGE


def test_a_page_in_two_codings_in_two_headers_gets_its_notice(engine: Engine) -> None:
    body = brotli.compress(gzip.compress(PAGE))
    headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
               ("Content-Encoding", "br")]
    response = served(engine, chunked(body, 1000), headers, RUSSIA)
    assert response.headers.getlist("Content-Encoding") == ["gzip", "br"]
    page = gzip.decompress(brotli.decompress(response.get_data()))
    at = page.index(b'<body class="article">') + len(b'<body class="article">')
    assert page[at:].startswith(b'<aside class="forewarn"')


@pytest.mark.parametrize("value", ["UTF-8", "none", "binary"])
def test_a_page_whose_coding_the_browser_ignores_is_read_as_it_came(
    engine: Engine, value: str
) -> None:
    """Chromium shows the body as it came (tests/e2e/test_codings.py): so does Forewarn, with
    the notice; the header stays as the origin sent it."""
    headers = [("Content-Type", "text/html"), ("Content-Encoding", value)]
    response = served(engine, chunked(PAGE, 1000), headers, RUSSIA)
    assert response.headers["Content-Encoding"] == value
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    body = response.get_data()
    start, end = body.index(b"<aside"), body.index(b"</aside>") + len(b"</aside>")
    assert body[:start] + body[end:] == PAGE
