"""The fast path against the reference: the regular-expression tokenizer (webapp/page/
tokenizer.py) and the one-expression skips over plain markup (webapp/page/tokens.py) must give
exactly what the standard's states, written out one character at a time (webapp/page/
reference.py), give, token by token and placement by placement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import webapp.page.placement as placement_module
from tests.webapp.page.oracle import cases
from tests.webapp.page.pieces import BODY_PIECES, HEAD_PIECES
from tests.webapp.page.test_placement import _PIECES, CORPUS
from webapp.page.placement import Placement, find_placement
from webapp.page.reference import ReferenceLexer
from webapp.page.tokenizer import TEXT, Lexer

FAST, REFERENCE = Lexer(), ReferenceLexer()
PIECES = st.one_of(_PIECES, st.sampled_from([p.encode() for p in HEAD_PIECES + BODY_PIECES]))


@contextmanager
def step_by_step() -> Iterator[None]:
    """Placement through the reference tokenizer, token by token, no skips."""
    saved = placement_module.LEXER, placement_module.FAST
    placement_module.LEXER, placement_module.FAST = REFERENCE, False
    try:
        yield
    finally:
        placement_module.LEXER, placement_module.FAST = saved


def both(page: bytes, complete: bool, eof: bool | None = None) -> tuple[Placement | None, ...]:
    fast = find_placement(page, complete=complete, eof=eof)
    with step_by_step():
        return fast, find_placement(page, complete=complete, eof=eof)


@settings(max_examples=600, deadline=None)
@given(st.lists(PIECES, max_size=40), st.booleans(), st.booleans())
def test_the_fast_path_places_the_block_where_the_reference_does(
    pieces: list[bytes], complete: bool, eof: bool
) -> None:
    fast, reference = both(b"".join(pieces), complete, eof and complete)
    assert fast == reference


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30), st.booleans())
def test_each_token_is_the_references_token(pieces: list[bytes], foreign: bool) -> None:
    data = b"".join(pieces)
    for eof in (False, True):
        pos = 0
        while pos < len(data):
            token = FAST.token(data, pos, foreign=foreign, eof=eof)
            assert token == REFERENCE.token(data, pos, foreign=foreign, eof=eof), (data, pos)
            if token is None:
                break
            if token.kind != TEXT:
                assert FAST.self_closing(token) == REFERENCE.self_closing(token)
                for name in (b"lang", b"charset", b"type", b"data-forewarn-slot"):
                    assert FAST.attribute(token, name) == REFERENCE.attribute(token, name)
            pos = token.end


@settings(max_examples=400, deadline=None)
@given(st.lists(PIECES, max_size=30), st.booleans())
def test_raw_text_script_data_and_references_end_where_the_reference_says(
    pieces: list[bytes], eof: bool
) -> None:
    data = b"".join(pieces)
    for pos in range(len(data)):
        assert FAST.script_end(data, pos) == REFERENCE.script_end(data, pos), (data, pos)
        for name in (b"title", b"style", b"noscript"):
            assert FAST.raw_text_end(data, pos, name) == REFERENCE.raw_text_end(data, pos, name)
        if data[pos] == ord("&"):
            assert FAST.charref_space(data, pos, eof) == REFERENCE.charref_space(data, pos, eof)


@pytest.mark.parametrize("page", [
    b'<meta content="c<body><meta charset=utf-8>',  # an unterminated quote hides the rest
    b"<meta name=x content='a>b charset=koi8-r'><body>",
    b"<meta a=b=\"c charset=x\"><body>",
    b'<meta cHaRsEt="koi8-r"><body>',
    b'<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><body>',
    b'<meta name="a" =charset><body>',
    b'<title>a</titlex><body></title><body class="real">',
    b'<script type="text/javascript">var s = "</scrip" + "t>";</script><body>',
    b"<script>document.write('<body>')",
    b'<link rel="x" href=/a/b/><style>body{}</style/><body>',
    b"<script><!--<script>--></script><body>",
    b"<script><!--<script></script>x</script><body>",
    b"<script><!--<script></script>--></script><body>",
    b"<script><!-- <script x --></script><body>",
    b"<script><!-->x</script><body>",
    b"<head><noscript><body></noscript></head><body>",
    b"<head></head><noscript><body></noscript>",
    b"<template><svg><![CDATA[</template>]]></svg></template><body>",
])
def test_the_fast_path_agrees_on_tricky_markup(page: bytes) -> None:
    for complete in (False, True):
        fast, reference = both(page, complete)
        assert fast == reference


def test_the_fast_path_agrees_on_the_html5lib_test_inputs() -> None:
    for case in cases():
        page = (case.data + "<body>").encode("utf-8", "surrogatepass")
        fast, reference = both(page, True)
        assert fast == reference, (case.file, case.index)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (needs ../shared)")
def test_the_fast_path_agrees_on_every_real_page() -> None:
    for page_path in sorted(Path(CORPUS).glob("*.html")):
        page = page_path.read_bytes()
        fast, reference = both(page, True)
        assert fast == reference, page_path.name
