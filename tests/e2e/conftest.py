"""Playwright on Debian's Chromium: headless, no sandbox (root), no background networking."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("FOREWARN_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium: `make test` installs Debian's chromium when run as root; "
                    "otherwise install it or set FOREWARN_CHROMIUM")
    return {**browser_type_launch_args, "executable_path": executable, "headless": True,
            "args": CHROMIUM_FLAGS}
