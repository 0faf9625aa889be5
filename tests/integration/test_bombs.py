"""Compression bombs against a real `forewarn serve --upstream` worker: brotli, gzip and deflate
bodies of a few KB (brotli) or about a MB (gzip, deflate) that expand to 256 MiB. The worker's
peak memory (VmHWM in /proc) stays bounded, the reader gets an answer, and the worker lives on
to serve the next reader."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import brotli
import pytest
import urllib3

from tests.integration.test_faults import worker_pids
from tests.integration.upstream import start_proxy
from tests.support import LiveServer, ThreadedApp

RUSSIA = "192.0.2.10"
MIB = 1 << 20
SIZE = 256 * MIB  # what a bomb expands to
PEAK_ALLOWED = 128 * MIB  # over the worker's peak before the bomb
HEAD = b"<!doctype html><html><head><title>bomb</title></head>"


@cache
def bomb(coding: str, head: bytes) -> bytes:
    """``head`` then SIZE zeros, compressed in ``coding`` a MiB at a time."""
    if coding == "br":
        compressor: Any = brotli.Compressor(quality=5)
        process, finish = compressor.process, compressor.finish
    else:
        compressor = zlib.compressobj(1, zlib.DEFLATED, 31 if coding == "gzip" else 15)
        process, finish = compressor.compress, compressor.flush
    zeros = bytes(MIB)
    return b"".join([process(head), *(process(zeros) for _ in range(SIZE // MIB)), finish()])


class BombOrigin(ThreadedApp):
    """/<coding>/<where>: a bomb in that coding, served as an HTML page: its body begins at
    once ("body-first"), or the zeros are in a comment that never ends, so that the page has no
    place for the block ("no-place")."""

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        _, coding, where = environ["PATH_INFO"].split("/")
        data = bomb(coding, HEAD + (b"<body><p>" if where == "body-first" else b"<!-- "))
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                  ("Content-Encoding", coding),
                                  ("Content-Length", str(len(data)))])
        return [data]


@pytest.fixture(scope="module")
def bombed(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[tuple[LiveServer, int]]:
    origin = BombOrigin()
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("bombs"), workers=1,
                         upstream_timeout="30")
    (worker,) = worker_pids(server, expected=1)
    yield server, worker
    server.stop()
    origin.stop()


def peak_memory(pid: int) -> int:
    """The process's peak resident memory so far, in bytes (VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return next(int(line.split()[1]) * 1024 for line in status.splitlines()
                if line.startswith("VmHWM:"))


@pytest.mark.parametrize("coding", ["br", "gzip", "deflate"])
@pytest.mark.parametrize("where", ["no-place", "body-first"])
def test_a_bomb_holds_worker_memory_bounded_and_the_worker_serves_on(
    bombed: tuple[LiveServer, int], coding: str, where: str,
) -> None:
    """With no place for the block in the first MiB the page passes as it came, without a
    notice; with one, the notice goes out and the page is cut off once its decoded size passes
    Forewarn's bound, counted and logged."""
    server, worker = bombed
    client = urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=120))
    assert client.request("GET", f"{server.url}/_forewarn/healthz").status == 200
    before, log_before = peak_memory(worker), server.log_path.read_text()
    response = client.request("GET", f"{server.url}/{coding}/{where}", decode_content=False,
                              preload_content=False, headers={"X-Forwarded-For": RUSSIA,
                                                              "Accept-Encoding": coding})
    received = b""
    try:
        for chunk in response.stream(1 << 16):
            received += chunk if len(received) < 8 * MIB else b""  # the bombs are smaller
        cut = False
    except urllib3.exceptions.ProtocolError:
        cut = True
    growth = peak_memory(worker) - before
    assert growth < PEAK_ALLOWED, f"worker peak grew by {growth // MIB} MiB"
    assert response.status == 200
    if where == "no-place":
        assert not cut and response.headers["X-Forewarn-Notices"] == "none"
        assert received == bomb(coding, HEAD + b"<!-- ")  # the origin's bytes, as they came
    else:
        assert cut and response.headers["X-Forewarn-Notices"] == "ru-undesirable"
        new_lines = server.log_path.read_text()[len(log_before):]
        assert "decoded size over" in new_lines
    assert worker_pids(server) == [worker]  # still the same worker, alive
    assert client.request("GET", f"{server.url}/_forewarn/healthz").status == 200
