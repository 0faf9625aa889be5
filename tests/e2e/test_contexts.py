"""The contexts and tabs kept across tests (tests/e2e/contexts.py) come to the next test as new
ones would: the same context options, a tab on about:blank, none of the earlier test's headers,
cookies, cached answers, routes or listeners; a tab changed in a way a navigation does not undo
is not kept."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from werkzeug.wrappers import Request, Response

from tests.e2e.contexts import ContextPool, Taken
from tests.support import ThreadedApp

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


class Echo(ThreadedApp):
    """Answers every request with a page that shows the request's X-Forwarded-For and Cookie and
    how many requests came before it, sets a cookie, and lets browsers keep it ten minutes."""

    def __init__(self) -> None:
        self.count = 0
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers = Request(environ).headers
        self.count += 1
        body = (f"<!doctype html><title>echo</title><p id=xff>{headers.get('X-Forwarded-For', '')}"
                f"</p><p id=cookie>{headers.get('Cookie', '')}</p><p id=count>{self.count}</p>")
        response = Response(body, content_type="text/html; charset=utf-8")
        response.set_cookie("seen", "1")
        response.cache_control.max_age = 600
        return response(environ, start_response)


@pytest.fixture(scope="module")
def echo() -> Iterator[Echo]:
    server = Echo()
    yield server
    server.stop()


def test_the_next_test_gets_the_tab_back_as_a_new_one(browser: Browser, echo: Echo) -> None:
    pool = ContextPool(browser, {})
    try:
        first = Taken(pool)
        context = first(**PHONE, extra_http_headers={"X-Forwarded-For": "192.0.2.10"})
        page = context.new_page()
        heard: list[str] = []
        page.on("console", lambda message: heard.append(message.text))
        page.goto(f"{echo.url}/article")
        assert page.locator("#xff").inner_text() == "192.0.2.10"
        page.goto(f"{echo.url}/again")
        assert page.locator("#cookie").inner_text() == "seen=1"
        kept = page.locator("#count").inner_text()
        page.goto(f"{echo.url}/elsewhere")
        page.goto(f"{echo.url}/again")  # from the cache: the same answer
        assert page.locator("#count").inner_text() == kept
        context.route("**/blocked", lambda route: route.abort())
        first.give_back()

        second = Taken(pool)
        again = second(**PHONE)
        tab = again.new_page()
        assert (again, tab) == (context, page), "the same context and tab, kept"
        assert tab.url == "about:blank" and again.pages == [tab]
        assert tab.evaluate("() => screen.width") == 390, "made for a phone"
        tab.evaluate("() => console.log('said in the second test')")
        tab.goto(f"{echo.url}/blocked")  # the first test's route is gone: this gets through
        assert (tab.locator("#xff").inner_text(), tab.locator("#cookie").inner_text()) == ("", "")
        tab.goto(f"{echo.url}/again")  # the cache is empty: a new answer
        assert tab.locator("#count").inner_text() != kept
        assert heard == [], "the first test's listener heard nothing of the second"
        assert (pool.made, pool.tabs_made) == (1, 1)
        second.give_back()
    finally:
        pool.close()


def test_a_tab_changed_for_good_is_not_kept_nor_its_context_and_other_options_get_their_own(
    browser: Browser, echo: Echo
) -> None:
    pool = ContextPool(browser, {})
    try:
        first = Taken(pool)
        page = first(**PHONE).new_page()
        page.add_init_script("window.marked = true")
        page.goto(f"{echo.url}/")
        first.give_back()
        assert page.is_closed()

        second = Taken(pool)
        tab = second(**PHONE).new_page()
        assert tab is not page
        tab.goto(f"{echo.url}/")
        assert tab.evaluate("() => window.marked === undefined")
        desktop = second(viewport={"width": 1280, "height": 800}).new_page()
        assert desktop.evaluate("() => innerWidth") == 1280
        assert (pool.made, pool.tabs_made) == (3, 3), "the changed tab's context was not kept"
        second.give_back()
    finally:
        pool.close()
