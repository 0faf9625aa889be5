"""Report the html5lib oracle's counts per population (tests/webapp/page/test_oracle.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def pytest_terminal_summary(terminalreporter: Any, config: Any) -> None:
    from tests.webapp.page.test_oracle import COUNTS

    if not any(COUNTS.values()):
        return
    for population, counts in COUNTS.items():
        if counts:
            line = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
            terminalreporter.write_line(f"html5lib oracle, {population}: {line}")
    folder = Path(config.rootpath) / "test-results"
    folder.mkdir(exist_ok=True)
    (folder / "oracle-counts.json").write_text(
        json.dumps({key: dict(value) for key, value in COUNTS.items()}, indent=1,
                   ensure_ascii=False))
