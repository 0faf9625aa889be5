"""Find where in a page's first bytes the notice block goes, and put it there.

The place is the first ``<!-- forewarn -->`` marker inside the body (looked for up to
``MARKER_WINDOW`` bytes past the ``<body>`` tag), else right after the real opening ``<body ...>``
tag. "Real" follows the HTML tokenizer: a ``<body`` inside a comment, a ``<script>``, ``<style>``,
``<textarea>``, ``<title>``, ``<noscript>``, a ``<template>``, a bogus comment (``<!...>``,
``<?...>``, CDATA outside foreign content) or an attribute value does not count. The scan works on
bytes, so any ASCII-compatible charset (UTF-8, windows-1251, KOI8-R, ISO-8859-x) needs no
decoding; UTF-16 pages (which must start with a byte order mark) are scanned through an ASCII
projection. It never raises: any byte string gets an answer.
"""

from __future__ import annotations

from dataclasses import dataclass

from webapp.page.tokens import (
    ATTRIBUTE,
    CHARSET_IN_CONTENT,
    COMMENT_END,
    RAW_TEXT,
    RAW_TEXT_END,
    TAG_NAME,
    TAG_TAIL,
    skippable,
)

DEFAULT_MARKER = b"<!-- forewarn -->"
# The one-step skip, a module global so that tests can swap in the step-by-step reference.
_boring = skippable

# How far past <body> a marker is looked for. Bounded so that a page without a marker is held
# back only this much before it streams on.
MARKER_WINDOW = 64 * 1024
_BANG_TRIES = 16  # "!" bytes looked at one by one before the marker is searched for whole

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the block goes (``offset`` into the page's bytes, None for nowhere) and what the
    page's prefix said about itself on the way (``<html lang>``, charset)."""

    offset: int | None
    reason: str  # "marker", "body" or "no-body"
    html_lang: str | None = None
    charset: str | None = None  # from the byte order mark, else from <meta charset>
    bom: bool = False  # charset came from a byte order mark, which outranks any header


def find_placement(
    data: bytes, *, marker: bytes | None = DEFAULT_MARKER, complete: bool
) -> Placement | None:
    """Where the notice block goes in ``data``, the first bytes of a page.

    Returns None while the answer depends on bytes not seen yet; with ``complete`` (no more bytes
    will come) it always answers, with ``offset=None`` when the page has no place for the block.
    """
    for bom, charset in _BOMS:
        if data.startswith(bom):
            if charset == "utf-8":
                return _scan(data, marker, complete, charset=charset)
            return _scan_utf16(data, marker, complete, charset)
    return _scan(data, marker, complete)


def splice(data: bytes, placement: Placement, block: bytes) -> bytes:
    """``data`` with ``block`` inserted at the placement (unchanged when there is no place)."""
    if placement.offset is None or not block:
        return data
    # One copy into the result: "a + b + c" builds and drops a page-sized temporary, which for
    # pages past the allocator's mmap threshold (about 1 MB) costs forty times the copy itself.
    view = memoryview(data)
    return b"".join((view[: placement.offset], block, view[placement.offset :]))


def _scan_utf16(
    data: bytes, marker: bytes | None, complete: bool, charset: str
) -> Placement | None:
    """Scan a UTF-16 page through one byte per code unit: ASCII stays, everything else is 0x80."""
    body = data[2 : len(data) - (len(data) % 2)]
    low, high = (body[0::2], body[1::2]) if charset == "utf-16-le" else (body[1::2], body[0::2])
    projected = bytes(
        lo if hi == 0 and lo < 0x80 else 0x80 for lo, hi in zip(low, high, strict=True)
    )
    found = _scan(projected, marker, complete, charset=charset)
    if found is None or found.offset is None:
        return found
    return Placement(2 + 2 * found.offset, found.reason, found.html_lang, charset, bom=True)


class _Scanner:
    """The tokenizer's walk over the page: to the body tag first, then on to a marker."""

    def __init__(self, data: bytes, marker: bytes | None) -> None:
        self.data = data
        self.marker = marker if marker and marker.startswith(b"<!--") else None
        self.template_depth = 0
        self.html_lang: str | None = None
        self.meta_charset: str | None = None
        self.marker_end: int | None = None
        self.body_end: int | None = None
        self.stopped = False  # <plaintext>: the rest of the page is text

    def run(self, pos: int, until: int | None = None) -> int | None:
        """Tokenize from ``pos``. Without ``until``, stop after the body tag; with it, stop at a
        marker or before markup that starts after ``until``. Returns where it stopped (the end of
        the data when it ran out in text), or None when the data ends inside markup."""
        data = self.data
        boring = _boring(self.marker)
        while not self.stopped:
            pos = boring.match(data, pos).end()  # type: ignore[union-attr]  # always matches
            lt = data.find(b"<", pos)
            if lt < 0:
                return len(data)
            if until is not None and lt > until:
                return lt
            end = self._markup(lt)
            if end is None:
                return None
            pos = end
            if until is None and self.body_end is not None:
                return pos
            if until is not None and self.marker_end is not None:
                return pos
        return len(data)

    def _markup(self, lt: int) -> int | None:
        """Consume the markup starting at ``lt``; returns the offset after it, None if cut off."""
        data = self.data
        nxt = data[lt + 1 : lt + 2]
        if not nxt:
            return None
        if nxt == b"!":
            return self._comment(lt)
        if nxt == b"?":
            return self._bogus_comment(lt + 2)
        if nxt == b"/":
            name = TAG_NAME.match(data, lt + 2)
            if name is not None:
                return self._end_tag(name.group().lower(), name.end())
            after = data[lt + 2 : lt + 3]
            if not after:
                return None
            return lt + 3 if after == b">" else self._bogus_comment(lt + 2)
        name = TAG_NAME.match(data, lt + 1)
        if name is None:
            return lt + 1  # a "<" that starts no tag is text
        return self._start_tag(name.group().lower(), name.end())

    def _comment(self, lt: int) -> int | None:
        data = self.data
        if not data.startswith(b"<!--", lt):
            if len(data) - lt < 4 and b"<!--".startswith(data[lt:]):
                return None
            return self._bogus_comment(lt + 2)  # <!DOCTYPE ...>, and CDATA outside svg/math
        for abrupt in (b"<!-->", b"<!--->"):
            if data.startswith(abrupt, lt):
                return lt + len(abrupt)
        close = COMMENT_END.search(data, lt + 4)
        if close is None:
            return None
        marker = self.marker
        if (marker is not None and self.template_depth == 0 and self.marker_end is None
                and data.startswith(marker, lt) and lt + len(marker) <= close.end()):
            self.marker_end = close.end()
        return close.end()

    def _bogus_comment(self, pos: int) -> int | None:
        gt = self.data.find(b">", pos)
        return None if gt < 0 else gt + 1

    def _end_tag(self, name: bytes, pos: int) -> int | None:
        tail = TAG_TAIL.match(self.data, pos)
        if tail is None:
            return None
        if name == b"template" and self.template_depth:
            self.template_depth -= 1
        return tail.end()

    def _start_tag(self, name: bytes, pos: int) -> int | None:
        tail = TAG_TAIL.match(self.data, pos)
        if tail is None:
            return None
        end = tail.end()
        if name == b"body":
            if self.template_depth == 0 and self.body_end is None:
                self.body_end = end
        elif name == b"template":
            self.template_depth += 1
        elif name == b"html":
            if self.html_lang is None:
                self.html_lang = _attribute_text(self.data[pos:end], b"lang")
        elif name == b"meta":
            attributes = self.data[pos:end]
            if b"charset" in attributes.lower():  # most <meta> tags say something else
                self._meta(attributes)
        elif name in RAW_TEXT:
            return self._raw_text(name, end)
        elif name == b"plaintext":
            self.stopped = True
        return end

    def _meta(self, attributes: bytes) -> None:
        charset = _attribute_text(attributes, b"charset")
        if charset is None and (_attribute_text(attributes, b"http-equiv") or "").lower() \
                == "content-type":
            found = CHARSET_IN_CONTENT.search(_attribute(attributes, b"content") or b"")
            charset = found.group(1).decode("ascii") if found else None
        if charset:
            self.meta_charset = self.meta_charset or charset.lower()
            if self.body_end is None:
                self.marker_end = None  # the block never goes before the page's <meta charset>

    def _raw_text(self, name: bytes, pos: int) -> int | None:
        close = RAW_TEXT_END[name].search(self.data, pos)
        return None if close is None else close.start()  # the end tag is read as markup next


@dataclass(frozen=True, slots=True)
class Head:
    """The scan's state right after a page's real ``<body>`` tag: all that the rest of the scan
    and its answer depend on besides the bytes after it (see webapp/page/head_memo.py)."""

    body_end: int
    template_depth: int
    html_lang: str | None
    meta_charset: str | None


def scan_head(data: bytes, marker: bytes | None) -> Head | None:
    """Tokenize ``data`` (no byte order mark) up to its real body tag; None when it has none."""
    scanner = _Scanner(data, marker)
    scanner.run(0)
    if scanner.body_end is None:
        return None
    return Head(scanner.body_end, scanner.template_depth, scanner.html_lang,
                scanner.meta_charset)


def place_after(data: bytes, head: Head, marker: bytes | None, complete: bool) -> Placement | None:
    """``find_placement`` for a page whose bytes up to ``head.body_end`` are those ``head`` was
    scanned from: the same answer, scanning only from the body tag on."""
    scanner = _Scanner(data, marker)
    scanner.body_end, scanner.template_depth = head.body_end, head.template_depth
    scanner.html_lang, scanner.meta_charset = head.html_lang, head.meta_charset
    return _answer(scanner, complete, None)


def _scan(
    data: bytes, marker: bytes | None, complete: bool, *, charset: str | None = None
) -> Placement | None:
    scanner = _Scanner(data, marker)
    scanner.run(3 if charset == "utf-8" else 0)
    return _answer(scanner, complete, charset)


def _answer(scanner: _Scanner, complete: bool, charset: str | None) -> Placement | None:
    """The placement once the scan reached the body tag, or the end of what is here."""

    def answer(offset: int | None, reason: str) -> Placement:
        return Placement(offset, reason, scanner.html_lang, charset or scanner.meta_charset,
                         bom=charset is not None)

    if scanner.body_end is None:
        if not complete and not scanner.stopped:
            return None
        if scanner.marker_end is not None:  # a page that leaves out <body> but has the marker
            return answer(scanner.marker_end, "marker")
        return answer(None, "no-body")
    marker_end = _marker_in_body(scanner, complete)
    if marker_end is None:
        return None
    if marker_end >= 0:
        return answer(marker_end, "marker")
    return answer(scanner.body_end, "body")


def _marker_in_body(scanner: _Scanner, complete: bool) -> int | None:
    """The end of the first real marker starting within MARKER_WINDOW after <body>; -1 for none,
    None while the window is not all here. Tokenizes only when the marker's bytes occur."""
    data, marker, pos = scanner.data, scanner.marker, scanner.body_end
    assert pos is not None
    if marker is None:
        return -1
    search_end = pos + MARKER_WINDOW + len(marker) - 1  # the marker must start in the window
    scanner.marker_end = None
    while True:
        found = _find_marker(data, marker, pos, search_end)
        if found < 0:
            return -1 if complete or len(data) >= search_end else None
        stopped = scanner.run(pos, until=found)
        if scanner.marker_end is not None:
            return scanner.marker_end
        if stopped is None or scanner.stopped:
            return -1 if complete or scanner.stopped else None
        pos = stopped  # past ``found``: those bytes were inside a script, comment or attribute


def _find_marker(data: bytes, marker: bytes, start: int, end: int) -> int:
    """``data.find(marker, start, end)`` for a marker that starts with "<!": CPython's substring
    search crawls over markup (its skip table is keyed on the low bits of each byte, where
    letters and "<!-" collide), while looking for the one byte "!" is a memchr. A page full of
    "!" falls back to the plain search after a few misses."""
    at = start
    for _ in range(_BANG_TRIES):
        bang = data.find(b"!", at + 1, end)
        if bang < 0:
            return -1
        if data.startswith(marker, bang - 1) and bang - 1 + len(marker) <= end:
            return bang - 1
        at = bang
    return data.find(marker, at, end)


def _attribute(attributes: bytes, wanted: bytes) -> bytes | None:
    """The first value of attribute ``wanted`` (lower-case name) in a tag's attribute text."""
    for match in ATTRIBUTE.finditer(attributes):
        if match.group(1).lower() == wanted:
            return next((v for v in match.group(2, 3, 4) if v is not None), b"")
    return None


def _attribute_text(attributes: bytes, wanted: bytes) -> str | None:
    value = _attribute(attributes, wanted)
    if value is None:
        return None
    text = value.decode("ascii", errors="replace").strip()
    return text or None
