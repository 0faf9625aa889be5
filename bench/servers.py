"""Start and stop the processes the benchmarks measure (gunicorn, ``forewarn serve``, nginx,
varnishd): each on 127.0.0.1 at a port chosen at run time, in its own folder with its own log,
stopped by its own pid; and read its workers' memory and CPU time from /proc."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.integration.servers import find_binary
from tests.support import ROOT, free_port, stop_process

BIN = Path(sys.executable).parent


class ServerError(RuntimeError):
    """A server exited or did not answer; the message carries its log."""


class Server:
    """One process the harness started, answering HTTP on ``url`` once ``ready_path`` does."""

    def __init__(
        self, name: str, command: Sequence[str], *, port: int, log: Path,
        ready_path: str = "/", env: Mapping[str, str] | None = None, cwd: Path | None = None,
    ) -> None:
        self.name = name
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = log
        self._log = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            list(command), stdout=self._log, stderr=subprocess.STDOUT, cwd=cwd or ROOT,
            env={**os.environ, **(env or {})})
        try:
            self._wait_until_ready(ready_path)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        """The worker processes (the children of the master we started)."""
        return children(self.pid)

    def stop(self) -> None:
        stop_process(self.process, timeout=20)
        self._log.close()

    def _wait_until_ready(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerError(f"{self.name} exited ({self.process.returncode}):\n"
                                  f"{self.log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2):  # noqa: S310 - ours
                    return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise ServerError(f"{self.name} did not answer on {self.url}{path}:\n"
                          f"{self.log_path.read_text(errors='replace')}")


def gunicorn(name: str, app: str, folder: Path, *, workers: int = 2, threads: int = 4,
             env: Mapping[str, str] | None = None, ready_path: str = "/") -> Server:
    """``app`` (``module:factory()``) under gunicorn with the worker settings `forewarn serve`
    uses: threaded workers, no access log, no control socket."""
    port = free_port()
    command = [str(BIN / "gunicorn"), "--workers", str(workers), "--worker-class", "gthread",
               "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--no-control-socket",
               "--log-level", "warning", app]
    return Server(name, command, port=port, log=folder / f"{name}.log", env=env,
                  ready_path=ready_path)


def forewarn_serve(name: str, args: Sequence[str], folder: Path, *,
                   env: Mapping[str, str] | None = None, workers: int = 2) -> Server:
    """``forewarn serve`` as an operator runs it (its own gunicorn, metrics across workers)."""
    port = free_port()
    command = [str(BIN / "forewarn"), "serve", *args, "--workers", str(workers),
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return Server(name, command, port=port, log=folder / f"{name}.log", env=env,
                  ready_path="/_forewarn/healthz")


def nginx(name: str, folder: Path, port: int, ready_path: str = "/") -> Server:
    """nginx with ``folder``/nginx.conf, every path under ``folder``, in the foreground. As root
    its workers would drop to `nobody`, who cannot read a private temporary folder."""
    globals_ = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
    command = [find_binary("nginx") or "nginx", "-p", f"{folder}/", "-c", "nginx.conf",
               "-g", globals_]
    return Server(name, command, port=port, log=folder / f"{name}.log", cwd=folder,
                  ready_path=ready_path)


def varnish(name: str, folder: Path, vcl: str, ready_path: str) -> Server:
    """varnishd in the foreground with ``vcl``; no jail, so it can read a private folder."""
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "default.vcl").write_text(vcl)
    command = [find_binary("varnishd") or "varnishd", "-F", "-j", "none",
               "-a", f"127.0.0.1:{port}", "-f", str(folder / "default.vcl"),
               "-n", str(folder / "work"), "-s", "malloc,256m"]
    return Server(name, command, port=port, log=folder / f"{name}.log", ready_path=ready_path)


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (a server master's workers), from /proc."""
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def rss_kib(pid: int) -> int:
    """Resident set size of a process, in KiB (0 when it is gone)."""
    return _status_field(pid, "VmRSS:")


def peak_rss_kib(pid: int) -> int:
    """The most the process ever had resident (the kernel's high-water mark), in KiB."""
    return _status_field(pid, "VmHWM:")


def cpu_seconds(pid: int) -> float:
    """The user and system CPU time the process has used so far, in seconds (0 when it is
    gone), from /proc/PID/stat: utime and stime, the 14th and 15th fields."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_field(pid: int, field: str) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith(field)), 0)


class Servers(ABC):
    """Starts a set of servers on entry (``_start``; a failure stops what had started) and stops
    them all on exit, in a folder of its own (a temporary one unless given)."""

    def __init__(self, folder: Path | None = None, prefix: str = "forewarn-bench-") -> None:
        self._temporary = None if folder else tempfile.TemporaryDirectory(prefix=prefix)
        self.folder = folder or Path(self._temporary.name)  # type: ignore[union-attr]
        self._stack = ExitStack()

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._stack.close()
        if self._temporary is not None:
            self._temporary.cleanup()

    @abstractmethod
    def _start(self) -> None:
        """Start the servers, each through ``_server`` so that exit stops it."""

    def _server(self, server: Server) -> Server:
        self._stack.callback(server.stop)
        return server
