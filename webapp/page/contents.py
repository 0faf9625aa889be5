"""The open elements that decide the tokenizer's state where the head's own rules do not apply:
inside ``<template>`` contents before the body, and at the start of an implied body while a
``<frameset>`` could still replace it (the frameset-ok flag). Tracks templates, foreign content
(``<svg>``, ``<math>``, their integration points and the tags that break out of them) and HTML
elements inside those; says when text is RCDATA, RAWTEXT, script data or PLAINTEXT. It follows
"in template", "in body" and "in foreign content" only as far as the tokenizer's state and the
frameset-ok flag depend on them: where an element ends among misnested tags is approximated
(an end tag closes the nearest open element of its name within the current template).
"""

from __future__ import annotations

import re
from typing import Protocol

from webapp.page.tokenizer import CDATA, END, START, TEXT, Token

RCDATA = frozenset({b"title", b"textarea"})
RAWTEXT = frozenset({b"style", b"xmp", b"iframe", b"noembed", b"noframes", b"noscript"})
VOID = frozenset({b"area", b"base", b"basefont", b"bgsound", b"br", b"col", b"embed", b"hr",
                  b"img", b"image", b"input", b"keygen", b"link", b"meta", b"param", b"source",
                  b"track", b"wbr", b"frame"})
# Start tags after which "in body" sets the frameset-ok flag to "not ok" (<input> unless hidden).
NOT_OK = frozenset({b"pre", b"listing", b"li", b"dd", b"dt", b"button", b"applet", b"marquee",
                    b"object", b"table", b"area", b"br", b"embed", b"img", b"keygen", b"wbr",
                    b"hr", b"image", b"textarea", b"xmp", b"iframe", b"select", b"template",
                    b"body"})
BREAKOUT = frozenset({b"b", b"big", b"blockquote", b"body", b"br", b"center", b"code", b"dd",
                      b"div", b"dl", b"dt", b"em", b"embed", b"h1", b"h2", b"h3", b"h4", b"h5",
                      b"h6", b"head", b"hr", b"i", b"img", b"li", b"listing", b"menu", b"meta",
                      b"nobr", b"ol", b"p", b"pre", b"ruby", b"s", b"small", b"span", b"strong",
                      b"strike", b"sub", b"sup", b"table", b"tt", b"u", b"ul", b"var"})
_SVG_HTML_POINTS = frozenset({b"foreignobject", b"desc", b"title"})
_MATH_TEXT_POINTS = frozenset({b"mi", b"mo", b"mn", b"ms", b"mtext"})
_HTML_ANNOTATION = b"annotation-xml html"  # an annotation-xml element that holds HTML
_NON_SPACE_OR_NUL = re.compile(rb"[^\t\n\f\r \x00]")

# What Contents.run stopped at.
CLOSED = "closed"  # the outermost template ended (its end tag is consumed)
NOT_OK_NOW = "not-ok"  # the frameset-ok flag turned "not ok": the body stays
FRAMESET = "frameset"  # a <frameset> replaces the implied body
PLAINTEXT = "plaintext"  # the rest of the page is text
AT_END = "end"  # the data ran out between tokens
CUT = "cut"  # the data ran out inside a token or inside raw text


class Lexing(Protocol):
    """What Contents needs of a tokenizer (webapp/page/tokenizer.py or reference.py)."""

    def token(self, data: bytes, pos: int, *, foreign: bool = ...,
              eof: bool = ...) -> Token | None: ...
    def raw_text_end(self, data: bytes, pos: int, name: bytes) -> int | None: ...
    def script_end(self, data: bytes, pos: int) -> int | None: ...
    def attribute(self, token: Token, wanted: bytes) -> bytes | None: ...
    def self_closing(self, token: Token) -> bool: ...
    def charref_space(self, data: bytes, pos: int, eof: bool) -> int | None: ...


class Contents:
    """Open elements (namespace, lower-case name) inside a template or an implied body."""

    def __init__(self, lexer: Lexing, *, frameset_ok: bool) -> None:
        self.lexer = lexer
        self.frameset_ok = frameset_ok  # at the start of an implied body; else in templates
        self.stack: list[tuple[str, bytes]] = []

    def run(self, data: bytes, pos: int, eof: bool) -> tuple[str, int]:
        """Tokenize from ``pos`` until one of the outcomes above; returns it and where it
        stopped (after the token that decided it)."""
        lexer = self.lexer
        while pos < len(data):
            foreign = bool(self.stack) and self.stack[-1][0] != "html"
            token = lexer.token(data, pos, foreign=foreign, eof=eof)
            if token is None:
                return CUT, pos
            outcome, pos = self._token(data, token, eof)
            if outcome:
                return outcome, pos
        return AT_END, pos

    def _token(self, data: bytes, token: Token, eof: bool) -> tuple[str, int]:
        if token.kind in (TEXT, CDATA):
            if not self.frameset_ok:
                return "", token.end
            not_ok = self._sets_not_ok(data, token, eof)
            if not_ok is None:
                return CUT, token.start
            return (NOT_OK_NOW if not_ok else ""), token.end
        if token.kind == START:
            return self._start(data, token)
        if token.kind == END:
            return self._end(token), token.end
        return "", token.end

    def _sets_not_ok(self, data: bytes, token: Token, eof: bool) -> bool | None:
        """Characters other than whitespace (and NULs, which "in body" drops) end frameset-ok;
        a character reference counts as the character it stands for."""
        start, end = token.start, token.end
        if token.kind == CDATA:
            start, end = start + 9, end - 3
        at = _NON_SPACE_OR_NUL.search(data, start, end)
        while at is not None and token.kind == TEXT and data[at.start()] == 38:  # "&"
            after = self.lexer.charref_space(data, at.start(), eof)
            if after is None:
                return None
            if after < 0:
                break
            at = _NON_SPACE_OR_NUL.search(data, after, end)
        return at is not None

    def _html_rules(self, token: Token | None = None) -> bool:
        """Whether a token is handled by the HTML rules rather than "in foreign content"."""
        if not self.stack or self.stack[-1][0] == "html":
            return True
        space, name = self.stack[-1]
        if token is None or token.kind == TEXT:
            return (space == "svg" and name in _SVG_HTML_POINTS) or name == _HTML_ANNOTATION \
                or (space == "math" and name in _MATH_TEXT_POINTS)
        if space == "svg":
            return name in _SVG_HTML_POINTS
        if name == _HTML_ANNOTATION:
            return True
        if name in _MATH_TEXT_POINTS:
            return token.name not in (b"mglyph", b"malignmark")
        return False

    def _start(self, data: bytes, token: Token) -> tuple[str, int]:
        name = token.name
        if not self._html_rules(token):
            if name in BREAKOUT or (name == b"font" and any(
                    self.lexer.attribute(token, a) is not None
                    for a in (b"color", b"face", b"size"))):
                while self.stack and not self._html_rules(token):
                    self.stack.pop()
                return self._start(data, token)
            if not self.lexer.self_closing(token):
                space = self.stack[-1][0]
                if space == "math" and self.stack[-1][1] == b"annotation-xml" and name == b"svg":
                    space = "svg"
                self.stack.append((space, self._foreign_name(space, token)))
            return "", token.end
        return self._html_start(data, token)

    def _foreign_name(self, space: str, token: Token) -> bytes:
        if space == "math" and token.name == b"annotation-xml":
            encoding = (self.lexer.attribute(token, b"encoding") or b"").lower()
            if encoding in (b"text/html", b"application/xhtml+xml"):
                return _HTML_ANNOTATION
        return token.name

    def _html_start(self, data: bytes, token: Token) -> tuple[str, int]:
        name = token.name
        if self.frameset_ok:
            if name == b"frameset":
                return FRAMESET, token.end
            hidden = name == b"input" and (self.lexer.attribute(token, b"type") or b"").lower() \
                == b"hidden"
            if name in NOT_OK or (name == b"input" and not hidden):
                return NOT_OK_NOW, token.end
        if name in RCDATA or name in RAWTEXT or name == b"script":
            end = self.lexer.script_end(data, token.end) if name == b"script" else \
                self.lexer.raw_text_end(data, token.end, name)
            return ("", end) if end is not None else (CUT, token.start)
        if name == b"plaintext":
            return PLAINTEXT, token.end
        if name in (b"svg", b"math"):
            if not self.lexer.self_closing(token):
                self.stack.append((name.decode(), self._foreign_name(name.decode(), token)))
        elif name not in VOID and name not in (b"html", b"head", b"body", b"frameset"):
            self.stack.append(("html", name))
        return "", token.end

    def _end(self, token: Token) -> str:
        name = token.name
        stack = self.stack
        if stack and stack[-1][0] != "html":
            if name in (b"br", b"p"):  # they break out of foreign content
                while stack and stack[-1][0] != "html":
                    stack.pop()
            else:
                for index in range(len(stack) - 1, -1, -1):
                    if stack[index][0] == "html":
                        break
                    if stack[index][1] == name:
                        del stack[index:]
                        return ""
        if name == b"br" and self.frameset_ok:
            return NOT_OK_NOW  # "</br>" is taken as "<br>"
        for index in range(len(stack) - 1, -1, -1):
            if stack[index] == ("html", name):
                del stack[index:]
                return CLOSED if name == b"template" and not any(
                    entry == ("html", b"template") for entry in stack) else ""
            if stack[index] == ("html", b"template"):
                break  # an end tag never closes what is outside the current template
        return ""
