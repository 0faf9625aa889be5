"""Faults while serving, against real gunicorn and granian workers: an origin that fails a
thousand times leaks no file descriptor or thread; readers who vanish mid-page, read one byte at
a time or send their request one byte at a time do not keep other readers from being served."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import urllib3

from tests.integration.servers import SERVERS, NginxFront, find_binary, missing_reason
from tests.integration.upstream import Origin, RawOrigin, refused_url, start_proxy
from tests.support import LiveServer, reset_on_close

log = logging.getLogger(__name__)

RUSSIA = "192.0.2.10"
GUNICORN_THREADS = 4  # each worker's thread pool (forewarn serve's default; granian's too)

pytestmark = pytest.mark.parametrize("forewarn_server", SERVERS, indirect=True)


def worker_pids(server: LiveServer, expected: int | None = None) -> list[int]:
    """The server's workers (the children of gunicorn's master, or of granian's main process);
    with ``expected``, once that many have started (the server answers as soon as the first one
    is up)."""
    master = server.process.pid
    for _ in range(200):
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if expected is None or len(children) >= expected:
            break
        time.sleep(0.05)
    return sorted(int(pid) for pid in children)


def resources(pid: int) -> tuple[int, int]:
    """(open file descriptors, threads) of a process."""
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    status = Path(f"/proc/{pid}/status").read_text()
    threads = next(int(line.split()[1]) for line in status.splitlines()
                   if line.startswith("Threads:"))
    return fds, threads


def hammer(url: str, count: int, parallel: int = 4) -> set[int | str]:
    """``count`` GETs as a Russian reader, ``parallel`` at a time; the statuses seen ("cut" for
    a response broken off, its reason logged).

    Each GET has a connection of its own. On a kept-alive one, gunicorn may close it as idle
    (2 s) at the moment the next request goes out, which browsers answer by sending it again
    and which is not the server breaking an answer off: a loaded CI machine met that once."""
    pool = urllib3.PoolManager(maxsize=parallel, retries=False, timeout=30)
    headers = {"X-Forwarded-For": RUSSIA, "Connection": "close"}

    def one(_: int) -> int | str:
        try:
            return pool.request("GET", url, headers=headers).status
        except urllib3.exceptions.ProtocolError as error:
            log.warning("GET %s broken off: %r", url, error)
            return "cut"

    with ThreadPoolExecutor(parallel) as executor:
        statuses = set(executor.map(one, range(count)))
    pool.clear()
    return statuses


@pytest.fixture(params=["refused", "garbage", "reset", "stall"])
def failing_proxy(request: pytest.FixtureRequest, demo_db: Path, tmp_path: Path,
                  forewarn_server: str) -> Iterator[tuple[str, LiveServer]]:
    behaviour = request.param
    raw = None if behaviour == "refused" else RawOrigin(behaviour)
    settings = {"upstream_timeout": "0.05"} if behaviour == "stall" else {}
    server = start_proxy(raw.url if raw else refused_url(), demo_db, tmp_path, workers=1,
                         server=forewarn_server, **settings)
    try:
        yield behaviour, server
    finally:
        server.stop()
        if raw:
            raw.stop()


def test_a_thousand_origin_failures_leak_no_descriptor_or_thread(
    failing_proxy: tuple[str, LiveServer], forewarn_server: str
) -> None:
    behaviour, server = failing_proxy
    url = f"{server.url}/articles/plain"
    # An origin reset before the page began: gunicorn drops the connection, granian answers the
    # small 502 page (test_proxy.assert_cut_before_the_page_began).
    cut = "cut" if forewarn_server == "gunicorn" else 502
    expected: set[int | str] = {{"stall": 504, "reset": cut}.get(behaviour, 502)}
    # Warm up as the counted run goes: thread pool and connection pools filled.
    assert hammer(url, 50, parallel=8) == expected
    (worker,) = worker_pids(server, expected=1)
    before = resources(worker)
    count = 200 if behaviour == "stall" else 1000  # each stall costs the 50 ms timeout
    assert hammer(url, count, parallel=8) == expected
    time.sleep(0.5)  # let the last connections close
    fds, threads = resources(worker)
    # A leak would grow with the failures (hundreds); what may grow once is the worker's thread
    # pool, up to its size, when a loaded machine served the warm-up with fewer of them busy.
    assert fds <= before[0] + 2, f"descriptors {before[0]} -> {fds}"
    assert threads <= before[1] + GUNICORN_THREADS, f"threads {before[1]} -> {threads}"
    assert "Traceback" not in server.log_path.read_text()


@pytest.fixture(scope="module")
def big_origin_proxy(demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
                     forewarn_server: str) -> Iterator[LiveServer]:
    origin = Origin()
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("faults"),
                         server=forewarn_server)
    yield server
    server.stop()
    origin.stop()


def raw_request(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-For: {RUSSIA}\r\n"
                 "Connection: close\r\n\r\n".encode())
    return sock


def test_readers_who_vanish_mid_page_leave_the_workers_healthy(
    big_origin_proxy: LiveServer
) -> None:
    workers = worker_pids(big_origin_proxy, expected=2)
    for _ in range(40):
        sock = raw_request(big_origin_proxy.port, "/articles/big")
        sock.recv(4096)  # the headers and the notice have come; then the reader is gone
        reset_on_close(sock)
        sock.close()
    assert hammer(f"{big_origin_proxy.url}/articles/plain", 20) == {200}
    assert worker_pids(big_origin_proxy) == workers  # no worker died or was replaced
    assert "Traceback" not in big_origin_proxy.log_path.read_text()


def test_a_reader_reading_one_byte_at_a_time_holds_one_thread_not_the_server(
    big_origin_proxy: LiveServer
) -> None:
    sock = raw_request(big_origin_proxy.port, "/articles/big")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    try:
        sock.recv(1)
        statuses = hammer(f"{big_origin_proxy.url}/articles/plain", 30)
        sock.recv(1)  # still being served, slowly
    finally:
        sock.close()
    assert statuses == {200}


def test_readers_sending_their_request_byte_by_byte_do_not_starve_the_others_behind_nginx(
    big_origin_proxy: LiveServer, tmp_path: Path
) -> None:
    """gunicorn's threaded worker gives a thread to a request once its first bytes arrive, so
    clients that then stall hold every thread (docs/deploying.md: put nginx in front). With
    deploy/nginx/forewarn-proxy.conf in front, three times as many of them as the workers have
    threads (2 x 4) change nothing for the other readers."""
    if find_binary("nginx") is None:
        pytest.skip(missing_reason("nginx"))
    front = NginxFront(tmp_path, big_origin_proxy, big_origin_proxy)  # type: ignore[arg-type]
    slow = [socket.create_connection(("127.0.0.1", front.port), timeout=30) for _ in range(24)]
    try:
        for sock in slow:
            sock.sendall(b"GET /articles/plain HTTP/1.1\r\nHo")
        assert hammer(f"{front.url}/articles/plain", 20) == {200}
    finally:
        for sock in slow:
            sock.close()
        front.stop()
