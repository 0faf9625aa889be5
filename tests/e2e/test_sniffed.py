"""Pages whose origin sends no usable Content-Type: Chromium sniffs them, and shows as HTML what
begins like HTML; pages with several Content-Type values, of which Chromium takes the last; and
XHTML served as generic XML, which Chromium shows as a page (webapp/page/sniff.py). Each case is
opened twice by a reader in Russia, straight from the origin (Chromium's own verdict: the
oracle) and through Forewarn (`forewarn serve --upstream`): what Chromium shows as a page gets
the notice, and everything else passes as it came. Before, every such page passed as "not
HTML", without the notice."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.origin import RawAnswer, StaticOrigin
from tests.support import LiveServer
from webapp.page.sniff import SNIFF_BYTES, browser_content_type, is_unknown

PAGE_TYPES = ("text/html", "text/xml", "application/xml")
NOTICE = 'aside.forewarn section.forewarn-notice[data-notice-id="ru-undesirable"]'
ARTICLE = (b"<html><head><title>Ferry timetable</title></head><body>\n"
           b"<h2>The winter ferry timetable</h2><p>Boats leave every hour.</p></body></html>\n")
DOCTYPE = b"<!DOCTYPE html>\n" + ARTICLE
XHTML = (b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
         b'<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>Ferries</title>'
         b'</head><body>\n<h2>The winter ferry timetable</h2>'
         b'<p class="story">Boats leave every hour.</p></body></html>\n')
CASES: dict[str, RawAnswer] = {
    # the type: none, empty, malformed or "unknown" is sniffed; a real type is not
    "no-type": ([], DOCTYPE),
    "empty-type": ([("Content-Type", "")], DOCTYPE),
    "malformed-type": ([("Content-Type", "html")], DOCTYPE),
    "spaced-type": ([("Content-Type", "text / html")], DOCTYPE),
    "unknown-unknown": ([("Content-Type", "unknown/unknown")], DOCTYPE),
    "application-unknown": ([("Content-Type", "application/unknown")], DOCTYPE),
    "any-type": ([("Content-Type", "*/*")], DOCTYPE),
    "text-plain": ([("Content-Type", "text/plain")], DOCTYPE),
    "nosniff": ([("X-Content-Type-Options", "nosniff")], DOCTYPE),
    "nosniff-in-a-list": ([("X-Content-Type-Options", "NoSniff, other")], DOCTYPE),
    # the first bytes, with no type
    "white-space-then-html": ([], b" \t\r\n" + ARTICLE.upper()),
    "comment": ([], b"<!-- generated -->\n" + ARTICLE),
    "comment-without-space": ([], b"<!--generated-->\n" + ARTICLE),
    "paragraph": ([], b"<p>Boats leave every hour.</p><p>Tickets on board.</p>\n"),
    "heading": ([], b"<h1>Ferry timetable</h1><p>Boats leave every hour.</p>\n"),
    "link": ([], b'<a href="/ferries">All ferries</a><p>Boats leave every hour.</p>\n'),
    "preformatted": ([], b"<pre>Boats leave every hour.</pre>\n"),
    "article": ([], b"<article><p>Boats leave every hour.</p></article>\n"),
    "span": ([], b"<span>Boats leave every hour.</span>\n"),
    "vertical-tab-then-paragraph": ([], b"\x0b<p>Boats leave every hour.</p>\n"),
    "white-space-past-the-sniffed-bytes": ([], b" " * 1100 + ARTICLE),
    # Chromium looks at the first 1024 bytes (SNIFF_BYTES): "<p" in them, and one byte later
    "tag-in-the-last-sniffed-bytes": ([], b" " * (SNIFF_BYTES - 2) + b"<p>Boats leave.</p>\n"),
    "tag-just-past-them": ([], b" " * (SNIFF_BYTES - 1) + b"<p>Boats leave.</p>\n"),
    "parameters-only": ([("Content-Type", "; charset=utf-8")], DOCTYPE),
    "type-then-junk": ([("Content-Type", "text/html junk")], b"Timetable: boats hourly.\n"),
    # several values: the last that names a type wins
    "plain-then-html": ([("Content-Type", "text/plain"), ("Content-Type", "text/html")], DOCTYPE),
    "html-then-plain": ([("Content-Type", "text/html"), ("Content-Type", "text/plain")], DOCTYPE),
    "plain-and-html-in-one": ([("Content-Type", "text/plain, text/html")], DOCTYPE),
    "html-and-plain-in-one": ([("Content-Type", "text/html, text/plain")], DOCTYPE),
    "html-then-any": ([("Content-Type", "text/html"), ("Content-Type", "*/*")], DOCTYPE),
    "json-then-empty": ([("Content-Type", "application/json"), ("Content-Type", "")], DOCTYPE),
    "self-closed-break": ([], b"<br/><p>Boats leave every hour.</p>\n"),
    "byte-order-mark": ([], b"\xef\xbb\xbf" + DOCTYPE),
    "text-first": ([], b"Timetable: <p>Boats leave every hour.</p>\n"),
    "svg": ([], b'<svg xmlns="http://www.w3.org/2000/svg"><text>Ferry</text></svg>\n'),
    # XHTML served as generic XML is a page to Chromium; a feed or a picture is not
    "xhtml-as-text-xml": ([("Content-Type", "text/xml; charset=utf-8")], XHTML),
    "xhtml-as-application-xml": ([("Content-Type", "application/xml")], XHTML),
    "rss-as-text-xml": ([("Content-Type", "text/xml")],
                        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Ferries'
                        b'</title><item><title>Boats leave every hour.</title></item>'
                        b'</channel></rss>\n'),
    "svg-as-application-xml": ([("Content-Type", "application/xml")],
                               b'<svg xmlns="http://www.w3.org/2000/svg" width="200" '
                               b'height="40"><text x="5" y="20">Ferries</text></svg>\n'),
}


@pytest.fixture(scope="module")
def cases(origin: StaticOrigin) -> dict[str, RawAnswer]:
    return origin.add_raw("sniff", CASES)


def shown_as(page: Page) -> tuple[str, bool]:
    """The type Chromium shows the document as, and whether it is a page (HTML or XHTML, not
    one of its viewers for text, feeds or XML)."""
    kind = page.evaluate("document.contentType")
    return kind, kind in PAGE_TYPES and page.evaluate(
        "document.documentElement.namespaceURI") == "http://www.w3.org/1999/xhtml"


@pytest.mark.parametrize("name", list(CASES))
def test_what_chromium_shows_as_a_page_gets_the_notice_the_rest_passes_as_it_came(
    name: str, cases: dict[str, RawAnswer], origin: StaticOrigin,
    forewarn_proxy: LiveServer, reader_in_russia: Page,
) -> None:
    page = reader_in_russia
    direct = page.goto(f"{origin.url}/raw/sniff-{name}")
    assert direct is not None
    kind, a_page = shown_as(page)  # Chromium's verdict, from the origin
    as_it_came = direct.body()
    response = page.goto(f"{forewarn_proxy.url}/raw/sniff-{name}")
    assert response is not None and response.status == 200
    assert shown_as(page) == (kind, a_page)
    if a_page:
        expect(page.locator(NOTICE)).to_be_visible()
        assert page.evaluate("document.querySelector('parsererror') === null")
        assert response.headers["x-forewarn-notices"] == "ru-undesirable"
        types = tuple(value for header, value in cases[name][0] if header == "Content-Type")
        if is_unknown(browser_content_type(types)[0]):  # sniffed: now said to be HTML
            assert response.headers["content-type"] == "text/html"
    else:
        assert response.body() == as_it_came
        assert "x-forewarn-notices" not in response.headers


def test_the_cases_hold_both_verdicts(
    cases: dict[str, RawAnswer], origin: StaticOrigin, reader_in_russia: Page,
) -> None:
    """The oracle is asked something worth asking: Chromium shows some of these answers as
    pages and some not, so the test above checks both ways (and Chromium is not the standard:
    "<pre" is HTML to it, by the prefix "<p")."""
    page = reader_in_russia
    verdicts = {}
    for name in ("no-type", "malformed-type", "text-plain", "nosniff", "text-first",
                 "preformatted", "tag-in-the-last-sniffed-bytes", "tag-just-past-them",
                 "type-then-junk", "plain-then-html", "html-then-plain", "xhtml-as-text-xml",
                 "rss-as-text-xml", "svg-as-application-xml"):
        page.goto(f"{origin.url}/raw/sniff-{name}")
        verdicts[name] = shown_as(page)
    html, text = ("text/html", True), ("text/plain", False)
    assert verdicts == {"no-type": html, "malformed-type": html, "text-plain": text,
                        "nosniff": text, "text-first": text, "preformatted": html,
                        "tag-in-the-last-sniffed-bytes": html, "tag-just-past-them": text,
                        "type-then-junk": html, "plain-then-html": html,
                        "html-then-plain": text, "xhtml-as-text-xml": ("text/xml", True),
                        "rss-as-text-xml": ("application/rss+xml", False),
                        "svg-as-application-xml": ("application/xml", False)}
