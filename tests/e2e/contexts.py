"""Browser contexts and tabs kept for a worker's tests. A test's ``new_context(**options)`` takes
an idle context made earlier with the same options, and its first ``new_page()`` the tab an
earlier test used in it; both are given back when the test ends. A new tab is a new renderer
process, which starts cold: its fonts, styles and scripts (axe-core's 550 KB) loaded and compiled
again. The demo articles' tests took a half to two thirds less CPU in kept tabs (measured on
tests/e2e/test_places.py and test_accessibility.py, each file alone: docs/testing.md). And
pytest-playwright pictured every page of a context it closed, in case the test had failed.

What a test finds is what a new context and a new tab give it: no cookie, nothing in the HTTP
cache, no route, no extra HTTP header but the ones it asks for, a tab on ``about:blank`` with no
listener of an earlier test. Given back, the context loses its other tabs, its routes, its
cookies and its cache (DevTools' ``Network.clearBrowserCache``, from the kept tab), and the kept
tab is sent to ``about:blank`` by its own script: a navigation the page starts stays in its
renderer, one the browser starts may not. Nothing the suite loads keeps local storage
(tests/e2e/test_privacy.py reads its context's and would see it). A tab whose test changed what a
navigation does not undo (an init script, an exposed function, its own headers, routes, media or
viewport) is closed, not kept, and its context with it; so is a context its test closed. Only the
history is an earlier test's: a tab's ``go_back()`` before its own first navigation would leave
``about:blank``."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Error, Page

# What a navigation does not undo: a tab a test changed with one of these is not kept.
LASTING = ("add_init_script", "expose_binding", "expose_function", "add_locator_handler",
           "set_extra_http_headers", "route", "route_from_har", "route_web_socket",
           "emulate_media", "set_viewport_size", "set_default_timeout",
           "set_default_navigation_timeout")


@dataclass
class Tab:
    """A tab handed to a test: the listeners it added, and whether it changed anything lasting."""

    page: Page
    listeners: list[tuple[str, Callable[..., Any]]] = field(default_factory=list)
    changed: str = ""

    def __post_init__(self) -> None:
        for name in ("on", "once"):
            setattr(self.page, name, self._listening(getattr(self.page, name)))
        for name in LASTING:
            setattr(self.page, name, self._lasting(name, getattr(self.page, name)))

    def _listening(self, add: Callable[..., Any]) -> Callable[..., Any]:
        def record(event: str, handler: Callable[..., Any]) -> Any:
            self.listeners.append((event, handler))
            return add(event, handler)
        return record

    def _lasting(self, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def mark(*args: Any, **kwargs: Any) -> Any:
            self.changed = self.changed or name
            return method(*args, **kwargs)
        return mark

    def reset(self) -> bool:
        """Back to the class's methods, the test's listeners gone, the tab on ``about:blank``;
        False when it cannot be kept."""
        for name in ("on", "once", *LASTING):
            with suppress(AttributeError):
                delattr(self.page, name)
        if self.changed or self.page.is_closed():
            return False
        for event, handler in self.listeners:
            self.page.remove_listener(event, handler)
        try:
            if self.page.url != "about:blank":
                self.page.evaluate("() => location.replace('about:blank')")
                self.page.wait_for_url("about:blank", timeout=5000)
        except Error:
            return False
        return True


@dataclass
class Idle:
    """A context made with some options, waiting for a test, and its kept tab if any."""

    context: BrowserContext
    tab: Page | None = None


@dataclass
class ContextPool:
    """Idle contexts of one browser, by the options they were made with."""

    browser: Browser
    defaults: dict[str, Any]
    idle: dict[str, list[Idle]] = field(default_factory=dict)
    made: int = 0
    tabs_made: int = 0

    def take(self, options: dict[str, Any]) -> tuple[str, Idle]:
        """A context with ``options`` (``extra_http_headers`` set on it, not made with it)."""
        headers = options.pop("extra_http_headers", None) or {}
        made_with = {**self.defaults, **options}
        key = json.dumps(made_with, sort_keys=True, default=repr)
        idle = self.idle.setdefault(key, [])
        if idle:
            found = idle.pop()
        else:
            found = Idle(self.browser.new_context(**made_with))
            self.made += 1
        found.context.set_extra_http_headers(headers)
        return key, found

    def give_back(self, key: str, context: BrowserContext, kept: Page | None) -> None:
        """Close its routes, its cookies, its HTTP cache and every tab but ``kept``; without a
        tab to keep, close it."""
        if kept is None:  # no tab to empty the cache from: a new context next time
            context.close()
            return
        for page in context.pages:
            if page is not kept:
                page.close()
        context.unroute_all(behavior="ignoreErrors")
        context.clear_cookies()
        session = context.new_cdp_session(kept)
        session.send("Network.clearBrowserCache")
        session.detach()
        self.idle[key].append(Idle(context, kept))

    def close(self) -> None:
        for waiting in self.idle.values():
            for found in waiting:
                with suppress(Error):
                    found.context.close()
        self.idle.clear()


@dataclass
class Lent:
    """A context a test took: the tab kept in it, until the test asks for one; the first tab the
    test was handed; whether the test closed the context."""

    key: str
    context: BrowserContext
    waiting: Page | None
    tab: Tab | None = None
    closed: bool = False

    def kept(self) -> Page | None:
        """The tab to keep: one the test never asked for, or the one it was handed, reset."""
        if self.waiting is not None:
            return None if self.waiting.is_closed() else self.waiting
        return self.tab.page if self.tab is not None and self.tab.reset() else None


@dataclass
class Taken:
    """The contexts one test took, to give back when it ends: pytest-playwright's
    ``new_context`` callback."""

    pool: ContextPool
    lent: list[Lent] = field(default_factory=list)

    def __call__(self, **options: Any) -> BrowserContext:
        key, found = self.pool.take(dict(options))
        lent = Lent(key, found.context, found.tab)
        self.lent.append(lent)
        context = lent.context
        new_page, close = context.new_page, context.close

        def hand_out(*args: Any, **kwargs: Any) -> Page:
            if lent.waiting is not None and not args and not kwargs:
                page, lent.waiting = lent.waiting, None
            else:
                page = new_page(*args, **kwargs)
                self.pool.tabs_made += 1
            if lent.tab is None:
                lent.tab = Tab(page)
            return page

        def close_for_good(*args: Any, **kwargs: Any) -> None:  # the test closed it itself
            lent.closed = True
            close(*args, **kwargs)

        context.new_page = hand_out  # type: ignore[method-assign]
        context.close = close_for_good  # type: ignore[method-assign]
        return context

    def picture(self, folder: Path, status: str, *, full_page: bool) -> None:
        """Each open page of the test's contexts pictured, as pytest-playwright names them
        (``status``: "failed" or "finished")."""
        pages = [page for lent in self.lent if not lent.closed for page in lent.context.pages]
        for index, page in enumerate(pages, start=1):
            folder.mkdir(parents=True, exist_ok=True)
            with suppress(Error):
                page.screenshot(path=str(folder / f"test-{status}-{index}.png"),
                                full_page=full_page, timeout=5000)

    def give_back(self) -> None:
        for lent in self.lent:
            for name in ("new_page", "close"):  # the instance's wrappers: the class's again
                delattr(lent.context, name)
            if not lent.closed:
                self.pool.give_back(lent.key, lent.context, lent.kept())
