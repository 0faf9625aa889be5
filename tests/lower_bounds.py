"""The run of the unit tests at the lowest allowed versions (scripts/lowest_versions.py), started
in the background as soon as pytest has collected tests/test_lower_bounds.py, so that on two
cores it overlaps the rest of the suite instead of adding its whole time; the test waits for it
at the end."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support import ROOT

MODULE = "tests/test_lower_bounds.py"


class LowestRun:
    """scripts/lowest_versions.py in a process of its own, its output in a file."""

    def __init__(self) -> None:
        self.log = Path(tempfile.mkdtemp(prefix="forewarn-lowest-")) / "lowest.log"
        with self.log.open("wb") as out:
            # At the lowest priority: it takes the time the suite leaves idle (waiting for
            # servers and browsers) and does not slow the suite's own servers down.
            self.process = subprocess.Popen(
                ["nice", "-n", "19", sys.executable, str(ROOT / "scripts" / "lowest_versions.py")],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)

    def wait(self) -> tuple[int, str]:
        status = self.process.wait(timeout=1800)  # a guard against a hang, not a measure
        return status, self.log.read_text(encoding="utf-8", errors="replace")


RUN: list[LowestRun] = []  # started by tests/conftest.py when the test is selected
