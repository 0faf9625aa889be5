"""The run of the unit tests at the lowest allowed versions (scripts/lowest_versions.py), started
in the background as soon as pytest has collected tests/test_lower_bounds.py, so that on two
cores it overlaps the rest of the suite instead of adding its whole time; the test waits for it
at the end.

Under pytest-xdist every worker collects every test, so the run is started once per test run:
the first worker to make the run's folder (named by the run's id, which all workers share)
starts it, and whichever worker gets the test waits for the exit status the run writes there."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.support import ROOT

MODULE = "tests/test_lower_bounds.py"
_GUARD = 1800  # seconds: a guard against a hang, not a measure


class LowestRun:
    """scripts/lowest_versions.py in a process of its own, its output and status in a folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = folder / "lowest.log"
        self.status = folder / "status"

    @classmethod
    def start_once(cls, run_id: str | None) -> LowestRun:
        """The run for this test run, started here unless another worker started it."""
        name = f"forewarn-lowest-{run_id or uuid.uuid4().hex}"
        folder = Path(tempfile.gettempdir()) / name
        run = cls(folder)
        try:
            folder.mkdir()
        except FileExistsError:
            return run
        command = shlex.join(["nice", "-n", "19", sys.executable,
                              str(ROOT / "scripts" / "lowest_versions.py")])
        # At the lowest priority, so that it does not slow the suite's own servers and browser
        # down (the parallel suite keeps both cores busy: docs/testing.md). Its exit status goes to
        # a file, as the worker that waits for it may not be the one that started it.
        log, status = shlex.quote(str(run.log)), shlex.quote(str(run.status))
        subprocess.Popen(
            f"{command} > {log} 2>&1; echo $? > {status}", shell=True,
            cwd=ROOT, start_new_session=True, env=os.environ.copy())
        return run

    def wait(self) -> tuple[int, str]:
        deadline = time.monotonic() + _GUARD
        while not self.status.is_file() or not self.status.read_text().strip():
            if time.monotonic() > deadline:
                return -1, f"no status after {_GUARD} s\n" + self._output()
            time.sleep(1)
        return int(self.status.read_text()), self._output()

    def _output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.is_file() else ""


RUN: list[LowestRun] = []  # started by tests/conftest.py when the test is selected
