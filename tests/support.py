"""What tests share besides fixtures: paths, the fixed day, a WSGI app served from a thread, and a
real `forewarn serve` process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
SHARED_FIXTURES = ROOT.parent / "shared" / "fixtures"
TODAY = date(2026, 11, 24)
MAXMIND = SHARED_FIXTURES / "maxmind"
# make_mmdb("name.mmdb", {"192.0.2.0/24": record}, ...) -> the path of a small database
MakeMmdb = Callable[..., Path]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    """Terminate ``process`` and wait for it; kill it if it has not ended within ``timeout``."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class ThreadedApp(ABC):
    """A WSGI app (the subclass's ``__call__``) served from a thread on 127.0.0.1 at a port
    chosen now (or at ``port``); a subclass sets up its own state first, then calls
    ``super().__init__()``."""

    @abstractmethod
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Answer one request."""

    def __init__(self, port: int = 0) -> None:
        self._server = make_server("127.0.0.1", port, self, threaded=True)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def reset_on_close(sock: socket.socket) -> None:
    """Make ``close()`` send a reset instead of a FIN (SO_LINGER on, with a zero timeout): a
    peer that vanishes, or an origin that breaks its answer off."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")


class LiveServer:
    """`forewarn serve` in a real process, on 127.0.0.1 at a port chosen now (or at ``port``, to
    start it again where an edge expects it). On the server ``args`` name (``--server``), else
    on FOREWARN_TEST_SERVER's, else gunicorn: ``FOREWARN_TEST_SERVER=granian`` runs every test
    that does not choose on granian (docs/testing.md)."""

    def __init__(self, args: list[str], log_path: Path, env: dict[str, str] | None = None,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        forewarn = Path(sys.executable).with_name("forewarn")
        if "--server" not in args:
            args = [*args, "--server", os.environ.get("FOREWARN_TEST_SERVER", "gunicorn")]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            [str(forewarn), "serve", *args, "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=self._log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})},
        )
        for _ in range(300):  # the workers boot in well under a second; allow a slow CI
            if self.process.poll() is not None:
                raise RuntimeError(f"forewarn serve exited: {log_path.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_forewarn/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"forewarn serve did not answer: {log_path.read_text()}")

    def stop(self) -> None:
        stop_process(self.process)
        self._log.close()
