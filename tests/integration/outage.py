"""Forewarn as an edge meets it when things go wrong: a stand-in that keeps Forewarn's port and is,
in turn, a real `forewarn serve`, nothing at all (stopped: connections refused), a socket that
accepts connections and never answers (hanging), or a server answering 500."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, Protocol

from tests.support import LiveServer, ThreadedApp, free_port

Mode = Literal["up", "stopped", "hanging", "error-500"]
FAILURES: tuple[Mode, ...] = ("stopped", "hanging", "error-500")


# After a refused connection Varnish tries that backend again only this much later (its
# backend_remote_error_holddown, 0.25 s by default), answering every fetch as failed meanwhile.
VARNISH_HOLDDOWN = 0.25


class _Running(Protocol):
    def stop(self) -> None: ...


class Hanging:
    """Listens on ``port`` and accepts every connection, then says nothing until stopped."""

    def __init__(self, port: int) -> None:
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", port))
        self._listener.listen(64)
        self._accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:  # the listener was closed: stopped
                return
            self._accepted.append(connection)

    @property
    def asked(self) -> int:
        """Connections accepted so far."""
        return len(self._accepted)

    def stop(self) -> None:
        # shutdown() wakes the blocked accept() (close() alone would leave it holding the port)
        self._listener.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        self._thread.join(timeout=5)
        for connection in self._accepted:
            connection.close()


class Failing(ThreadedApp):
    """Answers every request with ``500 Internal Server Error`` and an error page."""

    BODY = b"<!doctype html><title>Internal Server Error</title><h1>Internal Server Error</h1>"

    def __init__(self, port: int) -> None:
        self.asked = 0  # requests answered so far
        self._lock = threading.Lock()
        super().__init__(port)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        with self._lock:
            self.asked += 1
        start_response("500 Internal Server Error", [("Content-Type", "text/html"),
                                                     ("Content-Length", str(len(self.BODY)))])
        return [self.BODY]


class ForewarnSlot:
    """Forewarn's address as the edge knows it, with whatever ``set(mode)`` puts there. Each
    start of `forewarn serve` writes its own log (``log_path`` is the latest one)."""

    def __init__(self, folder: Path, env: dict[str, str], args: list[str]) -> None:
        self.port = free_port()
        self.folder = folder
        self._env = env
        self._args = args
        self._starts = 0
        self._running: _Running | None = None
        self.mode: Mode = "stopped"

    @property
    def log_path(self) -> Path:
        return self.folder / f"forewarn-{self._starts}.log"

    @property
    def asked(self) -> int:
        """How often the hanging or failing stand-in now in place was reached."""
        return self._running.asked if isinstance(self._running, Hanging | Failing) else 0

    def set(self, mode: Mode) -> None:
        if mode == self.mode:
            return
        refused = self.mode == "stopped"
        self.stop()
        if mode == "up":
            self._starts += 1
            self._running = LiveServer(self._args, self.log_path, self._env, port=self.port)
        elif mode == "hanging":
            self._running = Hanging(self.port)
        elif mode == "error-500":
            self._running = Failing(self.port)
        if refused and mode != "stopped":
            time.sleep(VARNISH_HOLDDOWN + 0.1)  # so that an edge asks this one, not the last
        self.mode = mode

    def stop(self) -> None:
        if self._running is not None:
            self._running.stop()
            self._running = None
        self.mode = "stopped"
