"""The regular expressions behind the placement scan (webapp/page/placement.py): the HTML
tokenizer's tag-name, attribute and raw-text-end states, and ``skippable``, one expression that
steps over all the markup that changes nothing the scan tracks, so that most of a page's head is
crossed in C rather than tag by tag in Python. Every shortcut here must end a tag exactly where
the tokenizer does; tests/webapp/page/test_placement.py checks it against the step-by-step scan.
"""

from __future__ import annotations

import re
from functools import lru_cache

RAW_TEXT = frozenset({
    b"script", b"style", b"textarea", b"title", b"xmp", b"iframe", b"noembed", b"noframes",
    b"noscript",
})
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
# Names the scanner must look at; every other tag is skipped in one regular-expression step.
_WATCHED = (rb"body|html|meta|template|plaintext|script|style|textarea|title|xmp|iframe|noembed"
            rb"|noframes|noscript")
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
_NAME_END = rb"[\t\n\f\r />]"
_RAW_NAMES = sorted(RAW_TEXT, key=lambda name: (name != b"script", name))


def _raw_text_element(name: bytes) -> bytes:
    """A whole raw-text element up to (not including) its end tag, only when that is here. One
    alternative per name: a group and a back-reference under possessive repeats trip a bug in
    Python 3.11's re ("The span of capturing group is wrong")."""
    return (rb"|<(?i:" + name + rb")(?=" + _NAME_END + rb")(?:" + _QUICK_ATTRIBUTES + rb"|"
            + _TAIL + rb">)(?:[^<]++|<(?!/(?i:" + name + rb")" + _NAME_END + rb"))*+"
            rb"(?=</(?i:" + name + rb")" + _NAME_END + rb")")


@lru_cache(maxsize=8)
def skippable(marker: bytes | None) -> re.Pattern[bytes]:
    """Text and complete markup that changes nothing the scanner tracks: unwatched start and end
    tags, ``<meta>`` tags that say nothing about a charset, whole raw-text elements (a script or
    a title up to its end tag, whose own end tag follows as an unwatched one), comments that are
    not the marker, bogus comments. Matched in C, so a page's head costs microseconds; anything
    else (and anything cut off) is left to the step-by-step scanner."""
    not_marker = rb"(?!" + re.escape(marker) + rb")" if marker else b""
    name_end = rb"(?:" + _NAME_END + rb"|\Z)"
    return re.compile(
        rb"(?:[^<]++"
        rb"|<(?=[^A-Za-z!/?])"
        rb"|<(?!(?i:" + _WATCHED + rb")" + name_end + rb")[A-Za-z]"
        rb"(?:[^<>\"']*+>"  # no quotes: the first > ends it
        rb"|[^\t\n\f\r />]*+(?:" + _QUICK_ATTRIBUTES + rb"|" + _TAIL + rb">))"
        rb"|</(?!(?i:template)" + name_end + rb")[A-Za-z][^\t\n\f\r />]*+" + _TAIL + rb">"
        rb"|<(?i:meta)(?=" + _NAME_END + rb")"
        rb"(?:" + _QUICK_NO_CHARSET + rb"|" + _TAIL_NO_CHARSET + rb">)"
        + b"".join(_raw_text_element(name) for name in _RAW_NAMES) +
        rb"|</>|</(?![A-Za-z>])[^>]*+>"
        rb"|" + not_marker + rb"<!--(?:>|->|(?:[^-]++|-(?!-!?>))*+--!?>)"
        rb"|<!(?!--)[^>]*+>|<\?[^>]*+>"
        rb")*+",
        re.X,  # _TAIL is written verbose; spaces inside character classes still count
    )


CHARSET_IN_CONTENT = re.compile(rb"charset[\t\n\f\r ]*=[\t\n\f\r ]*[\"']?([A-Za-z0-9_.:-]+)", re.I)
RAW_TEXT_END = {
    name: re.compile(rb"</" + name + rb"[\t\n\f\r />]", re.I) for name in RAW_TEXT
}
