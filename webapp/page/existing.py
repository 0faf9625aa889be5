"""Whether a page already carries a Forewarn block: one put there by another Forewarn in front of
or behind this one (a proxy before a proxy, middleware stacked twice, a page saved as it was
served). Looked for where this Forewarn would put its own (``Placement.offset``), so never inside
a comment, a script or an attribute; the block is the contract's ``<aside class="forewarn"``
up to its ``</aside>`` (it holds no other aside)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from webapp.page.anchors import BLOCK_OPENING, SPACES
from webapp.page.placement import Placement

_OPEN = BLOCK_OPENING.decode("ascii")
_CLOSE = "</aside>"
_SPACE = " \t\r\n\f"
_OPEN_BYTES, _CLOSE_BYTES = BLOCK_OPENING, _CLOSE.encode("ascii")
# Enough bytes after the place to tell: some white space, then the opening of the block.
LOOK_AHEAD = 256


@dataclass(frozen=True, slots=True)
class Existing:
    """A block found at ``start``; ``end`` is just past its ``</aside>``, or None when that is
    not within the bytes looked at."""

    start: int
    end: int | None


def decided(data: bytes, placement: Placement) -> bool:
    """Whether ``data`` holds enough past the place to tell if a block is there."""
    return placement.offset is None or len(data) - placement.offset >= LOOK_AHEAD


def existing_block(data: bytes, placement: Placement, *, anywhere: bool = False) -> Existing | None:
    """The block already in ``data`` where the placement puts one (after white space), or with
    ``anywhere`` (a page whose headers say a Forewarn passed it) the first in ``data``."""
    if placement.offset is None:
        return None
    charset = placement.charset or ""
    if charset.startswith("utf-16"):  # the block's bytes in UTF-16, looked for as they are
        opening, closing = _OPEN.encode(charset), _CLOSE.encode(charset)
        start = placement.offset
        while start + 2 <= len(data) and data[start:start + 2].decode(charset, "replace") in _SPACE:
            start += 2
    else:
        opening, closing = _OPEN_BYTES, _CLOSE_BYTES
        start = SPACES.match(data, placement.offset).end()  # type: ignore[union-attr]
    if not data.startswith(opening, start):
        start = data.find(opening) if anywhere else -1
        if start < 0:
            return None
    end = data.find(closing, start)
    return Existing(start, None if end < 0 else end + len(closing))


def find_existing(
    data: bytes, placement: Placement, more: Iterator[bytes], limit: int, *, whole: bool,
    anywhere: bool = False,
) -> tuple[bytes, Existing | None]:
    """The block already in the page, reading on from ``more`` as far as needed to tell (and
    with ``whole``, to the block's end), never past ``limit`` bytes; ``data`` with what was read
    on."""
    if placement.offset is None:
        return data, None
    data = _read_on(data, more, lambda got: decided(got, placement), limit)
    existing = existing_block(data, placement, anywhere=anywhere)
    if whole and existing is not None and existing.end is None:
        start = existing.start
        data = _read_on(data, more, lambda got: _CLOSE_BYTES in got[start:], limit)
        existing = existing_block(data, placement, anywhere=anywhere)
    return data, existing


def _read_on(data: bytes, chunks: Iterator[bytes], enough: Callable[[bytes], bool],
             limit: int) -> bytes:
    """``data`` with chunks appended until ``enough`` says so, the chunks end or ``limit``."""
    while not enough(data) and len(data) < limit:
        chunk = next(chunks, None)
        if chunk is None:
            break
        data += chunk
    return data


def without(data: bytes, existing: Existing, placement: Placement) -> tuple[bytes, Placement]:
    """``data`` with the block cut out, and the placement moved to where the block began when
    the block lay before it (a block found anywhere)."""
    assert existing.end is not None
    cut = data[:existing.start] + data[existing.end:]
    offset = placement.offset
    if offset is not None and existing.end <= offset:
        offset -= existing.end - existing.start
    elif offset is not None and existing.start < offset:
        offset = existing.start
    return cut, replace(placement, offset=offset)
