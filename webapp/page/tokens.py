"""The regular expressions behind the page tokenizer (webapp/page/tokenizer.py): the HTML
tokenizer's tag-name and attribute states, the ends of comments and raw text, and the fast skips,
one expression per insertion mode that steps over all the markup that cannot begin the body or
change what the scan tracks, so that most of a page's head is crossed in C rather than token by
token in Python. Every shortcut here must end a token exactly where the tokenizer does;
tests/webapp/page/test_reference.py checks it against the step-by-step reference.
"""

from __future__ import annotations

import re
from functools import lru_cache

WHITESPACE = b"\t\n\f\r "  # the tokenizer's and the tree builder's (after CR LF -> LF)
TAG_NAME = re.compile(rb"[A-Za-z][^\t\n\f\r />]*+")
# The rest of a start or end tag up to its ">", following the tokenizer's attribute states.
# Possessive everywhere: no backtracking; an unterminated quote runs to the end of the data,
# so the match fails exactly when the tag is not complete yet.
TAG_TAIL = re.compile(
    rb"""(?:
        [\t\n\f\r /]++
      | [^\t\n\f\r />][^\t\n\f\r />=]*+
        (?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)|[^\t\n\f\r >]*+))?+
    )*+>""",
    re.X,
)
ATTRIBUTE = re.compile(
    rb"""([^\t\n\f\r />][^\t\n\f\r />=]*)
        (?:[\t\n\f\r ]*=[\t\n\f\r ]*(?:"([^"]*)"|'([^']*)'|([^\t\n\f\r >]*)))?""",
    re.X,
)
COMMENT_END = re.compile(rb"--!?>")
CHARSET_IN_CONTENT = re.compile(rb"charset[\t\n\f\r ]*=[\t\n\f\r ]*[\"']?([A-Za-z0-9_.:-]+)", re.I)
_NAME_END = rb"[\t\n\f\r />]"
# Script data: "<!--" (escape), "<script" (double escape), "-->" and "</script" decide the
# state; everything else is text of the script.
SCRIPT_ESCAPE = re.compile(rb"<!--")
SCRIPT_ESCAPED = re.compile(rb"-->|</(?i:script)" + _NAME_END + rb"|<(?i:script)" + _NAME_END)
SCRIPT_DOUBLE_ESCAPED = re.compile(rb"-->|</(?i:script)" + _NAME_END)
WHITESPACE_CHARREF = re.compile(
    rb"&(?:#[xX]0*+(?:9|[aAcCdD]|20)(?![0-9a-fA-F])|#0*+(?:9|10|12|13|32)(?![0-9])"
    rb"|Tab;|NewLine;);?+"
)


@lru_cache(maxsize=64)
def raw_text_end(name: bytes) -> re.Pattern[bytes]:
    """The end tag that closes RCDATA or RAWTEXT opened by ``name``."""
    return re.compile(rb"</(?i:" + re.escape(name) + rb")" + _NAME_END)


_TAIL = TAG_TAIL.pattern[:-1]  # the attribute part, without the final ">"
# _TAIL for a tag whose attributes do not say "charset" (in any case) anywhere: every run of
# name or value characters refuses a "c" that starts it, nothing else can take that "c", and no
# alternative parse is left to fall back on (a value starting with a quote is only a quoted one;
# an "=" after a name must be followed by a value), so the match fails exactly when the scanner's
# own test (b"charset" in the attributes) would pass, and otherwise ends where _TAIL ends.
_C = rb"[cC](?!(?i:harset))"
_TAIL_NO_CHARSET = (
    rb"(?:[\t\n\f\r /]++"
    rb"|(?:[^\t\n\f\r />cC]|" + _C + rb")(?:[^\t\n\f\r />=cC]++|" + _C + rb")*+"
    rb"(?:[\t\n\f\r ]*+=[\t\n\f\r ]*+(?:"
    rb"\"(?:[^\"cC]++|" + _C + rb")*+(?:\"|\Z)"
    rb"|'(?:[^'cC]++|" + _C + rb")*+(?:'|\Z)"
    rb"|(?![\"'])(?:[^\t\n\f\r >cC]++|" + _C + rb")*+)"
    rb"|(?![\t\n\f\r ]*+=))"
    rb")*+"
)
# The attributes of a well-formed tag (names of the usual characters, each value quoted right
# after its "=" or unquoted without quotes, "=", "<" or "`"), then its ">". Where it matches, the
# tag ends where the tokenizer ends it; anything unusual fails here and goes the long way (_TAIL),
# which regular expressions take at about half the speed.
_QUICK_ATTRIBUTES = (
    rb"(?:[\t\n\f\r ]++[a-zA-Z_:][-a-zA-Z0-9_:.]*+"
    rb"(?:=\"[^\"]*+\"|='[^']*+'|=[^\t\n\f\r >\"'=<`]++)?+)*+[\t\n\f\r ]*+/?>"
)
# The same for a <meta> tag that does not say "charset" anywhere (see _TAIL_NO_CHARSET).
_QUICK_NO_CHARSET = (
    rb"(?:[\t\n\f\r ]++(?:[abd-zABD-Z_:]|" + _C + rb")(?:[-abd-zABD-Z0-9_:.]++|" + _C + rb")*+"
    rb"(?:=\"(?:[^\"cC]++|" + _C + rb")*+\"|='(?:[^'cC]++|" + _C + rb")*+'"
    rb"|=(?:[^\t\n\f\r >\"'=<`cC]++|" + _C + rb")++)?+)*+[\t\n\f\r ]*+/?>"
)


def _start(names: bytes) -> bytes:
    return rb"<(?i:" + names + rb")(?=" + _NAME_END + rb")(?:" + _QUICK_ATTRIBUTES + rb"|" \
        + _TAIL + rb">)"


def _raw_text_element(name: bytes) -> bytes:
    """A whole raw-text element up to (not including) its end tag, only when that is here; a
    script only when it holds no "<!--" (which may start its escaped states). One alternative per
    name: a group and a back-reference under possessive repeats trip a bug in Python 3.11's re."""
    escape = rb"|!--" if name == b"script" else b""
    return (rb"|" + _start(name) + rb"(?:[^<]++|<(?!/(?i:" + name + rb")" + _NAME_END + escape
            + rb"))*+(?=</(?i:" + name + rb")" + _NAME_END + rb")")


_COMMENTS = (rb"|<!--(?:>|->|(?:[^-]++|-(?!-!?>))*+--!?>)"
             rb"|<!(?!--)[^>]*+>|<\?[^>]*+>|</>|</(?![A-Za-z>])[^>]*+>")


@lru_cache(maxsize=4)
def head_skip(after_head: bool) -> re.Pattern[bytes]:
    """Before the body: whitespace, comments, DOCTYPEs, the head's own elements (``<base>``,
    ``<link>``, ``<meta>`` that says nothing of a charset, whole ``<title>``, ``<style>``,
    ``<noframes>`` and script elements, and ``<noscript>`` while the head is open), ``<head>``
    (which only moves between modes that treat every token alike but ``<noscript>``), and the end
    tags that the tree builder ignores there. Nothing it steps over can begin the body."""
    raw = [b"title", b"style", b"noframes", b"script"] + ([] if after_head else [b"noscript"])
    return re.compile(
        rb"(?:[\t\n\f\r ]++"
        rb"|</(?!(?i:head|body|html|br|template)" + _NAME_END + rb"|(?i:head|body|html|br|"
        rb"template)\Z)[A-Za-z][^\t\n\f\r />]*+" + _TAIL + rb">"
        + (rb"|</(?i:head)(?=" + _NAME_END + rb")" + _TAIL + rb">" if after_head else b"")
        + rb"|" + _start(rb"head|base|basefont|bgsound|link")
        + rb"|<(?i:meta)(?=" + _NAME_END + rb")(?:" + _QUICK_NO_CHARSET + rb"|"
        + _TAIL_NO_CHARSET + rb">)"
        + b"".join(_raw_text_element(name) for name in raw)
        + _COMMENTS + rb")*+",
        re.X,  # _TAIL is written verbose; spaces inside character classes still count
    )


# Tags whose start the scan after the body must see (a slot is found by its attribute, and the
# skip is run only up to it).
_BODY_WATCHED = (rb"template|plaintext|script|style|textarea|title|xmp|iframe|noembed|noframes"
                 rb"|noscript|svg|math")


@lru_cache(maxsize=8)
def body_skip(marker: bytes | None) -> re.Pattern[bytes]:
    """In the body, while looking for the marker or the slot: text and complete markup that
    neither is one nor opens a template, raw text, PLAINTEXT or foreign content."""
    not_marker = rb"(?!" + re.escape(marker) + rb")" if marker else b""
    name_end = rb"(?:" + _NAME_END + rb"|\Z)"
    return re.compile(
        rb"(?:[^<]++"
        rb"|<(?=[^A-Za-z!/?])"
        rb"|<(?!(?i:" + _BODY_WATCHED + rb")" + name_end + rb")[A-Za-z]"
        rb"(?:[^<>\"']*+>"  # no quotes: the first > ends it
        rb"|[^\t\n\f\r />]*+(?:" + _QUICK_ATTRIBUTES + rb"|" + _TAIL + rb">))"
        rb"|</(?!(?i:template|svg|math)" + name_end + rb")[A-Za-z][^\t\n\f\r />]*+" + _TAIL
        + rb">" + _COMMENTS.replace(rb"|<!--", rb"|" + not_marker + rb"<!--", 1) + rb")*+",
        re.X,
    )
