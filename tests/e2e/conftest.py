"""Playwright on Debian's Chromium (headless, no sandbox as root, no background networking), the
servers the browser talks to, and readers: browser contexts for a place and a screen, whose
every request is watched. ``new_context`` is pytest-playwright's, its contexts and first tabs
kept from one test to the next (tests/e2e/contexts.py); a failing test keeps its screenshot
under test-results/ (see addopts in pyproject.toml), and its trace when tracing is asked for,
which gives every test new ones (docs/testing.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.contexts import ContextPool, Taken
from tests.e2e.origin import StaticOrigin
from tests.e2e.places import shipped_catalog
from tests.e2e.traffic import Traffic
from tests.support import ROOT, LiveServer
from webapp.catalog.model import Catalog

SCREENS: dict[str, dict[str, Any]] = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}



def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)



@pytest.fixture(scope="session")
def context_pool(browser: Browser, browser_context_args: dict[str, Any]
                 ) -> Iterator[ContextPool]:
    pool = ContextPool(browser, dict(browser_context_args))
    yield pool
    pool.close()


@pytest.fixture
def new_context(
    new_context: CreateContextCallback, context_pool: ContextPool,
    pytestconfig: pytest.Config, request: pytest.FixtureRequest, output_path: str,
) -> Iterator[CreateContextCallback]:
    """pytest-playwright's ``new_context``, its contexts kept across the worker's tests
    (tests/e2e/contexts.py); a failing test's pages are pictured as pytest-playwright does. With
    ``--tracing`` or ``--video`` on, pytest-playwright's own: a new context each time, traced."""
    if pytestconfig.getoption("--tracing") != "off" or pytestconfig.getoption("--video") != "off":
        yield new_context
        return
    taken = Taken(context_pool)
    yield taken  # type: ignore[misc]
    report = getattr(request.node, "rep_call", None) or getattr(request.node, "rep_setup", None)
    failed = report is not None and report.failed
    shots = pytestconfig.getoption("--screenshot")
    if shots == "on" or (shots == "only-on-failure" and failed):
        taken.picture(Path(output_path), "failed" if failed else "finished",
                      full_page=pytestconfig.getoption("--full-page-screenshot"))
    taken.give_back()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return shipped_catalog()


@pytest.fixture(scope="session")
def mirror_urls(catalog: Catalog) -> tuple[str, ...]:
    return tuple(link.url for mirrors in catalog.mirrors.values() for link in mirrors.links)


@pytest.fixture(scope="session")
def origin() -> Iterator[StaticOrigin]:
    server = StaticOrigin()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def forewarn_proxy(
    origin: StaticOrigin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`forewarn serve --upstream` in front of the static origin, trusting loopback only (so
    X-Forwarded-For from the browser stands for a reader, as in the demo)."""
    server = LiveServer(["--upstream", origin.url, "--workers", "2"],
                        tmp_path_factory.mktemp("proxy") / "forewarn.log",
                        env={"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
                             "FOREWARN_GEOIP_DBS": str(demo_db),
                             "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32"})
    yield server
    server.stop()


@pytest.fixture
def screenshot(output_path: str) -> Callable[[Page, str], Path]:
    """Save a screenshot in the test's own folder under test-results/ (pytest-playwright's)."""

    def save(page: Page, name: str, *, full_page: bool = True) -> Path:
        path = Path(output_path) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@dataclass
class Reader:
    """One reader: a browser context on a screen, coming from an address, and its traffic."""

    context: BrowserContext
    page: Page
    traffic: Traffic


ReaderFactory = Callable[..., Reader]


@pytest.fixture
def reader(
    new_context: CreateContextCallback, live_demo: LiveServer, mirror_urls: tuple[str, ...]
) -> ReaderFactory:
    """``reader(address, screen="desktop", servers=(url, ...), **context options)``: a context
    that sends ``X-Forwarded-For: address`` (the servers trust loopback as a proxy), allows
    requests only to ``servers`` (default: the demo) and answers mirror navigations itself."""

    def open_as(address: str, screen: str = "desktop", servers: tuple[str, ...] = (),
                **options: Any) -> Reader:
        context = new_context(**SCREENS[screen], locale="en-US",
                              extra_http_headers={"X-Forwarded-For": address}, **options)
        traffic = Traffic(tuple(f"{url}/" for url in servers or (live_demo.url,)),
                          mirror_urls).attach(context)
        return Reader(context, context.new_page(), traffic)

    return open_as



@pytest.fixture(scope="module")
def reader_in_russia(browser: Browser, origin: StaticOrigin, forewarn_proxy: LiveServer,
                     mirror_urls: tuple[str, ...]) -> Iterator[Page]:
    """One reader in Russia on a desktop for a whole test file, allowed the static origin and
    the proxy: for files that open many answers and look at each once (a browser context costs
    far more than a navigation)."""
    context = browser.new_context(**SCREENS["desktop"], locale="en-US",
                                  extra_http_headers={"X-Forwarded-For": "192.0.2.10"})
    Traffic((f"{origin.url}/", f"{forewarn_proxy.url}/"), mirror_urls).attach(context)
    yield context.new_page()
    context.close()
