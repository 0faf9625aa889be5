"""Watch the files Forewarn loaded at start (geo databases, the catalog and the mirror lists it
names) and load a changed one again in the background: swapped in whole when it is good, the last
good one kept when not."""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("forewarn")

# What tells a new file from the old: a replaced file (rename) has a new inode, a rewritten one
# a new mtime or size.
Stamp = tuple[int, int, int]
# The stamps of a watched file and of the files it depends on, in that order (None: missing).
Stamps = tuple[Stamp | None, ...]


@dataclass
class FileState:
    """One watched file as healthz shows it: when its current contents were loaded, and why the
    last attempt to load a newer version failed (None once a good version is in)."""

    kind: str
    path: Path
    loaded_at: datetime
    last_error: str | None = None
    stamp: Stamps | None = None  # of the version last tried, good or not


@dataclass
class _Watch:
    state: FileState
    load: Callable[[Path], Any]
    apply: Callable[[Any], None]
    errors: tuple[type[Exception], ...]
    depends: Callable[[Path], tuple[Path, ...]] | None = None
    files: tuple[Path, ...] = ()  # what the file depended on when last tried


@dataclass(frozen=True)
class Taken:
    """A watched file's stamps, and the files it depended on, as they were at one moment."""

    stamps: Stamps
    files: tuple[Path, ...]

    @classmethod
    def now(cls, path: Path,
            depends: Callable[[Path], tuple[Path, ...]] | None = None) -> Taken:
        files = depends(path) if depends is not None else ()
        return cls(_stamps((path, *files)), files)


class Reloader:
    """Checks every ``interval`` seconds, in a daemon thread, whether watched files changed.

    A changed file is loaded by its ``load`` function with no lock held (readers go on using the
    old version meanwhile), then handed to ``apply``, which swaps it in with one assignment.
    A missing, truncated or corrupt version (``load`` raises one of ``errors``) keeps the last
    good one, is logged once, is counted by ``on_failure(kind)`` and shows in ``states`` until a
    good version replaces it. Each version is tried once, so a broken file is not re-read every
    few seconds. ``check()`` runs one pass in the caller's thread (for tests and tools).

    A file may name others it is loaded with (the catalog its mirror lists): ``depends(path)``
    lists them, and a change to any of them loads the watched file again, as a whole.

    The thread starts on ``ensure_running()``, which a gunicorn worker calls when it boots and the
    request path calls (in-process apps): so it runs in each worker (threads do not survive a
    fork) and never in the master, which checks its files only before it forks a worker.
    ``interval <= 0`` turns watching off.
    """

    def __init__(self, interval: float,
                 on_failure: Callable[[str], None] | None = None) -> None:
        self.interval = interval
        self._on_failure = on_failure
        self._watches: list[_Watch] = []
        self._after_pass: list[Callable[[], None]] = []
        self._running = False
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        ref = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _forked(ref))

    @property
    def states(self) -> tuple[FileState, ...]:
        return tuple(watch.state for watch in self._watches)

    def watch(self, kind: str, path: Path, load: Callable[[Path], Any],
              apply: Callable[[Any], None], errors: tuple[type[Exception], ...],
              depends: Callable[[Path], tuple[Path, ...]] | None = None,
              taken: Taken | None = None) -> FileState:
        """Watch ``path`` and the files ``depends(path)`` names, whose version the caller loaded
        after ``taken = Taken.now(path, depends)``. Take it before loading: a file replaced
        while it loads is then seen as changed (stamped after, the old contents would be kept
        under the new file's stamp, never reloaded)."""
        taken = taken or Taken.now(path, depends)
        state = FileState(kind, path, datetime.now(UTC), stamp=taken.stamps)
        self._watches.append(_Watch(state, load, apply, errors, depends, taken.files))
        return state

    def after_each_pass(self, task: Callable[[], None]) -> None:
        """Run ``task`` after every pass, in the same thread (once the watched files are
        swapped in): for what follows the loaded files, or the day."""
        self._after_pass.append(task)

    def ensure_running(self) -> None:
        """Start watching in this process, with a check now: an engine built long before (a
        process forked from the one that built it) must not answer with what it loaded then."""
        if self._running or self.interval <= 0:
            return
        with self._start_lock:
            if self._running:
                return
            self.check()
            # The thread holds the reloader weakly, so an engine nobody uses any more (tests build
            # many) is collected and its thread ends.
            thread = threading.Thread(target=_run, name=self.thread_name, daemon=True,
                                      args=(weakref.ref(self), self._stop, self.interval))
            thread.start()
            self._running = True

    def stop(self) -> None:
        self._stop.set()

    def check(self) -> None:
        for watch in self._watches:
            self._check(watch)
        for task in self._after_pass:
            task()

    @property
    def thread_name(self) -> str:
        return f"forewarn-reload-{id(self):x}"

    def _check(self, watch: _Watch) -> None:
        state = watch.state
        if _stamps((state.path, *watch.files)) == state.stamp:
            return
        # What the file names now, stamped before loading: a change after this is seen next time.
        taken = Taken.now(state.path, watch.depends)
        watch.files, state.stamp = taken.files, taken.stamps
        try:
            value = watch.load(state.path)
        except watch.errors as error:
            state.last_error = str(error)
            log.warning("reload of %s failed, keeping the version loaded at %s: %s",
                        state.path, state.loaded_at.isoformat(timespec="seconds"), error)
            if self._on_failure is not None:
                self._on_failure(state.kind)
            return
        watch.apply(value)
        state.loaded_at = datetime.now(UTC)
        state.last_error = None
        log.info("reloaded %s", state.path)


def _stamps(paths: tuple[Path, ...]) -> Stamps:
    return tuple(_stamp(path) for path in paths)


def _stamp(path: Path) -> Stamp | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def _run(ref: weakref.ref[Reloader], stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        reloader = ref()
        if reloader is None:
            return
        reloader.check()
        del reloader


def _forked(ref: weakref.ref[Reloader]) -> None:
    reloader = ref()
    if reloader is not None:  # the parent's thread is not in the child: start one on demand
        reloader._running = False
        reloader._start_lock = threading.Lock()
