"""The nonce a page's Content-Security-Policy gives its own scripts and stylesheets, read as CSP
Level 3 reads a policy, and put on the block's tags; through NoticeMiddleware, the page's length
stays true. Chromium enforcing such a policy: tests/e2e/test_csp.py."""

from __future__ import annotations

import html5lib
import pytest

from tests.webapp.test_middleware import PAGE, RUSSIA, page_app, reader
from webapp.engine import Engine
from webapp.page.csp import NONE, Nonces, page_nonces, with_nonces

STRICT = "script-src 'nonce-R4nd0m+/_-x==' 'strict-dynamic' https: 'unsafe-inline'; " \
         "object-src 'none'; base-uri 'none'"
BLOCK = (b'<aside class="forewarn" data-forewarn="ru-undesirable">\n'
         b'<link rel="stylesheet" href="/_forewarn/static/forewarn.css" />\n<p>text</p>\n'
         b'<script src="/_forewarn/static/guard.js" defer=""></script>\n'
         b'<script src="/_forewarn/static/keep.js" defer=""></script>\n</aside>')


@pytest.mark.parametrize(("enforced", "report_only", "expected"), [
    ([], [], NONE),
    (["default-src 'self'"], [], NONE),
    # Google's strict policy: scripts by nonce, styles not restricted
    ([STRICT], [], Nonces("R4nd0m+/_-x==", None)),
    # default-src rules both when neither has its own directive
    (["default-src 'nonce-abc'"], [], Nonces("abc", "abc")),
    (["default-src 'nonce-abc'; style-src 'self'"], [], Nonces("abc", None)),
    # the -elem directive rules elements before the general one
    (["script-src 'nonce-a'; script-src-elem 'nonce-b'"], [], Nonces("b", None)),
    (["style-src 'nonce-a'; style-src-elem 'self'"], [], Nonces(None, None)),
    # names and the nonce- prefix in any case; a repeated directive is ignored
    (["Script-Src 'NONCE-abc'; script-src 'nonce-zzz'"], [], Nonces("abc", None)),
    # several nonces in one directive: any will do, the first is taken
    (["script-src 'nonce-a' 'nonce-b'"], [], Nonces("a", None)),
    # two policies (one header, comma; or two headers): a nonce both allow
    (["script-src 'nonce-a' 'nonce-b', script-src 'nonce-b'"], [], Nonces("b", None)),
    (["script-src 'nonce-a' 'nonce-b'", "script-src 'nonce-b'; style-src 'nonce-s'"], [],
     Nonces("b", "s")),
    # ... a policy naming no nonce does not count against one (it allows by other means)
    (["script-src 'nonce-a'", "script-src 'self'"], [], Nonces("a", None)),
    # no nonce both allow: none would satisfy both, the first is as good as any
    (["script-src 'nonce-a', script-src 'nonce-b'"], [], Nonces("a", None)),
    # report-only is read only when the enforced policies name no nonce
    (["default-src 'self'"], ["script-src 'nonce-r'"], Nonces("r", None)),
    (["script-src 'nonce-e'"], ["script-src 'nonce-r'; style-src 'nonce-s'"], Nonces("e", "s")),
    # what cannot be a nonce is not one: nothing from a header goes into the page but a nonce
    (["script-src 'nonce-a\"><script>alert(1)</script>'"], [], NONE),
    (["script-src 'nonce-'"], [], NONE),
    (["script-src nonce-abc"], [], NONE),
    (["script-src 'nonce-a=b'"], [], NONE),
    (["script-src 'sha256-abc' 'unsafe-hashes'"], [], NONE),
    ([";;, ;"], [" "], NONE),
])
def test_the_nonce_for_scripts_and_for_styles(enforced: list[str], report_only: list[str],
                                              expected: Nonces) -> None:
    assert page_nonces(enforced, report_only) == expected


def test_the_blocks_own_tags_carry_the_nonces_and_nothing_else_changes() -> None:
    nonced = with_nonces(BLOCK, Nonces("sc+/=", "st_-"))
    assert nonced == (BLOCK.replace(b"<link ", b'<link nonce="st_-" ')
                      .replace(b"<script ", b'<script nonce="sc+/=" '))
    tree = html5lib.parse(nonced.decode(), namespaceHTMLElements=False)
    assert [element.get("nonce") for element in tree.iter("script")] == ["sc+/=", "sc+/="]
    assert [element.get("nonce") for element in tree.iter("link")] == ["st_-"]
    assert with_nonces(BLOCK, NONE) is BLOCK
    assert with_nonces(BLOCK, Nonces("a", None)).count(b"nonce=") == 2


def test_through_the_middleware_the_page_carries_the_nonce_and_its_true_length(
    engine: Engine,
) -> None:
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(PAGE))),
               ("Content-Security-Policy", STRICT + "; style-src 'nonce-Style1'")]
    response = reader(engine, page_app(PAGE, headers), RUSSIA)
    body = response.get_data()
    assert int(response.headers["Content-Length"]) == len(body)
    tree = html5lib.parse(body.decode(), namespaceHTMLElements=False)
    block = tree.find(".//aside[@class='forewarn']")
    assert block is not None
    assert {script.get("src"): script.get("nonce") for script in block.iter("script")} == {
        "/_forewarn/static/guard.js": "R4nd0m+/_-x==", "/_forewarn/static/keep.js": "R4nd0m+/_-x=="}
    assert [link.get("nonce") for link in block.iter("link")] == ["Style1"]
    # the policy and the page's own bytes pass as they came
    assert response.headers["Content-Security-Policy"] == STRICT + "; style-src 'nonce-Style1'"
    start, end = body.index(b"<aside"), body.index(b"</aside>") + len(b"</aside>")
    assert body[:start] + body[end:] == PAGE


def test_without_a_policy_the_block_has_no_nonce(engine: Engine) -> None:
    body = reader(engine, page_app(), RUSSIA).get_data()
    assert b"<aside" in body and b"nonce" not in body
