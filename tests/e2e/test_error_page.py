"""The small error page a reader gets from `forewarn serve --upstream` when the origin cannot be
reached (gunicorn and granian alike) or, on granian, breaks off before Forewarn's answer began:
on a phone it is laid out at the phone's width and says, readably, to try again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.conftest import SCREENS
from tests.integration.upstream import RawOrigin, refused_url, start_proxy
from tests.support import LiveServer

CASES = [("gunicorn", "refused"), ("granian", "refused"), ("granian", "reset")]


@pytest.fixture(params=CASES, ids=["-".join(case) for case in CASES])
def failing_site(request: pytest.FixtureRequest, demo_db: Path, tmp_path: Path
                 ) -> Iterator[LiveServer]:
    server_name, behaviour = request.param
    raw = RawOrigin(behaviour) if behaviour == "reset" else None
    server = start_proxy(raw.url if raw else refused_url(), demo_db, tmp_path,
                         server=server_name)
    try:
        yield server
    finally:
        server.stop()
        if raw:
            raw.stop()


def test_the_error_page_is_readable_on_a_phone(
    new_context: CreateContextCallback, failing_site: LiveServer
) -> None:
    context = new_context(**SCREENS["phone"], extra_http_headers={"X-Forwarded-For": "192.0.2.10"})
    page = context.new_page()
    response = page.goto(failing_site.url + "/articles/plain")
    assert response is not None and response.status == 502
    assert response.headers["cache-control"] == "no-store"
    # Laid out at the phone's width, not at a desktop's 980 px shrunk to fit.
    assert page.evaluate("window.innerWidth") == 390
    text = page.get_by_text("Please try again")
    assert text.is_visible()
    font_px = float(text.evaluate("element => getComputedStyle(element).fontSize")[:-2])
    assert font_px >= 16
