"""Privacy in the browser: while the page loads and the reader uses the notice (opens the Tor
address, clicks the field, selects the address, follows a mirror link), no request leaves the
site, no cookie is set and nothing is written to the browser's storage."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import ReaderFactory
from tests.support import LiveServer

STORAGE = "() => [document.cookie, localStorage.length, sessionStorage.length]"
READERS = [  # (who, address, article, screen)
    ("crimea", "203.0.113.1", "library-winter", "desktop"),
    ("iran", "198.51.100.129", "river-teahouse", "phone"),
]


def select_the_onion_address(page: Page) -> str:
    page.locator("aside.forewarn details.forewarn-onion > summary").first.click()
    field = page.locator("aside.forewarn .forewarn-copy input").first
    field.click()
    field.select_text()
    return str(field.evaluate("el => el.value.slice(el.selectionStart, el.selectionEnd)"))


@pytest.mark.parametrize(("who", "address", "slug", "screen"), READERS, ids=[r[0] for r in READERS])
def test_using_the_notice_sends_nothing_anywhere_and_stores_nothing(
    who: str, address: str, slug: str, screen: str, reader: ReaderFactory, live_demo: LiveServer,
    screenshot: Callable[..., Path],
) -> None:
    visitor = reader(address, screen)
    page, traffic = visitor.page, visitor.traffic
    set_cookies: list[str] = []
    page.on("response", lambda response: set_cookies.extend(
        value for name, value in response.headers_array() if name.lower() == "set-cookie"))
    page.goto(f"{live_demo.url}/articles/{slug}")
    page.wait_for_load_state("networkidle")

    selected = select_the_onion_address(page)
    assert selected.endswith(f".onion/articles/{slug}"), selected
    screenshot(page, f"{who}-onion-selected.png", full_page=False)
    assert page.evaluate(STORAGE) == ["", 0, 0]

    mirror = page.locator("aside.forewarn a.forewarn-mirror[data-kind=mirror]").first
    href = mirror.get_attribute("href")
    mirror.click()
    page.wait_for_url(lambda url: url == href)  # exact, not a glob
    page.go_back()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(STORAGE) == ["", 0, 0]

    assert traffic.left == [], "requests that would have left the site"
    off_site = [url for url in traffic.requests if not url.startswith(traffic.origins)]
    assert off_site == [href], "only the mirror link, answered inside the test"
    assert set_cookies == [] and visitor.context.cookies() == []
    assert visitor.context.storage_state()["origins"] == [], "no origin kept local storage"
