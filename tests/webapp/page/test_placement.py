"""Where the notice block goes: the tokenizer's rules, streaming consistency, real pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support import SHARED_FIXTURES
from tests.webapp.page.oracle import judge
from webapp.page.placement import (
    DEFAULT_MARKER,
    MARKER_WINDOW,
    SLOT_WINDOW,
    Placement,
    find_placement,
    splice,
)

CORPUS = SHARED_FIXTURES / "corpus" / "readability"
BLOCK = '<aside class="forewarn" data-forewarn="x"><section><h2>Внимание</h2></section></aside>'


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
        b"<![CDATA[ x ]]><body>|",
        b"<html><head></head>\n<body>|",
        b"<head><noscript><p>x</noscript></head><body>|",  # scripting on: raw text in the head
        b"<head><template><p>x<body></template></head><body>|",
        b"<script><!--\nvar a = '<script>x()</script>', b = '<body class=embed>';\n--></script>"
        b"</head><body>|<p>Article",  # the script data double escaped
        b"<script><!-- a --></script><body>|",
        b"<script><!--<script></script>--></script><body>|",
        b"<head>&#32;&Tab;&#x0a;<body>|",  # references to whitespace are whitespace
    ],
)
def test_the_block_goes_right_after_the_body_tag_that_opens_the_body(text: bytes) -> None:
    page, expected = cursor(text)
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (expected, "body")


@pytest.mark.parametrize(
    "text",
    [
        b"|<textarea><body></textarea><body id=real>",  # <textarea> is no head element
        b"|</body x='>'><body>",
        b"|<bodyx><body>",
        b"|a < b <body>",
        b"<html><head><title>t</title></head>\n|<p>a page that leaves out the body tag",
        b"<!doctype html><meta charset=utf-8><title>minified</title>|<p>text",
        b"<head></head>|<noscript>x</noscript><body>",  # after the head, <noscript> is body
        b"<head>|<div><body class=late>",  # a later <body> is ignored
        b"<head>|<a href=/x>link<body>",
        b"<head>\n  |Text right in the head",
        b"<head>&#32;|&amp;",
        b"<head>|\x00",
        b"<head>|</br>",
        b"<!-- <body> -->|",  # the end of the page implies the body
        b"<head>|<iframe src=/ad></iframe></head><body>",
        b"|<plaintext><body>",
    ],
)
def test_the_block_goes_right_before_the_token_that_implies_the_body(text: bytes) -> None:
    page, expected = cursor(text)
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (expected, "implied")


@pytest.mark.parametrize(
    "text",
    [
        b"<body><header>h</header><!-- forewarn -->|<main>",
        b"<body><!-- forewarn -->|<!-- forewarn -->",
        b"<body><script>'<!-- forewarn -->'</script><!-- forewarn -->|",
        b"<body><template><!-- forewarn --></template><!-- forewarn -->|",
        b"<body><p title='<!-- forewarn -->'><!-- forewarn -->|",
        b"<body><!-- <!-- forewarn --> --><!-- forewarn -->|",
        b"<html><p>a page that leaves out the body tag<!-- forewarn -->|",
        b"<body><svg><!-- forewarn --></svg><!-- forewarn -->|",
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


def test_a_marker_before_the_body_begins_does_not_count() -> None:
    page, expected = cursor(b"<!-- forewarn --><meta charset=utf-8>|<p>x")
    assert where(page) == expected


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
        b"<script><body>",  # unterminated script: everything after is script
        b"<head><title>t",  # a block at the end would be the title's text
        b"<!-- <body>",
        b'<meta title="<body>',
        b"<template><p>x<body>",  # at the end, a block would be template contents
        b"<template><plaintext></template><body>",
    ],
)
def test_no_place_when_the_page_ends_inside_markup_before_its_body(page: bytes) -> None:
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (None, "no-body")


def test_a_page_cut_at_the_prefix_limit_before_its_body_has_no_place() -> None:
    page = b"<head><title>t</title>" + b"<meta name=x>" * 100
    placement = find_placement(page, complete=True, eof=False)
    assert placement is not None and (placement.offset, placement.reason) == (None, "no-body")
    placement = find_placement(page, complete=True)  # the page really ends here: body there
    assert placement is not None and (placement.offset, placement.reason) == (len(page),
                                                                              "implied")


@pytest.mark.parametrize(
    "page",
    [
        b"<frameset><frame src=a></frameset>",
        b"<!doctype html><html><head><title>t</title></head><frameset cols=50%>",
        b"<div></div><frameset>",  # frameset-ok still holds: the frameset replaces the body
        b"<head></head>\n<span> </span><frameset>",
        b"<div><svg><foreignObject><frameset>",
    ],
)
def test_frameset_documents_get_no_block(page: bytes) -> None:
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (None, "frameset")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"|<div>x<frameset>", "implied"),  # text turned frameset-ok off
        (b"|<img src=a><frameset>", "implied"),
        (b"<body>|<frameset>", "body"),
        (b"|<div><template></template><frameset>", "implied"),
        (b"|<div><svg><frameset>", "implied"),  # inside <svg> it is a foreign element
        (b"|<div><input type=hidden></div><p>x", "implied"),
    ],
)
def test_a_frameset_after_the_body_began_counts_only_while_frameset_ok(
    text: bytes, reason: str
) -> None:
    page, expected = cursor(text)
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (expected, reason)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b"<body><div data-forewarn-slot>|</div><p>", "slot"),
        (b'<body><header><div data-forewarn-slot="">|</div></header>', "slot"),
        (b"<body><div data-forewarn-slot>|</div><!-- forewarn -->", "slot"),  # first wins
        (b"<body><!-- forewarn -->|<div data-forewarn-slot></div>", "marker"),
        (b"<body>|<div data-forewarn-slot>taken</div>", "body"),  # not empty: no slot
        (b"<body>|<img data-forewarn-slot>", "body"),
        (b"<body>|<p title='<div data-forewarn-slot></div>'>", "body"),
        (b"<body>|<template><div data-forewarn-slot></div></template>", "body"),
        (b"<body>|<script>'<div data-forewarn-slot></div>'</script>", "body"),
        (b"<p>|<div data-forewarn-slot>|</div>", "slot"),
    ],
)
def test_an_empty_slot_after_the_body_began_holds_the_block(text: bytes, reason: str) -> None:
    page, expected = cursor(text.replace(b"|", b"", text.count(b"|") - 1))
    placement = find_placement(page, complete=True)
    assert placement is not None
    assert (placement.offset, placement.reason) == (expected, reason)


def test_a_slot_too_far_past_the_body_is_not_looked_for() -> None:
    slot = b"<div data-forewarn-slot></div>"
    # the attribute must begin within SLOT_WINDOW bytes of where the body begins
    page = b"<body>" + b"x" * (SLOT_WINDOW - 5) + slot
    assert where(page) == len(b"<body>")
    page = b"<body>" + b"x" * (SLOT_WINDOW - 6) + slot
    assert where(page) == len(page) - len(b"</div>")


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
        assert 0 <= placement.offset <= len(data)


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


def _corpus_pages() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*/source.html")) or sorted(CORPUS.glob("*.html"))


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (needs ../shared)")
@pytest.mark.parametrize("page_path", _corpus_pages(), ids=lambda p: p.stem)
def test_real_pages_get_the_block_where_html5lib_begins_the_body(page_path: Path) -> None:
    page = page_path.read_bytes()
    placement = find_placement(page, complete=True)
    assert placement is not None and placement.offset is not None
    assert judge(page.decode("utf-8", "surrogateescape"), placement, BLOCK) == ""
