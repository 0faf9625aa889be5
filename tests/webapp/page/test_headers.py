"""The page's header list as the middleware reads and changes it (webapp/page/headers.py) behaves as
werkzeug's Headers would: the same values read, the same list sent after any changes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import Headers

from webapp.page.headers import ResponseHeaders, finish

NAMES = st.sampled_from(["Content-Type", "content-type", "ETag", "Vary", "X-A", "x-a",
                         "Cache-Control", "Content-Length", "Last-Modified", "Surrogate-Control",
                         "x-accel-expires", "CDN-Cache-Control"])
VALUES = st.sampled_from(["", "1", "text/html", "W/\"x\"", "public, max-age=60", "Cookie",
                          'max-age=60, content="ESI/1.0"'])
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
       st.sampled_from([(), ("CF-IPCountry",)]), st.sampled_from([None, "0123456789abcdef"]))
def test_finishing_a_page_gives_the_same_headers_either_way(
    items: list[tuple[str, str]], added: int, length_known: bool, vary: tuple[str, ...],
    variant: str | None,
) -> None:
    ours, theirs = ResponseHeaders(items), Headers(items)
    for headers in (ours, theirs):
        finish(headers, ("ru-undesirable",), added, length_known=length_known, vary=vary,
               variant=variant)
    assert ours.items() == theirs.to_wsgi_list()
    if not vary:  # decided per reader: nothing lets a shared cache keep it
        assert "public" not in (ours.get("Cache-Control") or "")
        assert ours.get("X-Accel-Expires") in (None, "0")
        assert ours.get("CDN-Cache-Control") in (None, "no-store")
        assert (ours.get("Surrogate-Control") or "no-store").startswith("no-store")
    if variant is not None:
        assert ours.get("Last-Modified") is None
        etag = ours.get("ETag")
        assert etag is None or (etag.startswith("W/") and variant in etag)
