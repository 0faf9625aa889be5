"""The wrk driver of `make bench` and `make soak`: the script it writes, the result line it
reads, and one short real run in which a local server sees every reader in turn."""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from bench.wrk import WrkError, lua_script, parse_result, run_wrk

WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8080/articles/bench
  2 threads and 32 connections
  1200 requests in 1.00s, 120.00MB read
  Non-2xx or 3xx responses: 3
Requests/sec:   1199.80
BENCH-RESULT {"requests": 1200, "duration_us": 1000166, "bytes": 125829120, "connect": 0, \
"read": 1, "write": 0, "status": 3, "timeout": 2, "mean_us": 26012.4, "p50_us": 24000.0, \
"p90_us": 40000.0, "p99_us": 61000.0, "p999_us": 80000.0, "max_us": 90210.0}
"""


def test_the_result_line_gives_counts_errors_and_latency() -> None:
    result = parse_result(WRK_OUTPUT)
    assert result.requests == 1200
    assert result.requests_per_second == pytest.approx(1199.8, rel=1e-3)
    assert result.errors == {"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2}
    assert result.error_count == 6
    assert result.latency_us["p99"] == 61000.0 and result.latency_us["max"] == 90210.0


def test_output_without_the_result_line_is_an_error_that_shows_it() -> None:
    with pytest.raises(WrkError, match=r"(?s)no BENCH-RESULT line.*Requests/sec"):
        parse_result("Running 1s test\nRequests/sec: 5\n")


def test_the_script_sends_each_reader_with_the_extra_headers() -> None:
    script = lua_script(["192.0.2.10", "2001:db8:1::7"], {"Accept-Language": "ru;q=0.9"})
    assert 'local readers = {"192.0.2.10", "2001:db8:1::7"}' in script
    assert '["Accept-Language"] = "ru;q=0.9"' in script
    assert "done = function(summary, latency, requests)" in script


def test_the_script_sends_a_readers_own_headers_with_that_reader_only() -> None:
    script = lua_script(["192.0.2.10", "203.0.113.7"],
                        own={"203.0.113.7": {"X-Forewarn-Country": "UA",
                                             "X-Forewarn-Region": "43"}})
    assert 'local own = {{}, {["X-Forewarn-Country"] = "UA", ["X-Forewarn-Region"] = "43"}}' \
        in script


@pytest.mark.parametrize("readers", [[], ["192.0.2.10\n"], ["адрес"]])
def test_the_script_refuses_what_it_cannot_send(readers: list[str]) -> None:
    with pytest.raises(ValueError, match=r"reader|ASCII"):
        lua_script(readers)


class _Counting:
    """A WSGI app that counts the X-Forwarded-For values it is sent, each with the country
    header that came with it (if any)."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        with self.lock:
            country = environ.get("HTTP_X_FOREWARN_COUNTRY")
            self.seen[environ.get("HTTP_X_FORWARDED_FOR", "") + (f" {country}" if country
                                                                  else "")] += 1
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]


@pytest.fixture
def counting_server() -> Iterator[tuple[str, _Counting]]:
    app = _Counting()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", app
    server.shutdown()
    thread.join(timeout=5)


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed (`make bench` "
                    "installs it as root: apt-get install wrk)")
def test_a_real_run_sends_every_reader_and_counts_what_the_server_answered(
    counting_server: tuple[str, _Counting],
) -> None:
    url, app = counting_server
    result = run_wrk(url, ["192.0.2.10", "198.51.100.10"], 1, connections=2, threads=1,
                     own={"192.0.2.10": {"X-Forewarn-Country": "RU"}})
    assert result.requests > 0 and result.error_count == 0
    assert set(app.seen) == {"192.0.2.10 RU", "198.51.100.10"}
    # wrk stops mid-flight, so the server may have answered a request or two that it did not count
    assert abs(sum(app.seen.values()) - result.requests) <= 4
