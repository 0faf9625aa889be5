"""Find where in a page's first bytes the notice block goes, and put it there.

The block goes where the body begins as the HTML parser sees it, with scripting on
(webapp/page/tree.py): right after a ``<body ...>`` tag that opens the body, or right before the
token that implies the body; a frameset document gets none. Once the body has begun, a page can
choose the place itself: the first real ``<!-- forewarn -->`` marker or empty
``data-forewarn-slot`` element (webapp/page/anchors.py). The tokenizer works on bytes, so any
ASCII-compatible charset (UTF-8, windows-1251, KOI8-R, ISO-8859-x) needs no decoding; UTF-16 pages
(which must start with a byte order mark) are scanned through an ASCII projection. It never
raises: any byte string gets an answer. docs/placement.md has the rules and their reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from webapp.page.anchors import MARKER_WINDOW, SLOT_ATTRIBUTE, SLOT_WINDOW, find_anchor
from webapp.page.contents import Lexing
from webapp.page.tokenizer import Lexer
from webapp.page.tree import BodyStart, HeadScan

__all__ = ["DEFAULT_MARKER", "MARKER_WINDOW", "SLOT_ATTRIBUTE", "SLOT_WINDOW", "Placement",
           "anchor_placement", "find_placement", "place_after", "scan_head", "splice"]

DEFAULT_MARKER = b"<!-- forewarn -->"
LEXER: Lexing = Lexer()
FAST = True  # the one-regex skips over plain markup; tests switch them off for the reference

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the block goes (``offset`` into the page's bytes, None for nowhere), why (``reason``:
    "body", "implied", "marker" or "slot" with an offset; "frameset" or "no-body" without), and
    what the page's prefix said about itself on the way (``<html lang>``, charset)."""

    offset: int | None
    reason: str
    html_lang: str | None = None
    charset: str | None = None  # from the byte order mark, else from <meta charset>
    bom: bool = False  # charset came from a byte order mark, which outranks any header
    # False: ``offset`` is where the body begins, and no marker or slot after it was looked
    # for yet (``anchor_placement`` looks): a reader who gets no block needs neither.
    anchored: bool = True


def find_placement(
    data: bytes, *, marker: bytes | None = DEFAULT_MARKER, complete: bool,
    eof: bool | None = None,
) -> Placement | None:
    """Where the notice block goes in ``data``, the first bytes of a page.

    Returns None while the answer depends on bytes not seen yet; with ``complete`` (no more bytes
    will be looked at) it always answers, with ``offset=None`` when the block has no place.
    ``eof``: the page ends where ``data`` ends (default: ``complete``); a prefix cut at a limit is
    complete but not the end, and then the end of the data does not imply the body.
    """
    eof = complete if eof is None else eof
    for bom, charset in _BOMS:
        if data.startswith(bom):
            if charset == "utf-8":
                return _scan(data, marker, complete, eof, charset=charset)
            return _scan_utf16(data, marker, complete, eof, charset)
    return _scan(data, marker, complete, eof)


def splice(data: bytes, placement: Placement, block: bytes) -> bytes:
    """``data`` with ``block`` inserted at the placement (unchanged when there is no place)."""
    if placement.offset is None or not block:
        return data
    # One copy into the result: "a + b + c" builds and drops a page-sized temporary, which for
    # pages past the allocator's mmap threshold (about 1 MB) costs forty times the copy itself.
    view = memoryview(data)
    return b"".join((view[: placement.offset], block, view[placement.offset :]))


def _scan_utf16(
    data: bytes, marker: bytes | None, complete: bool, eof: bool, charset: str
) -> Placement | None:
    """Scan a UTF-16 page through one byte per code unit: ASCII stays, everything else is 0x80."""
    body = data[2 : len(data) - (len(data) % 2)]
    low, high = (body[0::2], body[1::2]) if charset == "utf-16-le" else (body[1::2], body[0::2])
    projected = bytes(
        lo if hi == 0 and lo < 0x80 else 0x80 for lo, hi in zip(low, high, strict=True)
    )
    found = _scan(projected, marker, complete, eof and len(data) % 2 == 0, charset=charset)
    if found is None or found.offset is None:
        return found
    return Placement(2 + 2 * found.offset, found.reason, found.html_lang, charset, bom=True)


def scan_head(data: bytes, *, complete: bool = True, eof: bool = True) -> BodyStart | None:
    """Where the body of ``data`` (no byte order mark) begins, with what its head said."""
    return HeadScan(data, LEXER, fast=FAST).run(0, complete=complete, eof=eof)


def place_after(data: bytes, head: BodyStart, marker: bytes | None, complete: bool,
                charset: str | None = None, *, anchor: bool = True) -> Placement | None:
    """The placement once the body's start is known: at a marker or a slot after it, or there;
    without ``anchor``, where the body begins, not anchored (``anchor_placement`` finishes)."""
    def answer(offset: int | None, reason: str) -> Placement:
        return Placement(offset, reason, head.html_lang, charset or head.meta_charset,
                         bom=charset is not None)

    if head.offset is None:
        return answer(None, head.reason)
    if not anchor:
        return Placement(head.offset, head.reason, head.html_lang, head.meta_charset,
                         anchored=False)
    found = find_anchor(data, head.offset, marker, complete=complete, lexer=LEXER, fast=FAST)
    if found is None:
        return None
    if found[0] >= 0:
        return answer(*found)
    return answer(head.offset, head.reason)


def anchor_placement(data: bytes, placement: Placement, marker: bytes | None,
                     complete: bool) -> Placement | None:
    """``placement`` from ``place_after(..., anchor=False)`` on the same bytes, anchored: at the
    marker or slot after the body's start, or there; None while the windows are not all here."""
    if placement.anchored or placement.offset is None:
        return placement
    anchor = find_anchor(data, placement.offset, marker, complete=complete, lexer=LEXER,
                         fast=FAST)
    if anchor is None:
        return None
    if anchor[0] >= 0:
        return replace(placement, offset=anchor[0], reason=anchor[1], anchored=True)
    return replace(placement, anchored=True)


def _scan(
    data: bytes, marker: bytes | None, complete: bool, eof: bool, *, charset: str | None = None
) -> Placement | None:
    start = 3 if charset == "utf-8" else 0
    head = HeadScan(data, LEXER, fast=FAST).run(start, complete=complete, eof=eof)
    return None if head is None else place_after(data, head, marker, complete, charset)
