"""Where the notice block goes: the tokenizer's rules, streaming consistency, real pages."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import SHARED_FIXTURES
from webapp.page.placement import DEFAULT_MARKER, MARKER_WINDOW, Placement, find_placement, splice

CORPUS = SHARED_FIXTURES / "corpus" / "readability"


def where(page: bytes, marker: bytes | None = DEFAULT_MARKER) -> int | None:
    placement = find_placement(page, marker=marker, complete=True)
    assert placement is not None
    return placement.offset


def cursor(text: bytes) -> tuple[bytes, int]:
    """A page written with ``|`` where the block belongs: the page and that offset."""
    return text.replace(b"|", b""), text.index(b"|")


@pytest.mark.parametrize(
    "text",
    [
        b"<!doctype html><html><head></head><body>|text",
        b"<HTML><BODY CLASS=x>|text",
        b"<!-- <body> --><body id=real>|",
        b"<!--<body>--><body id=real>|",
        b"<script>document.write('<body>')</script><body id=real>|",
        b"<script type=module>if (a<b) {}</script><body id=real>|",
        b"<style>body::after{content:'<body>'}</style><body id=real>|",
        b"<title>What <body> means</title><body id=real>|",
        b"<noscript><body></noscript><body id=real>|",
        b"<textarea><body></textarea><body id=real>|",
        b"<template><body></template><body id=real>|",
        b"<template><template></template><body></template><body id=real>|",
        b"<meta content='<body>'><body id=real>|",
        b'<link title="a > b <body>"><body id=real>|',
        b'<body data-x="1 > 0">|',
        b"<body data-x='<p>'>|",
        b"<body\n  class=x\n>|",
        b"<body/>|",
        b"<?xml version='1.0'?><body>|",
        b"<!DOCTYPE html><body>|",
        b"<!--> <body>|",  # an abruptly closed comment: the body tag after it is real
        b"<!-- x --!><body>|",
        b"</body x='>'><body>|",
        b"<bodyx><body>|",
        b"a < b <body>|",
        b"<![CDATA[ x ]]><body>|",
    ],
)
def test_the_block_goes_right_after_the_real_body_tag(text: bytes) -> None:
    page, expected = cursor(text)
    assert where(page) == expected


@pytest.mark.parametrize(
    "text",
    [
        b"<body><header>h</header><!-- forewarn -->|<main>",
        b"<body><!-- forewarn -->|<!-- forewarn -->",
        b"<body><script>'<!-- forewarn -->'</script><!-- forewarn -->|",
        b"<body><template><!-- forewarn --></template><!-- forewarn -->|",
        b"<body><p title='<!-- forewarn -->'><!-- forewarn -->|",
        b"<body><!-- <!-- forewarn --> --><!-- forewarn -->|",
        b"<html><!-- forewarn -->|<p>a page that leaves out the body tag",
    ],
)
def test_the_marker_wins_when_it_is_a_real_comment(text: bytes) -> None:
    page, expected = cursor(text)
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.reason, placement.offset) == ("marker", expected)


def test_a_marker_in_the_head_does_not_put_the_block_before_the_body() -> None:
    page, expected = cursor(b"<head><!-- forewarn --><meta charset=utf-8></head><body>|x")
    assert where(page) == expected


def test_a_marker_before_meta_charset_in_a_page_without_body_is_not_used() -> None:
    assert where(b"<!-- forewarn --><meta charset=utf-8><p>x") is None


def test_a_marker_too_far_past_the_body_is_not_looked_for() -> None:
    page = b"<body>" + b"x" * MARKER_WINDOW + b"<!-- forewarn -->"
    assert where(page) == len(b"<body>")
    page = b"<body>" + b"x" * (MARKER_WINDOW - 1) + b"<!-- forewarn -->"
    assert where(page) == len(page)


def test_a_custom_marker_and_no_marker() -> None:
    page = b"<body><!-- forewarn --><!-- notice here -->"
    assert where(page, b"<!-- notice here -->") == len(page)
    assert where(page, None) == len(b"<body>")


@pytest.mark.parametrize(
    "page",
    [
        b"<html><p>a page that leaves out the body tag",
        b"<!-- <body> -->",
        b"<script><body>",  # unterminated script: everything after is script
        b"<plaintext><body>",
        b'<div title="<body>',
        b"",
        b"\x00\xff\xfe<",
    ],
)
def test_no_place_when_there_is_no_real_body_tag(page: bytes) -> None:
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (None, "no-body")


@pytest.mark.parametrize(
    ("page", "lang", "charset"),
    [
        (b'<html lang="ru"><head><meta charset="windows-1251"><body>', "ru", "windows-1251"),
        (b"<HTML LANG=fa dir=rtl><META CHARSET=UTF-8><body>", "fa", "utf-8"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=KOI8-R"><body>', None,
         "koi8-r"),
        (b"<html lang=''><body>", None, None),
        (b"\xef\xbb\xbf<html lang=en><meta charset=koi8-r><body>", "en", "utf-8"),
    ],
)
def test_the_prefix_tells_the_page_language_and_charset(
    page: bytes, lang: str | None, charset: str | None
) -> None:
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.html_lang, placement.charset) == (lang, charset)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_pages_with_a_byte_order_mark(codec: str) -> None:
    bom = b"\xff\xfe" if codec == "utf-16-le" else b"\xfe\xff"
    text = "<html lang=ru><!-- <body> --><body class='\u263c'>Привет"
    page = bom + text.encode(codec)
    placement = find_placement(page, complete=True)
    assert placement is not None and placement.bom and placement.charset == codec
    block = "<aside>Ж</aside>".encode(codec)
    assert splice(page, placement, block)[2:].decode(codec) == text.replace(
        "'\u263c'>", "'\u263c'><aside>Ж</aside>"
    )


def test_splice_changes_nothing_else() -> None:
    page = b"<body>tail"
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert splice(page, placement, b"[B]") == b"<body>[B]tail"
    assert splice(page, Placement(None, "no-body"), b"[B]") == page


DOCUMENTS = [
    b"<!doctype html><html lang=ru><head><meta charset=utf-8><title>t</title>"
    b"<script>if(a<b)document.write('<body>')</script></head><body class=x><p>y",
    b"<html><body><p>a</p><!-- forewarn --><p>b</p></body></html>",
    b"<head><!-- forewarn --><meta charset=utf-8></head><body>x",
    b"<p>no body at all",
]


@pytest.mark.parametrize("page", DOCUMENTS)
def test_every_prefix_either_waits_or_gives_the_final_answer(page: bytes) -> None:
    final = find_placement(page, complete=True)
    for cut in range(len(page) + 1):
        early = find_placement(page[:cut], complete=False)
        if early is not None:
            assert early == final, f"answer changed when cut at {cut}"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400), st.booleans())
def test_random_bytes_never_raise_and_land_inside_the_data(data: bytes, complete: bool) -> None:
    placement = find_placement(data, complete=complete)
    if complete:
        assert placement is not None
    if placement is not None and placement.offset is not None:
        assert 0 < placement.offset <= len(data)


_PIECES = st.sampled_from([
    b"<body>", b"<BODY class='>'>", b"<!--", b"-->", b"<!-- forewarn -->", b"<script>",
    b"</script>",
    b"<style>", b"</style>", b"<template>", b"</template>", b"<![CDATA[", b"]]>", b"<", b">", b"'",
    b'"', b"<p title='", b"x", b"\n", b"<meta charset=utf-8>", b"<html lang=ru>", b"</", b"<!",
    b"<div>", b"</div>", b"<!-->", b"<!--->", b"--!>", b"</>", b"</ x>", b"<?", b"-",
    b'<a b="<body>">', b"<TEMPLATE>", b"</Template >", b"<meta http-equiv=content-type "
    b"content='text/html; charset=koi8-r'>", b"<Script>", b"</SCRIPT>", b"<noscript>",
    # the fast skip's own cases: well-formed tags, <meta> with and without "charset" anywhere in
    # it, whole raw-text elements, and near misses of each
    b'<link rel="x" href=/a/b>', b'<meta name="description" content="a>b">', b"<META NAME=x ",
    b"CharSet=koi8-r>", b'<meta content="c', b"harset", b"c", b"=", b'<title lang="ru">',
    b"</title>", b"</title", b'<script type="application/ld+json">', b"</script ", b"<script/>",
    b"<p a=b=\"c d>\">", b"<i a = 'b'>", b"`", b"<style media=x>", b"</style/>",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=30))
def test_generated_markup_gives_the_same_answer_however_it_is_cut(pieces: list[bytes]) -> None:
    page = b"".join(pieces)
    final = find_placement(page, complete=True)
    assert final is not None
    for cut in range(len(page) + 1):
        early = find_placement(page[:cut], complete=False)
        assert early is None or early == final, f"answer changed when cut at {cut}"


class _FirstBody(HTMLParser):
    """The standard library's tokenizer as an independent opinion on where <body ...> ends."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.line_starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.line_starts.append(index + 1)
        self.end: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body" and self.end is None:
            line, column = self.getpos()
            start_text = self.get_starttag_text() or ""
            self.end = self.line_starts[line - 1] + column + len(start_text)


def _corpus_pages() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.html"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (needs ../shared)")
@pytest.mark.parametrize("page_path", _corpus_pages(), ids=lambda p: p.stem)
def test_real_pages_get_the_block_where_a_reference_tokenizer_puts_body(page_path: Path) -> None:
    page = page_path.read_bytes()
    oracle = _FirstBody(page.decode("latin-1"))
    oracle.feed(page.decode("latin-1"))
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert placement.offset == oracle.end


def _step_by_step(page: bytes, complete: bool) -> Placement | None:
    """The answer without the one-regex skip over uninteresting markup (the reference path)."""
    import webapp.page.placement as inject

    original = inject._boring
    inject._boring = lambda marker: _NOTHING  # type: ignore[assignment]
    try:
        return find_placement(page, complete=complete)
    finally:
        inject._boring = original


_NOTHING = __import__("re").compile(b"")


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40), st.booleans())
def test_the_fast_skip_agrees_with_the_step_by_step_scanner(
    pieces: list[bytes], complete: bool
) -> None:
    page = b"".join(pieces)
    assert find_placement(page, complete=complete) == _step_by_step(page, complete)


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
])
def test_the_fast_skip_agrees_on_tricky_tags(page: bytes) -> None:
    for complete in (False, True):
        assert find_placement(page, complete=complete) == _step_by_step(page, complete)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (needs ../shared)")
def test_the_fast_skip_agrees_on_every_real_page() -> None:
    pages = _corpus_pages()
    for page_path in pages:
        page = page_path.read_bytes()
        assert find_placement(page, complete=True) == _step_by_step(page, True), page_path.name
