"""What type the browser takes a response for: from its Content-Type values, read as Chromium
reads them, and when they say no usable type, from its first bytes.

A response may carry several Content-Type values (two headers, or one with commas): Chromium
takes the last that names a type (``text/plain`` then ``text/html`` is a page, the other way
round text), as the Fetch standard's "extract a MIME type" does, and a charset carries over from
an earlier value of the same type. Forewarn reads them the same way, so that it neither passes a
page the browser shows without its notice nor adds one to what the browser shows as text.

A document served as ``text/xml`` or ``application/xml`` whose root is ``<html
xmlns="http://www.w3.org/1999/xhtml">`` is a page to the browser too (XHTML, read by its XML
parser): Forewarn reads its root with expat (``is_xhtml``), and an RSS feed or any other XML
passes as it came.

An origin that sends no ``Content-Type`` (or an empty one, ``html``, ``unknown/unknown``...) has
its pages shown as HTML all the same: the browser sniffs them. Passing them as "not HTML" left
their readers without the notice. Forewarn reads the type and sniffs as Chromium does
(``net/base/mime_sniffer.cc`` and ``HttpUtil::ParseContentType``), which differs from the WHATWG
MIME Sniffing standard in small ways (no tag-terminating byte, vertical tab counted as white
space): a page Forewarn takes for HTML and adds a block to is then said to be ``text/html``, so
that every browser shows it as Chromium would have. ``X-Content-Type-Options: nosniff`` turns
sniffing off in both (Chromium then shows the text). ``tests/e2e/test_sniffed.py`` holds this
module to Chromium's own verdicts.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from functools import lru_cache

from werkzeug.http import parse_options_header

# How far Chromium looks for HTML: a tag must begin in the first 512 bytes ("<p" in bytes 510
# and 511 is HTML, one byte later text: measured, tests/e2e/test_sniffed.py).
SNIFF_BYTES = 512
# Generic XML types, which the browser shows as a page when the root is XHTML's <html>; and how
# far into such a document its root is looked for (past the declaration, doctype, comments).
XML_TYPES = frozenset({"text/xml", "application/xml"})
XML_ROOT_BYTES = 4096
_XHTML = "http://www.w3.org/1999/xhtml"
# Chromium's IsUnknownMimeType, besides any type without a slash.
_UNKNOWN = frozenset({"", "unknown/unknown", "application/unknown", "*/*"})
# The type in a Content-Type value as Chromium reads it: from the first non-blank to the first
# blank, ";" or "(".
_TYPE = re.compile(r"[ \t]*([^ \t;(]*)")
# Chromium's kSniffableTags for HTML, after ASCII white space: "<" and a name, in any case, as a
# prefix (so "<p" also matches "<pre>", "<a" "<article>").
_HTML = re.compile(
    rb"[\t\n\x0b\x0c\r ]*<(?:!DOCTYPE html|script|html|!--|head|iframe|h1|div|font|table|a|style"
    rb"|title|b|body|br|p)", re.IGNORECASE)


def browser_type(value: str) -> str:
    """The MIME type (lower case, without parameters) Chromium reads in a Content-Type value."""
    found = _TYPE.match(value)
    return found.group(1).lower() if found else ""


@lru_cache(maxsize=256)
def browser_content_type(values: tuple[str, ...]) -> tuple[str, str | None]:
    """The MIME type (lower case, "" for none) and charset Chromium takes from a response's
    Content-Type values: each split at commas, the last naming a type with a slash (not
    ``*/*``) wins, its charset or that of an earlier value of the same type."""
    mime_type, charset = "", None
    for value in values:
        for part in value.split(","):
            named = browser_type(part)
            if named == "*/*" or "/" not in named:
                continue
            options = parse_options_header(part)[1]
            named_charset = options.get("charset", "").strip().lower() or None
            if named != mime_type:
                mime_type, charset = named, named_charset
            elif named_charset is not None:
                charset = named_charset
    return mime_type, charset


def is_unknown(mime_type: str) -> bool:
    """Whether the browser sniffs a response of this type (as ``browser_type`` gives it) for
    HTML: no type, an empty or slashless one, or one that says it is unknown."""
    return mime_type in _UNKNOWN or "/" not in mime_type


def sniffs_as_html(start: bytes) -> bool:
    """Whether a response of unknown type that begins with ``start`` (its first SNIFF_BYTES, or
    all of it) is HTML to the browser."""
    return _HTML.match(start, 0, SNIFF_BYTES) is not None


class _Root(Exception):
    """Raised from expat's handler at the first element, to stop there."""


def is_xhtml(start: bytes) -> bool:
    """Whether an XML document that begins with ``start`` (its first XML_ROOT_BYTES, or all of
    it) has XHTML's ``<html>`` as its root, unprefixed, as the block's place is found in the
    markup. Not well-formed up to the root, or no root there: False."""
    parser = xml.parsers.expat.ParserCreate()

    def root(name: str, attributes: dict[str, str]) -> None:
        raise _Root(name == "html" and attributes.get("xmlns") == _XHTML)

    parser.StartElementHandler = root
    try:
        parser.Parse(start[:XML_ROOT_BYTES], False)
    except _Root as found:
        return bool(found.args[0])
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        return False
    return False
