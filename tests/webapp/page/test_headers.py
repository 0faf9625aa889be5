"""The page's header list as the middleware reads and changes it (webapp/page/headers.py) behaves as
werkzeug's Headers would: the same values read, the same list sent after any changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import Headers, ResponseCacheControl
from werkzeug.http import parse_cache_control_header

from webapp.page.headers import ResponseHeaders, finish, fresh_for, sendable

NAMES = st.sampled_from(["Content-Type", "content-type", "ETag", "Vary", "X-A", "x-a",
                         "Cache-Control", "Content-Length", "Last-Modified", "Surrogate-Control",
                         "x-accel-expires", "CDN-Cache-Control", "Expires"])
VALUES = st.sampled_from(["", "1", "text/html", "W/\"x\"", "public, max-age=60", "Cookie",
                          'max-age=60, content="ESI/1.0"', "Thu, 01 Jan 1970 00:00:00 GMT"])
CHANGES = st.lists(st.tuples(st.sampled_from(["set", "del"]), NAMES, VALUES), max_size=8)


@given(st.lists(st.tuples(NAMES, VALUES), max_size=8), CHANGES)
def test_reads_and_changes_match_werkzeugs_headers(
    items: list[tuple[str, str]], changes: list[tuple[str, str, str]]
) -> None:
    ours, theirs = ResponseHeaders(items), Headers(items)
    for action, name, value in changes:
        if action == "set":
            ours[name] = value
            theirs[name] = value
        else:
            del ours[name]
            del theirs[name]
        assert ours.get(name) == theirs.get(name)
        assert ours.get_all(name) == theirs.get_all(name)
        assert (name in ours) == (name in theirs)
    for name, _value in items:
        assert ours.get_all(name) == theirs.get_all(name)
    assert ours.items() == theirs.to_wsgi_list()


@given(st.lists(st.tuples(NAMES, VALUES), max_size=6), st.integers(0, 3000), st.booleans(),
       st.sampled_from([(), ("CF-IPCountry",), ("X-Forewarn-Variant",)]),
       st.sampled_from([None, "0123456789abcdef"]),
       st.tuples(st.sampled_from([None, "ru@5f7561e126"]), st.sampled_from([None, 30, 100_000]),
                 st.sampled_from([None, 60]), st.sampled_from([None, 0, 120])))
def test_finishing_a_page_gives_the_same_headers_either_way(
    items: list[tuple[str, str]], added: int, length_known: bool, vary: tuple[str, ...],
    variant: str | None, edge: tuple[str | None, int | None, int | None, int | None],
) -> None:
    ours, theirs = ResponseHeaders(items), Headers(items)
    edge_key, lifetime, stale, browser = edge
    for headers in (ours, theirs):
        finish(headers, ("ru-undesirable",), added, length_known=length_known, vary=vary,
               variant=variant, edge_key=edge_key, lifetime=lifetime, stale=stale,
               browser=browser)
    assert ours.items() == theirs.to_wsgi_list()
    if browser is not None:  # the reader's browser asks again within browser seconds
        control = parse_cache_control_header(ours.get("Cache-Control"),
                                             cls=ResponseCacheControl)
        assert control.no_store or control.max_age is None or control.max_age <= browser
        assert control.no_store or control.max_age is not None or "Expires" not in ours
    if not vary:  # decided per reader: nothing lets a shared cache keep it
        assert "public" not in (ours.get("Cache-Control") or "")
        assert ours.get("X-Accel-Expires") in (None, "0")
        assert ours.get("CDN-Cache-Control") in (None, "no-store")
        assert (ours.get("Surrogate-Control") or "no-store").startswith("no-store")
    if variant is not None:
        assert ours.get("Last-Modified") is None
        etag = ours.get("ETag")
        assert etag is None or (etag.startswith("W/") and variant in etag)


@pytest.mark.parametrize(
    ("value", "lifetime", "shared", "stale", "expected"),
    [
        # max-age and s-maxage never outlast the next change
        ("public, max-age=600", 100, True, None, "public, max-age=100"),
        ("public, max-age=60, s-maxage=600", 100, True, None, "public, max-age=60, s-maxage=100"),
        ("private, max-age=1000", 100, False, None, "private, max-age=100"),
        # a shared page with no lifetime of its own gets one within a day of the change only
        (None, 100, True, None, "s-maxage=100"),
        (None, 100_000, True, None, ""),
        ("private", 100, False, None, "private"),
        # an edge keeping it per variant may serve it stale, but not past the change
        ("max-age=60", None, True, 60, "max-age=60, stale-while-revalidate=60"),
        ("max-age=60", 100, True, 60, "max-age=60, stale-while-revalidate=40"),
        (None, 100, True, 60, "s-maxage=100"),
        ("max-age=1, stale-while-revalidate=5", None, True, 60,
         "max-age=1, stale-while-revalidate=5"),
        ("no-store, max-age=1000", 100, False, None, "no-store, max-age=1000"),
    ],
)
def test_lifetimes_end_at_the_next_change(value: str | None, lifetime: int | None,
                                          shared: bool, stale: int | None,
                                          expected: str) -> None:
    assert fresh_for(value, lifetime, shared, stale) == expected


def test_a_finished_page_names_its_variant_and_its_lifetime() -> None:
    headers = ResponseHeaders([("Content-Type", "text/html"), ("Cache-Control", "max-age=600")])
    finish(headers, ("ru-undesirable",), 0, vary=("X-Forewarn-Variant",),
           edge_key="ru@abc", lifetime=300, stale=60)
    assert headers.get("X-Forewarn-Variant") == "ru@abc"
    assert headers.get("Vary") == "X-Forewarn-Variant"
    assert headers.get("Cache-Control") == "max-age=300"  # no time left to be served stale


@pytest.mark.parametrize(
    ("value", "shared", "browser", "expected"),
    [
        # a page decided for the reader's place: their browser asks again after browser seconds
        ("private, max-age=600", False, 0, "private, max-age=0"),
        ("private, max-age=600", False, 120, "private, max-age=120"),
        ("private, max-age=60", False, 120, "private, max-age=60"),
        ("private", False, 0, "private"),
        # kept per place by a CDN: shared caches keep their lifetime, which they read first
        ("public, max-age=600", True, 0, "public, max-age=0, s-maxage=600"),
        ("public, max-age=600, s-maxage=60", True, 0, "public, max-age=0, s-maxage=60"),
        ("no-store, max-age=600", False, 0, "no-store, max-age=600"),
    ],
)
def test_a_readers_browser_keeps_a_page_at_most_browser_seconds(
    value: str, shared: bool, browser: int, expected: str
) -> None:
    assert fresh_for(value, None, shared, None, browser) == expected


@pytest.mark.parametrize(
    ("vary", "expected"),
    [((), "private, max-age=0"), (("CF-IPCountry",), "max-age=0, s-maxage=600")],
)
def test_an_expires_date_is_cut_as_the_max_age_it_means(
    vary: tuple[str, ...], expected: str
) -> None:
    headers = ResponseHeaders([("Content-Type", "text/html"),
                               ("Date", "Wed, 02 Dec 2026 10:00:00 GMT"),
                               ("Expires", "Wed, 02 Dec 2026 10:10:00 GMT")])
    finish(headers, (), 0, vary=vary, browser=0)
    assert headers.get("Cache-Control") == expected


def test_an_expires_date_ends_at_the_next_change_too() -> None:
    headers = ResponseHeaders([("Content-Type", "text/html"),
                               ("Expires", "Fri, 01 Jan 2100 00:00:00 GMT")])
    finish(headers, (), 0, vary=("CF-IPCountry",), lifetime=90)
    assert headers.get("Cache-Control") == "max-age=90"


def test_php_sessions_no_store_is_left_as_it_is() -> None:
    control = "no-store, no-cache, must-revalidate"
    headers = ResponseHeaders([("Content-Type", "text/html"), ("Cache-Control", control),
                               ("Expires", "Thu, 19 Nov 1981 08:52:00 GMT")])
    finish(headers, (), 0, browser=0)
    assert headers.get("Cache-Control") == control + ", private"


def test_an_expires_date_that_cannot_be_read_is_past() -> None:
    headers = ResponseHeaders([("Content-Type", "text/html"), ("Expires", "0")])
    finish(headers, (), 0, vary=("CF-IPCountry",), browser=0)
    assert headers.get("Cache-Control") == "max-age=0"


def test_fields_some_caches_obey_first_end_at_the_change_too() -> None:
    headers = ResponseHeaders([("Content-Type", "text/html"), ("X-Accel-Expires", "@1999999999"),
                               ("CDN-Cache-Control", "max-age=86400"),
                               ("Surrogate-Control", 'max-age=3600, content="ESI/1.0"')])
    finish(headers, (), 0, vary=("X-Forewarn-Variant",), lifetime=90)
    assert headers.get("X-Accel-Expires") == "90"
    assert headers.get("CDN-Cache-Control") == "max-age=90"
    assert headers.get("Surrogate-Control") == 'max-age=90, content="ESI/1.0"'


@given(st.text())
def test_a_sendable_value_is_printable_latin_1(value: str) -> None:
    # The per-character rule the fast check replaces, as the reference.
    assert sendable(value) == (value.isprintable() and all(ord(c) < 256 for c in value))
