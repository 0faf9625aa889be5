"""The page's header list as the middleware reads and changes it (webapp/page/headers.py) behaves as
werkzeug's Headers would: the same values read, the same list sent after any changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

from webapp.page.headers import ResponseHeaders, finish, fresh_for

NAMES = st.sampled_from(["Content-Type", "content-type", "ETag", "Vary", "X-A", "x-a",
                         "Cache-Control", "Content-Length"])
VALUES = st.sampled_from(["", "1", "text/html", "W/\"x\"", "public, max-age=60", "Cookie"])
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
        assert (name in ours) == (name in theirs)
    assert ours.items() == theirs.to_wsgi_list()


@given(st.lists(st.tuples(NAMES, VALUES), max_size=6), st.integers(0, 3000), st.booleans(),
       st.sampled_from([(), ("CF-IPCountry",)]))
def test_finishing_a_page_gives_the_same_headers_either_way(
    items: list[tuple[str, str]], added: int, length_known: bool, vary: tuple[str, ...]
) -> None:
    ours, theirs = ResponseHeaders(items), Headers(items)
    for headers in (ours, theirs):
        finish(headers, ("ru-undesirable",), added, length_known=length_known, vary=vary)
    assert ours.items() == theirs.to_wsgi_list()


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
           variant="ru@abc", lifetime=300, stale=60)
    assert headers.get("X-Forewarn-Variant") == "ru@abc"
    assert headers.get("Vary") == "X-Forewarn-Variant"
    assert headers.get("Cache-Control") == "max-age=300"  # no time left to be served stale
