"""The places a page can choose for the block once its body has begun: the first real
``<!-- forewarn -->`` comment (the marker) or the first empty element carrying
``data-forewarn-slot`` (the slot, for pages that client-side frameworks hydrate), whichever comes
first; a slot that holds a Forewarn block (the page was saved as it was served) is still the
slot, so that the block there is found (webapp/page/existing.py). Real means as the tokenizer
sees it: not inside a script, style, textarea, title, an attribute value, a template or foreign
(svg, math) content. The marker is looked for within MARKER_WINDOW bytes of where the body
begins, the slot within SLOT_WINDOW.
"""

from __future__ import annotations

import re

from webapp.page.contents import RAWTEXT, RCDATA, VOID, Lexing
from webapp.page.tokenizer import COMMENT, END, START, Token
from webapp.page.tokens import body_skip

# How far past the start of the body a marker is looked for. Bounded so that a page without a
# marker is held back only this much before it streams on.
MARKER_WINDOW = 64 * 1024
# The slot is for the first screen; searching for its attribute costs far more than for the
# marker (whose "!" is a memchr away), so it is looked for only near the start of the body.
SLOT_WINDOW = 8 * 1024
SLOT_ATTRIBUTE = b"data-forewarn-slot"
# How every Forewarn block opens (the contract's HTML block, docs/architecture.md).
BLOCK_OPENING = b'<aside class="forewarn"'
SPACES = re.compile(rb"[ \t\r\n\f]*")  # HTML's white space; always matches
_UNDECIDED = (-1, "undecided")
_BANG_TRIES = 16  # "!" bytes looked at one by one before the marker is searched for whole


def find_anchor(data: bytes, body: int, marker: bytes | None, *, complete: bool,
                lexer: Lexing, fast: bool = True) -> tuple[int, str] | None:
    """``(offset, "marker" | "slot")`` for the block, ``(-1, "")`` for neither, None while the
    windows are not all here. ``body``: where the body begins."""
    marker = marker if marker and marker.startswith(b"<!--") else None
    marker_end = body + MARKER_WINDOW + len(marker) - 1 if marker else body
    slot_end = body + SLOT_WINDOW + len(SLOT_ATTRIBUTE) - 1
    walk = _Walk(data, lexer, marker, fast)
    pos = body
    while True:
        at_marker = _find_marker(data, marker, pos, marker_end) if marker else -1
        at_slot = data.find(SLOT_ATTRIBUTE, pos, slot_end)
        targets = [at for at in (at_marker, at_slot) if at >= 0]
        if not targets:
            return (-1, "") if complete or len(data) >= max(marker_end, slot_end) else None
        stopped = walk.run(pos, until=min(targets))
        if walk.found is not None:
            return walk.found
        if stopped is None:
            return (-1, "") if complete else None
        if walk.plaintext:
            return -1, ""
        pos = stopped  # past the candidate: its bytes were inside a script, comment or attribute


class _Walk:
    """The tokenizer's walk through the body, keeping the template and foreign depth."""

    def __init__(self, data: bytes, lexer: Lexing, marker: bytes | None, fast: bool) -> None:
        self.data, self.lexer, self.marker, self.fast = data, lexer, marker, fast
        self.templates = self.foreign = 0
        self.found: tuple[int, str] | None = None
        self.plaintext = False

    def run(self, pos: int, until: int) -> int | None:
        """Tokenize from ``pos`` through the token that holds ``until``; returns where the next
        token starts, or None when the data ends inside markup."""
        data, skip = self.data, body_skip(self.marker)
        while pos <= until:
            if self.fast:
                pos = skip.match(data, pos, until).end()  # type: ignore[union-attr]
            if pos >= len(data):
                return len(data)
            token = self.lexer.token(data, pos, foreign=self.foreign > 0)
            if token is None:
                return None
            if token.start <= until < token.end or token.start == until:
                found = self._anchor(token)
                if found == _UNDECIDED:
                    return None
                if found is not None:
                    self.found = found
                    return token.end
            pos = self._after(token)
            if pos < 0 or self.plaintext:
                return None if pos < 0 else len(data)
        return pos

    def _anchor(self, token: Token) -> tuple[int, str] | None:
        if self.templates or self.foreign:
            return None
        if token.kind == COMMENT and self.marker is not None and \
                self.data.startswith(self.marker, token.start) and \
                token.start + len(self.marker) <= token.end:
            return token.end, "marker"
        if token.kind == START and token.name not in VOID and \
                self.lexer.attribute(token, SLOT_ATTRIBUTE) is not None:
            close = self.lexer.token(self.data, token.end) if token.end < len(self.data) else None
            if close is None:
                return _UNDECIDED  # its end tag is not here yet
            if close and close.kind == END and close.name == token.name:
                return token.end, "slot"  # only an empty slot: the block is all it will hold
            space = SPACES.match(self.data, token.end).end()  # type: ignore[union-attr]
            if self.data.startswith(BLOCK_OPENING, space):
                return token.end, "slot"  # the block a Forewarn put in it before
        return None

    def _after(self, token: Token) -> int:
        """Where tokenizing goes on after ``token``: past raw text too; -1 when cut off."""
        name = token.name
        if token.kind == START:
            if name == b"template":
                self.templates += 1
            elif name in (b"svg", b"math") and not self.lexer.self_closing(token):
                self.foreign += 1
            elif name == b"plaintext":
                self.plaintext = True
            elif not self.foreign and (name in RCDATA or name in RAWTEXT or name == b"script"):
                end = self.lexer.script_end(self.data, token.end) if name == b"script" else \
                    self.lexer.raw_text_end(self.data, token.end, name)
                return -1 if end is None else end
        elif token.kind == END:
            if name == b"template" and self.templates:
                self.templates -= 1
            elif name in (b"svg", b"math") and self.foreign:
                self.foreign -= 1
        return token.end


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
