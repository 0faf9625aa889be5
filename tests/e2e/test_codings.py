"""Content-Encoding as Chromium reads it: a page in codings it undoes (several stacked, in two
headers), or in one it does not know (``UTF-8``, ``none``), which makes it show the body as it
came (webapp/page/coding.py). Each case is opened twice by a reader in Russia, straight from the
origin (Chromium's own verdict: the oracle) and through Forewarn (`forewarn serve --upstream`):
a page Chromium shows gets the notice, and a notice Forewarn claims is on the screen.
Before, every such page passed as "encoded", without the notice."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from playwright.sync_api import Error, Page, Response, expect

from tests.e2e.origin import RawAnswer, StaticOrigin
from tests.support import LiveServer

NOTICE = 'aside.forewarn section.forewarn-notice[data-notice-id="ru-undesirable"]'
PAGE = (b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Ferry timetable</title></head>"
        b"<body>\n<h2>The winter ferry timetable</h2><p class='story'>Boats leave every hour."
        b"</p></body></html>\n")
HTML = ("Content-Type", "text/html; charset=utf-8")


def coded(*values: str) -> list[tuple[str, str]]:
    return [HTML, *(("Content-Encoding", value) for value in values)]


CASES: dict[str, RawAnswer] = {
    "gzip": (coded("gzip"), gzip.compress(PAGE)),
    "gzip-in-capitals": (coded("GZIP"), gzip.compress(PAGE)),
    "gzip-twice": (coded("gzip, gzip"), gzip.compress(gzip.compress(PAGE))),
    "gzip-then-br": (coded("gzip, br"), brotli.compress(gzip.compress(PAGE))),
    "deflate-then-gzip-in-two-headers": (coded("deflate", "gzip"),
                                         gzip.compress(zlib.compress(PAGE))),
    "utf-8": (coded("UTF-8"), PAGE),
    "none": (coded("none"), PAGE),
    "gzip-and-an-unknown-one-on-a-plain-page": (coded("gzip, binary"), PAGE),
    # Chromium shows these bytes as they came: the article is not readable
    "identity-among-others-on-a-gzip-body": (coded("gzip, identity"), gzip.compress(PAGE)),
    "an-unknown-one-on-a-br-body": (coded("compress"), brotli.compress(PAGE)),
}


@pytest.fixture(scope="module")
def cases(origin: StaticOrigin) -> dict[str, RawAnswer]:
    return origin.add_raw("coded", CASES)


def shown(page: Page, url: str) -> tuple[bool, Response | None]:
    """Whether Chromium shows the article at ``url``, and its answer (None on an error page)."""
    try:
        response = page.goto(url)
    except Error:  # net::ERR_CONTENT_DECODING_FAILED: nothing but the browser's error page
        return False, None
    story = page.locator("p.story")
    return story.count() == 1 and story.inner_text() == "Boats leave every hour.", response


@pytest.mark.parametrize("name", list(CASES))
def test_a_page_chromium_shows_gets_the_notice_and_no_other_claims_one(
    name: str, cases: dict[str, RawAnswer], origin: StaticOrigin,
    forewarn_proxy: LiveServer, reader_in_russia: Page,
) -> None:
    page = reader_in_russia
    directly, _ = shown(page, f"{origin.url}/raw/coded-{name}")
    through, response = shown(page, f"{forewarn_proxy.url}/raw/coded-{name}")
    assert through == directly  # Forewarn shows what the origin shows, no more, no less
    assert response is not None
    claimed = response.headers.get("x-forewarn-notices")
    if directly:
        assert claimed == "ru-undesirable"
    if claimed not in (None, "none"):  # on garbage too (HTML implies a body before any text)
        expect(page.locator(NOTICE)).to_be_visible()


def test_the_cases_hold_both_verdicts(
    cases: dict[str, RawAnswer], origin: StaticOrigin,
    reader_in_russia: Page,
) -> None:
    """The oracle is asked something worth asking: Chromium shows a page whose coding it does
    not know as it came (so a compressed body is not readable), and undoes stacked ones."""
    page = reader_in_russia
    verdicts = {name: shown(page, f"{origin.url}/raw/coded-{name}")[0]
                for name in ("utf-8", "gzip-twice", "identity-among-others-on-a-gzip-body")}
    assert verdicts == {"utf-8": True, "gzip-twice": True,
                        "identity-among-others-on-a-gzip-body": False}
