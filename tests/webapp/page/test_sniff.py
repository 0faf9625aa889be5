"""Responses without a usable Content-Type: the type Chromium reads, whether it sniffs, and what
it takes for HTML; through NoticeMiddleware, such a page gets the notice and says it is HTML, and
anything else passes as it came. Chromium's own verdicts on these rules: tests/e2e/test_sniffed.py.
"""

from __future__ import annotations

import gzip
from typing import Any

import pytest

from tests.webapp.test_middleware import GERMANY, RUSSIA, reader
from webapp.engine import Engine
from webapp.page.headers import UNTYPED, XML, ResponseHeaders, content_coding, skip_reason
from webapp.page.sniff import (
    SNIFF_BYTES,
    browser_content_type,
    browser_type,
    is_unknown,
    is_xhtml,
    sniffs_as_html,
)

PAGE = b"<!DOCTYPE html>\n<html><head><title>t</title></head><body><p>Story</p></body></html>"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))


@pytest.mark.parametrize(("value", "expected"), [
    ("", ""), ("text/html", "text/html"), ("Text/HTML; charset=utf-8", "text/html"),
    ("  text/html x", "text/html"), ("text / html", "text"), ("text/ html", "text/"),
    ("html;charset=utf-8", "html"), ("; charset=utf-8", ""), ("text/html(comment)", "text/html"),
])
def test_the_type_chromium_reads(value: str, expected: str) -> None:
    assert browser_type(value) == expected


@pytest.mark.parametrize(("values", "expected"), [
    ((), ("", None)),
    (("text/html; charset=UTF-8",), ("text/html", "utf-8")),
    (("text/plain", "text/html"), ("text/html", None)),
    (("text/html", "text/plain"), ("text/plain", None)),
    (("text/plain, text/html",), ("text/html", None)),
    (("text/html", "", "*/*", "html"), ("text/html", None)),  # what names no type is passed over
    (("text/html; charset=koi8-r", "text/html"), ("text/html", "koi8-r")),  # carried over
    (("text/html; charset=koi8-r", "text/html; charset=utf-8"), ("text/html", "utf-8")),
    (("text/plain; charset=koi8-r", "text/html"), ("text/html", None)),  # not across types
    (('text/html; charset="windows-1251"',), ("text/html", "windows-1251")),
])
def test_the_type_and_charset_of_several_values(values: tuple[str, ...],
                                                 expected: tuple[str, str | None]) -> None:
    assert browser_content_type(values) == expected


@pytest.mark.parametrize(("mime_type", "unknown"), [
    ("", True), ("html", True), ("text", True), ("unknown/unknown", True),
    ("application/unknown", True), ("*/*", True), ("text/plain", False), ("a/b/c", False),
    ("/", False), ("application/x-unknown", False), ("text/", False),
])
def test_which_types_are_sniffed(mime_type: str, unknown: bool) -> None:
    assert is_unknown(mime_type) is unknown


@pytest.mark.parametrize(("start", "html"), [
    (b"<!DOCTYPE html>", True), (b"<!doctype HTML>", True), (b"\t\n\x0b\x0c\r <p>", True),
    (b"<pre>", True), (b"<article>", True), (b"<BR/>", True), (b"<!--x-->", True),
    (b"<h1>", True), (b"<h2>", False), (b"<span>", False), (b"<svg>", False),
    (b"<!DOCTYPE svg>", False), (b"\xef\xbb\xbf<!DOCTYPE html>", False), (b"hello <p>", False),
    (b'<?xml version="1.0"?><html>', False), (b"", False), (b"<", False), (b"\x00<p>", False),
    (b" " * (SNIFF_BYTES - 1) + b"<p>", False), (b" " * (SNIFF_BYTES - 2) + b"<p>", True),
])
def test_what_is_html_by_its_first_bytes(start: bytes, html: bool) -> None:
    assert sniffs_as_html(start) is html


@pytest.mark.parametrize(("headers", "expected"), [
    ([], UNTYPED),
    ([("Content-Type", "html")], UNTYPED),
    ([("Content-Type", "text/html junk")], None),  # HTML to Chromium, no sniffing needed
    ([("Content-Type", "text/plain")], "not-html"),
    ([("X-Content-Type-Options", "nosniff")], "not-html"),
    ([("X-Content-Type-Options", " NoSniff , x")], "not-html"),
    ([("X-Content-Type-Options", "other, nosniff")], UNTYPED),  # only the first value counts
    ([("Content-Encoding", "gzip")], "not-html"),  # not sniffed through a coding
    ([("Content-Encoding", "identity")], UNTYPED),
    ([("Content-Disposition", "attachment")], "attachment"),
    ([("Content-Type", "text/plain"), ("Content-Type", "text/html")], None),
    ([("Content-Type", "text/html"), ("Content-Type", "text/plain")], "not-html"),
    ([("Content-Type", "text/html"), ("Content-Type", "")], None),
    ([("Content-Type", "text/xml; charset=utf-8")], XML),
    ([("Content-Type", "application/xml"), ("X-Content-Type-Options", "nosniff")], XML),
    ([("Content-Type", "application/xml"), ("Content-Encoding", "gzip")], "not-html"),
    ([("Content-Type", "application/rss+xml")], "not-html"),
])
def test_skip_reason_of_an_untyped_answer(headers: list[tuple[str, str]],
                                          expected: str | None) -> None:
    coding = content_coding(ResponseHeaders(headers))
    assert skip_reason("200 OK", ResponseHeaders(headers), coding) == expected
    assert skip_reason("404 Not Found", ResponseHeaders(headers), coding) == "status"


def untyped_app(chunks: list[bytes], headers: list[tuple[str, str]] | None = None) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", list(headers or []))
        return list(chunks)
    return app


def test_an_untyped_page_in_small_pieces_gets_the_notice_and_says_it_is_html(
    engine: Engine,
) -> None:
    pieces = [PAGE[i:i + 7] for i in range(0, len(PAGE), 7)]  # the first sniff spans pieces
    response = reader(engine, untyped_app(pieces), RUSSIA)
    body = response.get_data()
    assert response.headers["Content-Type"] == "text/html"
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    start, end = body.index(b"<aside"), body.index(b"</aside>") + len(b"</aside>")
    assert body[:start] + body[end:] == PAGE
    assert body[:start].endswith(b"<body>")


def test_an_untyped_page_without_a_notice_keeps_its_headers_but_is_private(
    engine: Engine,
) -> None:
    response = reader(engine, untyped_app([PAGE]), GERMANY)
    assert response.get_data() == PAGE
    assert "Content-Type" not in response.headers
    assert response.headers["X-Forewarn-Notices"] == "none"
    assert "private" in response.headers["Cache-Control"]


@pytest.mark.parametrize("chunks", [[PNG], [PNG[:3], PNG[3:]], [b""], []])
def test_an_untyped_answer_that_is_not_html_passes_as_it_came(
    engine: Engine, chunks: list[bytes],
) -> None:
    response = reader(engine, untyped_app(chunks, [("ETag", '"img"')]), RUSSIA)
    assert response.get_data() == b"".join(chunks)
    assert dict(response.headers) == {"ETag": '"img"'}


def test_a_compressed_untyped_answer_is_not_sniffed(engine: Engine) -> None:
    data = gzip.compress(PAGE)
    response = reader(engine, untyped_app([data], [("Content-Encoding", "gzip")]), RUSSIA)
    assert response.get_data() == data
    assert "X-Forewarn-Notices" not in response.headers


def test_a_page_whose_last_type_is_html_gets_the_notice(engine: Engine) -> None:
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Type", "text/html")]
    response = reader(engine, untyped_app([PAGE], headers), RUSSIA)
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert response.headers.getlist("Content-Type") == ["text/plain; charset=utf-8", "text/html"]
    assert b"<aside" in response.get_data()


def test_a_page_whose_last_type_is_text_passes_as_it_came(engine: Engine) -> None:
    headers = [("Content-Type", "text/html"), ("Content-Type", "text/plain")]
    response = reader(engine, untyped_app([PAGE], headers), RUSSIA)
    assert response.get_data() == PAGE
    assert "X-Forewarn-Notices" not in response.headers


def test_a_sniffed_page_keeps_the_charset_its_type_named(engine: Engine) -> None:
    page = "<p>Расписание паромов</p>".encode("windows-1251")
    headers = [("Content-Type", "unknown/unknown; charset=windows-1251")]
    response = reader(engine, untyped_app([page], headers), RUSSIA)
    assert response.headers["Content-Type"] == "text/html; charset=windows-1251"
    body = response.get_data()
    assert body.endswith(page)  # the block goes before the first paragraph, the body's start
    assert body[:-len(page)].decode("windows-1251").startswith("<aside")


XHTML_ROOT = b'<html xmlns="http://www.w3.org/1999/xhtml">'


@pytest.mark.parametrize(("start", "xhtml"), [
    (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n<!-- c -->\n' + XHTML_ROOT, True),
    (XHTML_ROOT + b"<head>", True),
    ('<?xml version="1.0" encoding="windows-1251"?><!-- \u0436 -->'.encode("cp1251")
     + XHTML_ROOT, True),
    (b'<?xml version="1.0"?><rss version="2.0">', False),
    (b'<svg xmlns="http://www.w3.org/2000/svg">', False),
    (b"<html>", False),  # no namespace: not XHTML to an XML parser
    (b'<x:html xmlns:x="http://www.w3.org/1999/xhtml">', False),  # prefixed: not looked at
    (b'<?xml version="1.0" encoding="bogus"?>' + XHTML_ROOT, False),
    (b"<!DOCTYPE html [<!ENTITY a 'b'>]>" + XHTML_ROOT, True),
    (b"<!-- " + b"x" * 5000 + b" -->" + XHTML_ROOT, False),  # root past XML_ROOT_BYTES
    (b"", False), (b"not xml", False), (b"<?xml version='1.0'?>", False),
])
def test_which_xml_documents_are_xhtml_pages(start: bytes, xhtml: bool) -> None:
    assert is_xhtml(start) is xhtml


def test_xhtml_served_as_xml_gets_the_notice_and_a_feed_passes(engine: Engine) -> None:
    page = (b'<?xml version="1.0" encoding="utf-8"?>\n' + XHTML_ROOT
            + b"<head><title>t</title></head><body><p>Story</p></body></html>")
    typed = [("Content-Type", "text/xml; charset=utf-8")]
    response = reader(engine, untyped_app([page[:30], page[30:]], typed), RUSSIA)
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    body = response.get_data()
    assert body.index(b"<aside") == body.index(b"<body>") + len(b"<body>")
    feed = b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>'
    response = reader(engine, untyped_app([feed], typed), RUSSIA)
    assert response.get_data() == feed and "X-Forewarn-Notices" not in response.headers
