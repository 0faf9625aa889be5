"""The splice on real pages, on a 1280x800 desktop: each page of the readability corpus
(../shared), served by a local origin and through `forewarn serve --upstream`, shows the notice
on its first screen, its own document (everything but the block) is the one the browser builds
without Forewarn, and the collapsed block keeps to its budget (200 px) and leaves on the first
screen a headline the page itself shows there. tests/e2e/test_corpus_phone.py does the same on
a 390x844 phone (two files, so that parallel workers load the two screens at once)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.corpus import (
    ABSENT,
    CANNOT_SHOW,
    CONTEXT,
    NAMES,
    Outcome,
    keep_record,
    load_all,
    record_budget,
)
from tests.e2e.origin import StaticOrigin
from tests.support import LiveServer
from webapp.preview.budget import BUDGETS


@pytest.fixture(scope="module")
def outcomes(
    browser: Browser, origin: StaticOrigin, forewarn_proxy: LiveServer
) -> Iterator[dict[str, Outcome]]:
    """Every page loaded once each way, four pairs at a time (one browser for the session)."""
    yield load_all(browser, NAMES, origin.url, forewarn_proxy.url)


@pytest.fixture(scope="module")
def budget_report(outcomes: dict[str, Outcome]) -> str:
    """The largest block and where headlines begin, for the record (the run's summary)."""
    return record_budget("1280x800", outcomes)


@pytest.mark.skipif(not NAMES, reason=ABSENT)
@pytest.mark.parametrize("name", NAMES or ["absent"])
def test_real_page_shows_the_notice_and_keeps_its_own_document(
    name: str, outcomes: dict[str, Outcome], output_path: str,
    new_context: CreateContextCallback, forewarn_proxy: LiveServer, origin: StaticOrigin,
) -> None:
    outcome = outcomes[name]
    expected = [CANNOT_SHOW[name]] if name in CANNOT_SHOW else []
    keep_record(outcome, output_path, f"{name}.png", outcome.problems != expected, new_context,
                CONTEXT, (origin.url, forewarn_proxy.url))
    assert outcome.problems == expected


@pytest.mark.skipif(not NAMES, reason=ABSENT)
@pytest.mark.parametrize("name", NAMES or ["absent"])
def test_real_page_keeps_the_block_within_its_budget_on_a_desktop(
    name: str, outcomes: dict[str, Outcome], budget_report: str
) -> None:
    assert outcomes[name].over_budget(BUDGETS[1280]) == []
