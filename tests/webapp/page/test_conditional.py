"""How Forewarn answers a reader's HEAD and conditional GET itself (webapp/page/conditional.py):
the app gets a plain GET, and the reader gets 304 only for the copy they would get now, by the
rules of RFC 9110 (section 13.2.2), whatever the reader or the app sent."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from webapp.page.conditional import NOT_MODIFIED, PLAIN, Asked

PAGE_HEADERS = [("Content-Type", "text/html"), ("Content-Length", "120"),
                ("ETag", 'W/"v1-fw-abc"'), ("Cache-Control", "private"),
                ("X-Forewarn-Notices", "ru-undesirable")]
DATE, LATER = "Wed, 21 Oct 2026 07:28:00 GMT", "Thu, 22 Oct 2026 07:28:00 GMT"


def test_a_plain_get_goes_to_the_app_as_it_is() -> None:
    assert Asked.split({"REQUEST_METHOD": "GET"}) == (PLAIN, None)
    assert Asked.split({"REQUEST_METHOD": "POST", "HTTP_IF_NONE_MATCH": '"x"'}) == (PLAIN, None)


def test_a_subresource_goes_to_the_app_with_its_validators() -> None:
    """An image, a stylesheet or a script is never shown as a page: its own validators are
    safe, and the origin can answer 304 without sending it whole."""
    for dest in ("image", "style", "script", "font"):
        environ = {"REQUEST_METHOD": "GET", "HTTP_IF_NONE_MATCH": '"x"',
                   "HTTP_SEC_FETCH_DEST": dest}
        assert Asked.split(environ) == (PLAIN, None)
        head = {**environ, "REQUEST_METHOD": "HEAD"}  # HEAD is always answered by Forewarn
        assert Asked.split(head)[0] == Asked(True, '"x"', None)


def test_what_may_be_a_page_never_reaches_the_app_with_the_readers_validators() -> None:
    for dest in (None, "document", "iframe", "frame", "embed", "object", "empty", "Image", ""):
        environ = {"REQUEST_METHOD": "GET", "HTTP_IF_NONE_MATCH": '"x"', "PATH_INFO": "/a"}
        if dest is not None:
            environ["HTTP_SEC_FETCH_DEST"] = dest
        asked, inner = Asked.split(environ)
        assert asked == Asked(False, '"x"', None)
        assert inner is not None and "HTTP_IF_NONE_MATCH" not in inner, dest


def test_head_and_validators_are_kept_from_the_app() -> None:
    asked, inner = Asked.split({"REQUEST_METHOD": "HEAD", "HTTP_IF_NONE_MATCH": '"x"',
                                "HTTP_IF_MODIFIED_SINCE": DATE, "PATH_INFO": "/a"})
    assert asked == Asked(True, '"x"', DATE)
    assert inner == {"REQUEST_METHOD": "GET", "PATH_INFO": "/a"}


def test_the_readers_own_variant_gets_304_without_the_representations_headers() -> None:
    for tag in ('W/"v1-fw-abc"', '"v1-fw-abc"', '"other", W/"v1-fw-abc"', "*"):
        status, headers, body = Asked(if_none_match=tag).reply("200 OK", PAGE_HEADERS)
        assert (status, body) == (NOT_MODIFIED, False), tag
        assert dict(headers) == {"ETag": 'W/"v1-fw-abc"', "Cache-Control": "private",
                                 "X-Forewarn-Notices": "ru-undesirable"}


def test_another_variant_or_another_status_gets_the_answer_as_it_is() -> None:
    for status, tag in (("200 OK", 'W/"v1-fw-def"'), ("200 OK", '"v1"'), ("404 NOT FOUND", "*")):
        assert Asked(if_none_match=tag).reply(status, PAGE_HEADERS) == (status, PAGE_HEADERS,
                                                                        True)


def test_a_date_counts_only_without_if_none_match_and_only_against_a_last_modified() -> None:
    kept = [*PAGE_HEADERS, ("Last-Modified", DATE)]
    assert Asked(if_modified_since=LATER).reply("200 OK", kept)[0] == NOT_MODIFIED
    assert Asked(if_modified_since=LATER).reply("200 OK", PAGE_HEADERS)[0] == "200 OK"
    both = Asked(if_none_match='"nope"', if_modified_since=LATER)
    assert both.reply("200 OK", kept)[0] == "200 OK"


def test_head_gets_the_headers_and_no_body() -> None:
    assert Asked(head=True).reply("200 OK", PAGE_HEADERS) == ("200 OK", PAGE_HEADERS, False)


TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=40)


@given(st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT),
       st.one_of(st.none(), TEXT), st.booleans())
def test_any_validators_from_reader_or_app_give_an_answer_never_an_error(
    if_none_match: str | None, if_modified_since: str | None, etag: str | None,
    last_modified: str | None, head: bool,
) -> None:
    headers = [("Content-Type", "text/html")]
    headers += [("ETag", etag)] if etag is not None else []
    headers += [("Last-Modified", last_modified)] if last_modified is not None else []
    status, _, body = Asked(head, if_none_match, if_modified_since).reply("200 OK", headers)
    assert status in ("200 OK", NOT_MODIFIED)
    assert body is (status == "200 OK" and not head)
    if etag is None and last_modified is None:
        assert status == "200 OK" or (if_none_match or "").strip() == "*"
