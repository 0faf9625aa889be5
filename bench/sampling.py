"""Check answers while wrk loads a setup: a few times a second each of the setup's readers asks
for the page, and the answer must carry exactly that reader's notices (the X-Forewarn-Notices
header, the ids in the page's block, or both), one block at most, with status 200."""

from __future__ import annotations

import re
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import urllib3

from bench.lab import EXPECTED, Check, Setup

_BLOCK = re.compile(rb'<aside class="forewarn" data-forewarn="([^"]*)"')


def block_ids(body: bytes) -> list[str]:
    """The ``data-forewarn`` of every notice block in ``body`` (a page, or a fragment)."""
    return [match.decode() for match in _BLOCK.findall(body)]


def problem(check: Check, expected: str, status: int, notices_header: str | None,
            body: bytes) -> str | None:
    """What is wrong with one answer for a reader who must get ``expected`` ("none" for no
    notice), or None when it is right."""
    if status != 200 or (not body and check == "status"):
        return f"status {status}, {len(body)} bytes"
    if "header" in check and notices_header != expected:
        return f"X-Forewarn-Notices {notices_header!r}, expected {expected!r}"
    if "block" in check:
        ids = block_ids(body)
        if len(ids) > 1:
            return f"{len(ids)} notice blocks"
        got = " ".join(ids[0].split()) if ids else "none"
        if got != expected.replace(", ", " "):
            return f"block {got!r}, expected {expected!r}"
    return None


@dataclass
class Samples:
    """What was checked during one run, and the first few problems seen."""

    total: int = 0
    wrong: int = 0
    examples: list[str] = field(default_factory=list)

    def record(self, who: str, found: str | None) -> None:
        """One answer checked: ``found`` is its problem, or None when it was right."""
        self.total += 1
        if found is not None:
            self.wrong += 1
            if len(self.examples) < 3:
                self.examples.append(f"{who}: {found}")


class Background(ABC):
    """Runs ``sample_once`` in a thread every ``interval`` seconds between ``__enter__`` and
    ``__exit__``, counting into ``samples``."""

    def __init__(self, interval: float) -> None:
        self.samples = Samples()
        self._interval = interval
        self._done = threading.Event()
        self._http = urllib3.PoolManager(retries=False, timeout=30)
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._done.set()
        self._thread.join(timeout=60)

    @abstractmethod
    def sample_once(self) -> None:
        """Take one sample into ``self.samples``."""

    def _run(self) -> None:
        while not self._done.is_set():
            self.sample_once()
            self._done.wait(self._interval)


class Sampler(Background):
    """Samples ``setup`` in a thread between ``__enter__`` and ``__exit__``."""

    def __init__(self, setup: Setup, interval: float = 0.25) -> None:
        super().__init__(interval)
        self.setup = setup

    def sample_once(self) -> None:
        for reader in self.setup.readers:
            self._check(reader)

    def _check(self, reader: str) -> None:
        try:
            response = self._http.request("GET", self.setup.url, headers={
                "X-Forwarded-For": reader, **self.setup.reader_headers.get(reader, {})})
            found = problem(self.setup.check, EXPECTED[reader], response.status,
                            response.headers.get("X-Forewarn-Notices"), response.data)
        except urllib3.exceptions.HTTPError as error:
            found = f"request failed: {error}"
        self.samples.record(reader, found)
