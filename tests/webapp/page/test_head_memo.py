"""Placing the block from a remembered head (webapp/page/head_memo.py) gives the answer a full
scan gives, for the same page again, for pages that share only part of a head, and on real pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.webapp.page.test_placement import _PIECES, CORPUS
from webapp.page.head_memo import HeadMemo
from webapp.page.placement import DEFAULT_MARKER, anchor_placement, find_placement

TAILS = st.lists(_PIECES, max_size=12)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30), TAILS, TAILS, st.booleans(),
       st.sampled_from([DEFAULT_MARKER, None]))
def test_a_remembered_head_gives_the_full_scans_answer(
    head: list[bytes], tail: list[bytes], other: list[bytes], complete: bool,
    marker: bytes | None,
) -> None:
    memo = HeadMemo(marker)
    pages = [b"".join([*head, b"<body>", *tail]), b"".join([*head, b"<body>", *other]),
             b"".join(head + tail), b"".join([*head, b"<body class=x>", *tail])]
    for page in pages * 2:  # the second time round, every head is remembered
        expected = find_placement(page, marker=marker, complete=complete)
        assert memo.find_placement(page, complete=complete) == expected, page


def test_a_page_that_changes_after_the_first_body_is_scanned_again() -> None:
    memo = HeadMemo(DEFAULT_MARKER)
    first = b"<html><body><p>a</p>"
    assert memo.find_placement(first, complete=True) == find_placement(first, complete=True)
    # the same bytes up to "<body", then a different tag: the remembered body end must not do
    changed = b"<html><body class='wide'><p>a</p>"
    placement = memo.find_placement(changed, complete=True)
    assert placement is not None and placement.offset == len(b"<html><body class='wide'>")


def _corpus_pages() -> list[Path]:
    return sorted(CORPUS.glob("*.html")) if CORPUS.is_dir() else []


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (needs ../shared)")
def test_real_pages_twice_get_the_full_scans_answer() -> None:
    memo = HeadMemo(DEFAULT_MARKER)
    for page_path in _corpus_pages() * 2:
        page = page_path.read_bytes()
        for complete in (False, True):
            expected = find_placement(page, complete=complete)
            assert memo.find_placement(page, complete=complete) == expected, page_path.name


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30), TAILS, st.booleans(),
       st.sampled_from([DEFAULT_MARKER, None]))
def test_where_the_body_begins_then_its_anchor_is_the_full_answer(
    head: list[bytes], tail: list[bytes], complete: bool, marker: bytes | None,
) -> None:
    # The middleware looks for a marker or slot only for a reader who gets a block: the two
    # steps give what one full placement gives, from a fresh memory and from a remembered head.
    memo = HeadMemo(marker)
    for page in [b"".join([*head, b"<body>", *tail]), b"".join(head + tail)] * 2:
        expected = find_placement(page, marker=marker, complete=complete)
        found = memo.find_placement(page, complete=complete, anchor=False)
        if found is not None:
            found = anchor_placement(page, found, marker, complete)
        assert found == expected, page
