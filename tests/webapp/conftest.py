"""Browser tests under tests/webapp drive Debian's Chromium, found and started as
`forewarn preview --screenshot` does (webapp/browser.py)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from webapp.browser import CHROMIUM_FLAGS, BrowserMissing, find_chromium


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    try:
        executable = find_chromium(os.environ)
    except BrowserMissing as missing:
        pytest.skip(f"{missing} (`make test` installs it when run as root)")
    return {**browser_type_launch_args, "executable_path": executable, "headless": True,
            "args": list(CHROMIUM_FLAGS)}
