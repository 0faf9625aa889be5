"""The lines the test run ends with (the html5lib oracle's counts per population, the real pages
that passed, the block heights measured in Chromium), gathered from every pytest-xdist worker.

Each worker keeps what its tests counted (``COUNTS`` in tests/webapp/page/test_oracle.py, the
block heights in ``SUMMARY`` here) and hands it to the controller when it ends; the controller
adds them up and writes the summary. Without xdist the one process does both."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

KEY = "forewarn-summary"
SUMMARY: list[str] = []  # block heights, written by tests/e2e/test_budget.py and corpus.py


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a worker: what its tests counted, for the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        from tests.webapp.page.test_oracle import COUNTS

        output[KEY] = json.dumps({"lines": SUMMARY,
                                  "counts": {key: dict(value) for key, value in COUNTS.items()}})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """In the controller: a worker's counts added to the run's."""
    gathered = getattr(node, "workeroutput", {}).get(KEY)
    if gathered:
        from tests.webapp.page.test_oracle import COUNTS

        found = json.loads(gathered)
        SUMMARY.extend(found["lines"])
        for population, counts in found["counts"].items():
            COUNTS.setdefault(population, Counter()).update(counts)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if getattr(config, "workeroutput", None) is not None:
        return
    _oracle_counts(terminalreporter, Path(config.rootpath))
    _real_pages(terminalreporter)
    for line in SUMMARY:
        terminalreporter.write_line(f"block height: {line}")


def _oracle_counts(terminalreporter: Any, root: Path) -> None:
    """The placement judged by html5lib, per population (and test-results/oracle-counts.json)."""
    from tests.webapp.page.test_oracle import COUNTS

    if not any(COUNTS.values()):
        return
    for population, counts in COUNTS.items():
        if counts:
            line = ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))
            terminalreporter.write_line(f"html5lib oracle, {population}: {line}")
    folder = root / "test-results"
    folder.mkdir(exist_ok=True)
    (folder / "oracle-counts.json").write_text(
        json.dumps({key: dict(value) for key, value in COUNTS.items()}, indent=1,
                   ensure_ascii=False))


def _real_pages(terminalreporter: Any) -> None:
    """How many real pages of the corpus passed, for the record."""
    reports = [report for kind in ("passed", "failed")
               for report in terminalreporter.stats.get(kind, [])
               if report.when == "call" and "test_corpus.py::test_real_page_shows" in
               report.nodeid]
    if reports:
        from tests.e2e.corpus import CANNOT_SHOW  # (Playwright: not in every run's venv)

        passed = sum(report.passed for report in reports)
        terminalreporter.write_line(
            f"real pages: {passed} of {len(reports)} pass ({passed - len(CANNOT_SHOW)} with the "
            f"notice on the first screen, {len(CANNOT_SHOW)} whose own markup keeps it off, "
            "all with their documents unchanged)")
