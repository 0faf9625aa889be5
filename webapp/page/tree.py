"""Where the body begins: the HTML tree builder's insertion modes before it ("initial", "before
html", "before head", "in head", "after head", and "in template" through webapp/page/contents.py)
run over the tokens of a page's prefix, with scripting on. The body begins right after a
``<body>`` start tag, or right before the first token that those modes hand on to "in body" (text
other than whitespace, a tag the head does not take, ``</body>``, ``</html>``, ``</br>``, or the
end of the page); a ``<frameset>`` before the body, or one that replaces an implied body while the
frameset-ok flag allows it, makes a document without a body. ("in head noscript" never runs:
with scripting on, ``<noscript>`` in the head is raw text.) It also notes what the head says about
the page: ``<html lang>`` and ``<meta charset>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from webapp.page.contents import AT_END, CLOSED, CUT, FRAMESET, NOT_OK_NOW, Contents, Lexing
from webapp.page.tokenizer import END, START, TEXT, Token
from webapp.page.tokens import CHARSET_IN_CONTENT, head_skip

INITIAL, BEFORE_HTML, BEFORE_HEAD, IN_HEAD, AFTER_HEAD = range(5)
_HEAD_VOID = frozenset({b"base", b"basefont", b"bgsound", b"link", b"meta"})
_HEAD_RAW = frozenset({b"title", b"style", b"noframes", b"script", b"noscript"})
_NON_SPACE = re.compile(rb"[^\t\n\f\r ]")
_OPEN = -1  # see BodyStart.decided


@dataclass(frozen=True, slots=True)
class BodyStart:
    """Where the body begins (``offset``; None when the block has no place) and why: "body"
    (after the ``<body>`` tag), "implied" (before the token that implies it), "frameset" or
    "no-body" (not within the bytes looked at, or only where a block would not be markup).
    ``decided``: the answer depends on no byte at or after it, nor on whether more come
    (webapp/page/head_memo.py); past the data's end when it does."""

    offset: int | None
    reason: str
    decided: int
    html_lang: str | None = None
    meta_charset: str | None = None


class HeadScan:
    """One page prefix through the modes before the body. ``fast`` steps over the head's plain
    markup with one regular expression (webapp/page/tokens.py); without it every token is
    taken one by one, which is the reference the fast path is tested against."""

    def __init__(self, data: bytes, lexer: Lexing, *, fast: bool = True) -> None:
        self.data, self.lexer, self.fast = data, lexer, fast
        self.mode = INITIAL
        self.returns: list[int] = []  # the mode each open template goes back to
        self.html_lang: bytes | None = None
        self.meta_charset: str | None = None

    def run(self, pos: int, *, complete: bool, eof: bool) -> BodyStart | None:
        """From ``pos`` (after any byte order mark). None while more bytes could change the
        answer; ``complete``: none will be looked at; ``eof``: the page ends here."""
        data = self.data
        while True:
            if self.fast:
                pos = head_skip(self.mode == AFTER_HEAD).match(data, pos).end()  # type: ignore[union-attr]
            if pos == len(data):
                return self._at_end(pos, complete, eof)
            token = self.lexer.token(data, pos, eof=eof)
            found = None if token is None else self._token(token, eof)
            if isinstance(found, int):
                pos = found
                continue
            if found is None:  # the data ends inside markup
                return self._answer(None, "no-body", _OPEN) if complete else None
            return self._settle(found, complete, eof)

    def _at_end(self, pos: int, complete: bool, eof: bool) -> BodyStart | None:
        if not eof:
            return self._answer(None, "no-body", _OPEN) if complete else None
        return self._answer(pos, "implied", _OPEN)  # the end of the page implies the body

    def _token(self, token: Token, eof: bool) -> int | BodyStart | None:
        """Where to go on (an offset), the answer, or None when the data ends inside markup."""
        if token.kind == TEXT:
            return self._text(token, eof)
        if token.kind == START:
            return self._start(token)
        if token.kind == END:
            return self._end(token)
        return token.end

    def _text(self, token: Token, eof: bool) -> int | BodyStart | None:
        data = self.data
        at = _NON_SPACE.search(data, token.start, token.end)
        while at is not None and data[at.start()] == 38:  # "&"
            after = self.lexer.charref_space(data, at.start(), eof)
            if after is None:
                return None
            if after < 0:
                break
            at = _NON_SPACE.search(data, after, token.end)
        return token.end if at is None else self._answer(at.start(), "implied", at.start())

    def _start(self, token: Token) -> int | BodyStart | None:
        name = token.name
        if name == b"body":
            return self._answer(token.end, "body", token.end)
        if name == b"frameset":
            return self._answer(None, "frameset", token.end)
        if name == b"html":
            if self.html_lang is None:
                self.html_lang = self.lexer.attribute(token, b"lang")
            self.mode = max(self.mode, BEFORE_HEAD)
            return token.end
        if name == b"head":
            self.mode = IN_HEAD if self.mode < IN_HEAD else self.mode
            return token.end
        if name == b"template":
            self.mode = max(self.mode, IN_HEAD) if self.mode != AFTER_HEAD else AFTER_HEAD
            self.returns.append(self.mode)
            return self._template(token.end)
        if name == b"noscript" and self.mode == AFTER_HEAD:
            return self._answer(token.start, "implied", token.start)
        if name not in _HEAD_VOID and name not in _HEAD_RAW:
            return self._answer(token.start, "implied", token.start)
        if self.mode != AFTER_HEAD:
            self.mode = IN_HEAD
        if name == b"meta":
            self._meta(token)
        if name not in _HEAD_RAW:
            return token.end
        if name == b"script":
            return self.lexer.script_end(self.data, token.end)
        return self.lexer.raw_text_end(self.data, token.end, name)

    def _end(self, token: Token) -> int | BodyStart:
        name = token.name
        if name in (b"body", b"html", b"br"):
            return self._answer(token.start, "implied", token.start)
        if name == b"head" and self.mode != AFTER_HEAD:
            self.mode = AFTER_HEAD
        return token.end  # any other end tag is ignored before the body

    def _template(self, pos: int) -> int | BodyStart | None:
        """Template contents: the page goes on "in template" until the template ends."""
        contents = Contents(self.lexer, frameset_ok=False)
        contents.stack.append(("html", b"template"))
        outcome, end = contents.run(self.data, pos, eof=False)
        if outcome == CLOSED:
            self.mode = self.returns.pop()
            return end
        if outcome in (AT_END, CUT):
            return None  # more bytes may close it; at the page's end the block would be inside
        return self._answer(None, "no-body", end)  # <plaintext>: the rest of the page is text

    def _meta(self, token: Token) -> None:
        if b"charset" not in token.attrs.lower():  # most <meta> tags say something else
            return
        charset = self.lexer.attribute(token, b"charset")
        if charset is None and (self.lexer.attribute(token, b"http-equiv") or b"").lower() \
                .strip() == b"content-type":
            found = CHARSET_IN_CONTENT.search(self.lexer.attribute(token, b"content") or b"")
            charset = found.group(1) if found else None
        text = _text_of(charset)
        if text and self.meta_charset is None:
            self.meta_charset = text.lower()

    def _answer(self, offset: int | None, reason: str, decided: int) -> BodyStart:
        if decided == _OPEN or decided >= len(self.data):
            decided = len(self.data) + 1  # the answer may depend on where the data ends
        return BodyStart(offset, reason, decided, _text_of(self.html_lang), self.meta_charset)

    def _settle(self, found: BodyStart, complete: bool, eof: bool) -> BodyStart | None:
        """An implied body stays unless a ``<frameset>`` replaces it while frameset-ok holds:
        tokenize on "in body" until the flag turns, a frameset comes, or the data ends."""
        if found.reason != "implied" or found.offset is None or found.offset == len(self.data):
            return found
        contents = Contents(self.lexer, frameset_ok=True)
        outcome, end = contents.run(self.data, found.offset, eof=eof)
        if outcome == FRAMESET:
            return self._answer(None, "frameset", end)
        if outcome in (AT_END, CUT) and not (complete or eof):
            return None
        # The flag turned, or the page (or the prefix) ended first: the body stays where it began.
        # A token's kind can hang on the byte after it ("<" then not a letter is text): +1.
        return self._answer(found.offset, "implied", end + 1 if outcome == NOT_OK_NOW else _OPEN)


def _text_of(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = value.decode("ascii", errors="replace").strip()
    return text or None
