"""The splice on real pages, on a 390x844 phone (the page zoomed out, as phones show a page
without a viewport tag): what tests/e2e/test_corpus.py checks on a desktop. Each page of the
readability corpus (../shared), through `forewarn serve --upstream`, shows the notice on its
first screen with its own document untouched, and the collapsed block keeps to its budget
(338 px) without pushing off the first screen a headline the page shows there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.corpus import (
    ABSENT,
    CANNOT_SHOW_ON_A_PHONE,
    MAY_NOT_SHOW_ON_A_PHONE,
    NAMES,
    PHONE_CONTEXT,
    Outcome,
    keep_record,
    load_all,
    record_budget,
)
from tests.e2e.origin import StaticOrigin
from tests.support import LiveServer
from webapp.preview.budget import BUDGETS


@pytest.fixture(scope="module")
def phone_outcomes(
    browser: Browser, origin: StaticOrigin, forewarn_proxy: LiveServer
) -> Iterator[dict[str, Outcome]]:
    """Every page loaded once each way on a phone, four pairs at a time."""
    yield load_all(browser, NAMES, origin.url, forewarn_proxy.url, options=PHONE_CONTEXT)


@pytest.fixture(scope="module")
def budget_report(phone_outcomes: dict[str, Outcome]) -> str:
    """The largest block and where headlines begin, for the record (the run's summary)."""
    return record_budget("390x844", phone_outcomes)


@pytest.mark.skipif(not NAMES, reason=ABSENT)
@pytest.mark.parametrize("name", NAMES or ["absent"])
def test_real_page_shows_the_notice_and_keeps_its_own_document_on_a_phone(
    name: str, phone_outcomes: dict[str, Outcome], output_path: str,
    new_context: CreateContextCallback, forewarn_proxy: LiveServer, origin: StaticOrigin,
) -> None:
    phone = phone_outcomes[name]
    expected = [CANNOT_SHOW_ON_A_PHONE[name]] if name in CANNOT_SHOW_ON_A_PHONE else []
    allowed = [expected, [MAY_NOT_SHOW_ON_A_PHONE[name]]] if name in MAY_NOT_SHOW_ON_A_PHONE \
        else [expected]
    keep_record(phone, output_path, f"{name}-phone.png", phone.problems not in allowed,
                new_context, PHONE_CONTEXT, (origin.url, forewarn_proxy.url))
    assert phone.problems in allowed


@pytest.mark.skipif(not NAMES, reason=ABSENT)
@pytest.mark.parametrize("name", NAMES or ["absent"])
def test_real_page_keeps_the_block_within_its_budget_on_a_phone(
    name: str, phone_outcomes: dict[str, Outcome], budget_report: str
) -> None:
    assert phone_outcomes[name].over_budget(BUDGETS[390]) == []
