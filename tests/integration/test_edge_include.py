"""The edge-include shape as readers meet it: a real Varnish (ESI) or nginx (SSI) serves one
cached copy of each article and asks Forewarn, per reader, for the notice that goes into it.

Readers are played by X-Forwarded-For sent to the edge: the edge appends its client's address
(127.0.0.1), which Forewarn trusts, so Forewarn walks from the right to the reader's address.
Each test reads its own articles, so that what the origin counted is that test's alone. Every
test runs against Forewarn on each server `forewarn serve --server` offers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.integration.pages import read
from tests.integration.servers import SERVERS, EdgeServer
from tests.support import LiveServer

pytestmark = pytest.mark.parametrize("forewarn_server", SERVERS, indirect=True, scope="session")

RUSSIA, CRIMEA, GERMANY, IRAN = "192.0.2.7", "203.0.113.7", "198.51.100.1", "198.51.100.129"
UNLOCATED = "198.18.0.7"  # in no database: the location is unknown
RUSSIAN_NOTICE_TEXT = ("undesirable", "нежелательн")


@pytest.mark.parametrize(
    ("path", "address", "notices"),
    [
        ("/articles/table", RUSSIA, "ru-undesirable"),
        ("/articles/table", GERMANY, None),
        ("/articles/table", CRIMEA, "ru-undesirable"),
        ("/articles/table", IRAN, "ir-hostile-media"),
        ("/articles/table", UNLOCATED, "ru-undesirable"),  # unknown = "show" for this one only
        ("/ru/articles/table", GERMANY, "ru-undesirable"),  # a Russian page: readers anywhere
        ("/ru/articles/table", IRAN, "ir-hostile-media ru-undesirable"),  # their own place first
    ],
)
def test_each_reader_gets_their_own_notice_in_the_one_cached_article(
    edge: EdgeServer, path: str, address: str, notices: str | None
) -> None:
    page = read(edge, path, address)
    assert page.status == 200
    assert page.notices == notices
    assert "<main><article>" in page.html  # the article around the block arrived whole
    assert "esi:include" not in page.html and "<!--#" not in page.html
    assert edge.origin.counts[path] == 1  # however many readers came before


def test_germany_never_gets_the_russian_notice_from_cache(edge: EdgeServer) -> None:
    path = "/articles/interleaved"
    readers = [RUSSIA, GERMANY, CRIMEA, GERMANY] * 10
    with ThreadPoolExecutor(max_workers=8) as pool:  # readers at once, as at a real edge
        pages = list(pool.map(lambda address: read(edge, path, address), readers))
    for address, page in zip(readers, pages, strict=True):
        if address == GERMANY:
            assert page.notices is None
            assert not any(text in page.html for text in RUSSIAN_NOTICE_TEXT)
        else:
            assert page.notices == "ru-undesirable"
    assert edge.origin.counts[path] == 1


def test_assembled_page_is_private_and_never_answered_304(edge: EdgeServer) -> None:
    path = "/articles/private"
    first = read(edge, path, GERMANY)
    assert first.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in first.headers and "Last-Modified" not in first.headers
    # A client holding some other reader's page and the origin's validators gets its own page.
    for condition in ({"If_None_Match": '"private-v1"'}, {"If_None_Match": "*"},
                      {"If_Modified_Since": "Tue, 24 Nov 2026 08:00:00 GMT"},
                      {"If_Modified_Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
                      {"If_Match": '"another-v2"'},
                      {"If_Unmodified_Since": "Fri, 01 Jan 2000 00:00:00 GMT"}):
        page = read(edge, path, RUSSIA, **condition)
        assert page.status == 200
        assert page.notices == "ru-undesirable"


def test_other_responses_keep_the_origins_cache_headers(edge: EdgeServer) -> None:
    page = read(edge, "/static/site.css", RUSSIA)
    assert page.headers["Cache-Control"] == "public, max-age=86400"
    assert page.html == "body { margin: 0 }"


def test_reader_without_forwarded_for_is_unknown_and_gets_the_critical_notice(
    edge: EdgeServer,
) -> None:
    # The edge writes its client's own address, 127.0.0.1: a trusted proxy's, so Forewarn has
    # no reader address left of it and takes 127.0.0.1, which no database places. Unknown
    # location: the critical notice shows (unknown = "show"), the Iranian one does not.
    page = read(edge, "/articles/no-forwarded-for")
    assert page.status == 200
    assert page.notices == "ru-undesirable"


def test_compressed_and_plain_readers_share_the_cached_article(edge: EdgeServer) -> None:
    path = "/articles/gzip"
    zipped = read(edge, path, RUSSIA, Accept_Encoding="gzip")
    plain = read(edge, path, GERMANY)
    assert zipped.notices == "ru-undesirable"
    assert plain.notices is None
    assert edge.origin.counts[path] == 1


def test_request_with_credentials_is_not_cached_but_still_warned(edge: EdgeServer) -> None:
    path = "/articles/signed-in"
    for _ in range(2):
        page = read(edge, path, CRIMEA, Authorization="Bearer reader-token")
        assert page.notices == "ru-undesirable"
    assert edge.origin.counts[path] == 2


def test_failed_fragment_leaves_the_article_whole_without_an_error_page(
    edge: EdgeServer,
) -> None:
    page = read(edge, "/articles/broken-include", RUSSIA)
    assert page.status == 200
    assert "<main><article>" in page.html
    assert page.notices is None
    for error_text in ("Not Found", "404", "Guru Meditation", "error occurred"):
        assert error_text not in page.html


# Varnish strips the cookie an article sets and caches the article (deploy/varnish/default.vcl);
# nginx keeps its own rule: a response that sets a cookie is passed on and not stored.
COOKIE_RULES = {"varnish": (False, 1), "nginx": (True, 2)}


def test_article_that_sets_a_cookie(edge: EdgeServer) -> None:
    path = "/articles/with-cookie"
    cookie_kept, fetches = COOKIE_RULES[edge.name]
    for _ in range(2):
        page = read(edge, path, RUSSIA)
        assert page.notices == "ru-undesirable"
        assert ("Set-Cookie" in page.headers) == cookie_kept
    assert edge.origin.counts[path] == fetches


def test_no_reader_address_in_forewarns_log(edge: EdgeServer, forewarn: LiveServer) -> None:
    read(edge, "/articles/private-log", "192.0.2.201")
    assert "192.0.2.201" not in forewarn.log_path.read_text()
