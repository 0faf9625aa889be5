"""The HTML tokenizer over a page's bytes, one token at a time (the fast path): the data state,
tags and their attributes, comments, DOCTYPEs and bogus comments, CDATA in foreign content, the
ends of RCDATA and RAWTEXT, script data with its escaped and double-escaped states, and the
character references that stand for whitespace. Regular expressions and ``bytes.find`` do the
walking; webapp/page/reference.py does the same state by state, as the standard writes it, and
the tests check one against the other. Works on bytes: any ASCII-compatible charset needs no
decoding (the placement module projects UTF-16 onto ASCII first).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from webapp.page.tokens import (
    ATTRIBUTE,
    COMMENT_END,
    SCRIPT_DOUBLE_ESCAPED,
    SCRIPT_ESCAPE,
    SCRIPT_ESCAPED,
    TAG_NAME,
    TAG_TAIL,
    WHITESPACE_CHARREF,
    raw_text_end,
)

TEXT, START, END, COMMENT, CDATA = "text", "start", "end", "comment", "cdata"
_CHARREF_PREFIX = re.compile(
    rb"&(?:#(?:[xX][0-9a-fA-F]*|[0-9]*)|T(?:ab?)?|N(?:e(?:w(?:L(?:i(?:ne?)?)?)?)?)?)?")


class Token(NamedTuple):
    """One token: its kind, where it starts and ends in the page, and for a tag its lower-case
    name and the text after the name (the attributes). A comment, a DOCTYPE, a bogus comment and
    ``</>`` (which the tokenizer drops) are all COMMENT: none of them can begin the body."""

    kind: str
    start: int
    end: int
    name: bytes = b""
    attrs: bytes = b""


class Lexer:
    """The tokenizer's states as regular expressions (see the module docstring). Every method
    returns None when the answer depends on bytes not here yet."""

    def token(self, data: bytes, pos: int, *, foreign: bool = False,
              eof: bool = False) -> Token | None:
        """The token starting at ``pos`` in the data state. ``foreign``: the tree builder's
        adjusted current node is not HTML (CDATA sections are real); ``eof``: no byte follows."""
        if data[pos] != 60:  # "<"
            lt = data.find(b"<", pos)
            return Token(TEXT, pos, len(data) if lt < 0 else lt)
        nxt = data[pos + 1:pos + 2]
        if not nxt:
            return Token(TEXT, pos, pos + 1) if eof else None
        if nxt == b"!":
            return self._declaration(data, pos, foreign)
        if nxt == b"?":
            return _bogus(data, pos, pos + 2)
        if nxt == b"/":
            return self._end_tag(data, pos, eof)
        name = TAG_NAME.match(data, pos + 1)
        if name is None:
            return Token(TEXT, pos, pos + 1)  # a "<" that starts no tag is text
        tail = TAG_TAIL.match(data, name.end())
        if tail is None:
            return None
        return Token(START, pos, tail.end(), name.group().lower(), data[name.end():tail.end()])

    def _end_tag(self, data: bytes, lt: int, eof: bool) -> Token | None:
        name = TAG_NAME.match(data, lt + 2)
        if name is not None:
            tail = TAG_TAIL.match(data, name.end())
            if tail is None:
                return None
            return Token(END, lt, tail.end(), name.group().lower(), data[name.end():tail.end()])
        after = data[lt + 2:lt + 3]
        if not after:
            return Token(TEXT, lt, lt + 2) if eof else None
        return Token(COMMENT, lt, lt + 3) if after == b">" else _bogus(data, lt, lt + 2)

    def _declaration(self, data: bytes, lt: int, foreign: bool) -> Token | None:
        if data.startswith(b"<!--", lt):
            for abrupt in (b"<!-->", b"<!--->"):
                if data.startswith(abrupt, lt):
                    return Token(COMMENT, lt, lt + len(abrupt))
            close = COMMENT_END.search(data, lt + 4)
            return None if close is None else Token(COMMENT, lt, close.end())
        head = data[lt:lt + 9]
        if len(head) < 9 and (b"<!--".startswith(head) or b"<![CDATA[".startswith(head)):
            return None  # not decided yet (a DOCTYPE and a bogus comment end alike)
        if foreign and head == b"<![CDATA[":
            end = data.find(b"]]>", lt + 9)
            return None if end < 0 else Token(CDATA, lt, end + 3)
        return _bogus(data, lt, lt + 2)

    def raw_text_end(self, data: bytes, pos: int, name: bytes) -> int | None:
        """Where RCDATA or RAWTEXT opened by ``name`` at ``pos`` ends: the offset of its end tag."""
        close = raw_text_end(name).search(data, pos)
        return None if close is None else close.start()

    def script_end(self, data: bytes, pos: int) -> int | None:
        """Where script data starting at ``pos`` ends (the offset of its ``</script``),
        following the escaped (``<!--``) and double-escaped (``<!--<script>``) states, in which
        a ``</script>`` inside the script's text does not, or does, end it."""
        close = raw_text_end(b"script")
        at = pos
        while True:
            found = close.search(data, at)
            escape = SCRIPT_ESCAPE.search(data, at, found.start() if found else len(data))
            if escape is None:
                return None if found is None else found.start()
            at = escape.start() + 2  # the "--" of "<!--" already counts towards "-->"
            while True:  # escaped
                step = SCRIPT_ESCAPED.search(data, at)
                if step is None:
                    return None
                if step.group() == b"-->":
                    at = step.end()
                    break
                if step.group()[1:2] == b"/":
                    return step.start()
                double = SCRIPT_DOUBLE_ESCAPED.search(data, step.end())
                if double is None:
                    return None
                at = double.end()
                if double.group() == b"-->":
                    break

    def attribute(self, token: Token, wanted: bytes) -> bytes | None:
        """The value of the first attribute ``wanted`` (lower-case) of a tag, None if absent."""
        for match in ATTRIBUTE.finditer(token.attrs):
            if match.group(1).lower() == wanted:
                return next((v for v in match.group(2, 3, 4) if v is not None), b"")
        return None

    def self_closing(self, token: Token) -> bool:
        """Whether a start tag ends in the self-closing start tag state (``<x/>``, not
        ``<x a=b/>``, whose "/" is part of the value)."""
        if not token.attrs.endswith(b"/>"):
            return False
        last = None
        for match in ATTRIBUTE.finditer(token.attrs):
            last = match
        return last is None or last.group(4) is None or last.end() < len(token.attrs) - 1 \
            or not last.group(4).endswith(b"/")

    def charref_space(self, data: bytes, pos: int, eof: bool) -> int | None:
        """At an "&" in text: the end of a character reference that stands for whitespace, -1
        when it stands for anything else (or is no reference), None when that is not known yet."""
        match = WHITESPACE_CHARREF.match(data, pos)
        if match is not None:
            unfinished = match.end() == len(data) and data[-1] != 59 and not eof  # no ";" yet
            return None if unfinished else match.end()
        prefix = _CHARREF_PREFIX.match(data, pos)
        assert prefix is not None  # "&" alone matches
        return None if prefix.end() == len(data) and not eof else -1


def _bogus(data: bytes, lt: int, pos: int) -> Token | None:
    gt = data.find(b">", pos)
    return None if gt < 0 else Token(COMMENT, lt, gt + 1)
