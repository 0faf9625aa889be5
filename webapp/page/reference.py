"""The reference tokenizer: the HTML standard's tokenizer states written out one character at a
time ("13.2.5 Tokenization"), with the same interface as webapp/page/tokenizer.py. It is slow
and meant to be: the tests run the placement through both and require the same answers, so the
regular expressions of the fast path are checked against the states they stand for.
"""

from __future__ import annotations

from webapp.page.tokenizer import CDATA, COMMENT, END, START, TEXT, Token

_SPACE = frozenset(b"\t\n\f\r ")
_ALPHA = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset(b"0123456789")
_HEX = _DIGITS | frozenset(b"abcdefABCDEF")
_NAMED_SPACES = (b"Tab;", b"NewLine;")  # the only named references to ASCII whitespace
_Attributes = tuple[int, list[tuple[bytes, bytes]], bool]  # tag end, attributes, self-closing


class ReferenceLexer:
    """The tokenizer's states, character by character."""

    def token(self, data: bytes, pos: int, *, foreign: bool = False,
              eof: bool = False) -> Token | None:
        if data[pos] != 60:
            end = pos
            while end < len(data) and data[end] != 60:
                end += 1
            return Token(TEXT, pos, end)
        at = pos + 1  # tag open state
        if at == len(data):
            return Token(TEXT, pos, at) if eof else None
        char = data[at]
        if char == 33:  # "!": markup declaration open state
            return self._declaration(data, pos, foreign)
        if char == 47:  # "/": end tag open state
            if at + 1 == len(data):
                return Token(TEXT, pos, at + 1) if eof else None
            if data[at + 1] == 62:
                return Token(COMMENT, pos, at + 2)
            if data[at + 1] not in _ALPHA:
                return self._bogus(data, pos, at + 1)
            return self._tag(data, pos, at + 1, END)
        if char == 63:  # "?"
            return self._bogus(data, pos, at)
        if char in _ALPHA:
            return self._tag(data, pos, at, START)
        return Token(TEXT, pos, at)

    def _tag(self, data: bytes, lt: int, at: int, kind: str) -> Token | None:
        """Tag name, then the attribute states up to the ">"."""
        start = at
        while at < len(data) and data[at] not in _SPACE and data[at] not in b"/>":
            at += 1
        name_end = at
        attrs = self._attributes(data, at)
        if attrs is None:
            return None
        end, _, _ = attrs
        return Token(kind, lt, end, data[start:name_end].lower(), data[name_end:end])

    def _attributes(self, data: bytes, at: int) -> _Attributes | None:
        """From the end of a tag name: (end of the tag, attributes in order, self-closing)."""
        found: list[tuple[bytes, bytes]] = []
        state, name, value, quote = "before-name", b"", b"", 0
        while at < len(data):
            char = data[at]
            at += 1
            if state in ("before-name", "after-name") and char in _SPACE:
                continue
            if state == "before-name" and char in b"/>":
                state, at = "after-name", at - 1
            elif state == "name":
                if char in _SPACE or char in b"/>":
                    state, at = "after-name", at - 1
                elif char == 61:  # "="
                    state = "before-value"
                else:
                    name += bytes([char])
            elif state == "after-name":
                if name:
                    found.append((name.lower(), b""))
                    name = b""
                if char == 61 and found:
                    name, _ = found.pop()
                    state = "before-value"
                elif char == 47:
                    state = "self-closing"
                elif char == 62:
                    return at, found, False
                else:
                    state, name = "name", bytes([char])
            elif state == "before-name":
                state, name = "name", bytes([char])
            elif state == "before-value":
                if char in _SPACE:
                    continue
                if char in b"\"'":
                    quote, state, value = char, "quoted", b""
                elif char == 62:
                    found.append((name.lower(), b""))
                    return at, found, False
                else:
                    state, value = "unquoted", bytes([char])
            elif state == "quoted":
                if char == quote:
                    found.append((name.lower(), value))
                    state, name = "after-quoted", b""
                else:
                    value += bytes([char])
            elif state == "unquoted":
                if char in _SPACE or char == 62:
                    found.append((name.lower(), value))
                    state, name = "before-name", b""
                    if char == 62:
                        return at, found, False
                else:
                    value += bytes([char])
            elif state == "after-quoted":
                state = {32: "before-name", 9: "before-name", 10: "before-name",
                         12: "before-name", 13: "before-name", 47: "self-closing"}.get(
                    char, "before-name")
                if char == 62:
                    return at, found, False
                if char not in _SPACE and char != 47:
                    at -= 1
            elif state == "self-closing":
                if char == 62:
                    return at, found, True
                state, at = "before-name", at - 1
        return None  # EOF in tag: the tag is dropped (or more bytes are coming)

    def _declaration(self, data: bytes, lt: int, foreign: bool) -> Token | None:
        rest = data[lt + 2:lt + 9]
        if rest.startswith(b"--"):
            return self._comment(data, lt, lt + 4)
        if foreign and rest == b"[CDATA[":
            at = lt + 9
            while at + 2 < len(data):
                if data[at:at + 3] == b"]]>":
                    return Token(CDATA, lt, at + 3)
                at += 1
            return None
        if len(rest) < 7 and (b"--".startswith(rest) or b"[CDATA[".startswith(rest)):
            return None
        return self._bogus(data, lt, lt + 2)  # a DOCTYPE ends at its first ">" just the same

    def _comment(self, data: bytes, lt: int, at: int) -> Token | None:
        """The comment start, comment, comment end dash, comment end and comment end bang
        states (the less-than-sign states only report errors, never end a comment)."""
        state = "start"
        while at < len(data):
            char = data[at]
            at += 1
            if state == "start":
                state = "start-dash" if char == 45 else "comment"
                if char == 62:
                    return Token(COMMENT, lt, at)
                if char != 45:
                    at -= 1
            elif state == "start-dash":
                if char == 62:
                    return Token(COMMENT, lt, at)
                state = "end" if char == 45 else "comment"
            elif state == "comment":
                if char == 45:
                    state = "end-dash"
            elif state == "end-dash":
                state = "end" if char == 45 else "comment"
            elif state == "end":
                if char == 62:
                    return Token(COMMENT, lt, at)
                state = "bang" if char == 33 else "end" if char == 45 else "comment"
            elif state == "bang":
                if char == 62:
                    return Token(COMMENT, lt, at)
                state = "end-dash" if char == 45 else "comment"
        return None

    def _bogus(self, data: bytes, lt: int, at: int) -> Token | None:
        while at < len(data):
            if data[at] == 62:
                return Token(COMMENT, lt, at + 1)
            at += 1
        return None

    def raw_text_end(self, data: bytes, pos: int, name: bytes) -> int | None:
        at = pos
        while at < len(data):
            if data[at] == 60 and self._appropriate_end(data, at, name):
                return at
            at += 1
        return None

    def _appropriate_end(self, data: bytes, lt: int, name: bytes) -> bool:
        """``</name`` followed by whitespace, "/" or ">" (the end tag name states)."""
        end = lt + 2 + len(name)
        return (data[lt + 1:lt + 2] == b"/" and data[lt + 2:end].lower() == name
                and end < len(data) and (data[end] in _SPACE or data[end] in b"/>"))

    def script_end(self, data: bytes, pos: int) -> int | None:
        """The script data states, from "script data" to "script data double escape end"."""
        state, at = "data", pos
        while at < len(data):
            char = data[at]
            if state == "data" and data.startswith(b"<!--", at):
                state, at = "escaped-dash-dash", at + 4
                continue
            if state in ("data", "escaped", "escaped-dash", "escaped-dash-dash") and char == 60:
                if self._appropriate_end(data, at, b"script"):
                    return at
                if state != "data" and data[at + 1:at + 7].lower() == b"script" and \
                        at + 7 < len(data) and (data[at + 7] in _SPACE or data[at + 7] in b"/>"):
                    state, at = "double", at + 8
                    continue
                state = "escaped" if state != "data" else "data"
            elif state.startswith("double") and char == 60:
                if self._appropriate_end(data, at, b"script"):
                    state, at = "escaped", at + 9
                    continue
                state = "double"
            elif state != "data" and char == 45:
                base = "double" if state.startswith("double") else "escaped"
                state = base + ("-dash-dash" if state.endswith("dash") else "-dash")
            elif state != "data" and char == 62 and state.endswith("dash-dash"):
                state = "data"
            elif state != "data":
                state = "double" if state.startswith("double") else "escaped"
            at += 1
        return None

    def attribute(self, token: Token, wanted: bytes) -> bytes | None:
        parsed = self._attributes(token.attrs, 0)
        if parsed is None:
            return None
        return next((value for name, value in parsed[1] if name == wanted), None)

    def self_closing(self, token: Token) -> bool:
        parsed = self._attributes(token.attrs, 0)
        return parsed is not None and parsed[2]

    def charref_space(self, data: bytes, pos: int, eof: bool) -> int | None:
        """The character reference state and its numeric states, for whitespace only."""
        at = pos + 1
        for named in _NAMED_SPACES:
            if data.startswith(named, at):
                return at + len(named)
            if not eof and named.startswith(data[at:]):
                return None
        if data[at:at + 1] != b"#":
            return None if at == len(data) and not eof else -1
        at += 1
        digits = _DIGITS
        if data[at:at + 1] in (b"x", b"X"):
            digits, at = _HEX, at + 1
        start = at
        while at < len(data) and data[at] in digits:
            at += 1
        if at == len(data) and not eof:
            return None
        if at == start:
            return -1
        value = int(data[start:at], 16 if digits is _HEX else 10)
        if at < len(data) and data[at] == 59:
            at += 1
        return at if value in (9, 10, 12, 13, 32) else -1
