"""Drive ``wrk`` against one URL with a set of readers, and read what it measured.

Every request carries one reader's address in ``X-Forwarded-For``, with any headers of that
reader's own (a CDN's country header), in turn, from a list built once per connection thread:
the per-request cost of the script is one table look-up, the same for every setup. wrk's own
report is printed as it comes; the numbers are read from one JSON line the script's ``done``
hook writes, so no human-readable output is parsed.
"""

from __future__ import annotations

import json
import shutil
import string
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

RESULT_PREFIX = "BENCH-RESULT "

_SCRIPT = string.Template("""-- written by bench/wrk.py
local readers = {$readers}
local extra = {$headers}
local own = {$own}
local prepared = {}
local i = 0

init = function(args)
  for n, reader in ipairs(readers) do
    local headers = {["X-Forwarded-For"] = reader}
    for name, value in pairs(extra) do headers[name] = value end
    for name, value in pairs(own[n] or {}) do headers[name] = value end
    prepared[n] = wrk.format(nil, nil, headers)
  end
end

request = function()
  i = (i % #prepared) + 1
  return prepared[i]
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '$prefix{"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "mean_us": %.1f, "p50_us": %.1f, ' ..
    '"p90_us": %.1f, "p99_us": %.1f, "p999_us": %.1f, "max_us": %.1f}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max))
end
""")


class WrkError(RuntimeError):
    """wrk could not run, or ended without its result line."""


@dataclass(frozen=True)
class WrkResult:
    """One wrk run: counts, errors by kind, and latency in microseconds."""

    requests: int
    duration_us: int
    bytes: int
    errors: dict[str, int]
    latency_us: dict[str, float]  # mean, p50, p90, p99, p999, max

    @property
    def requests_per_second(self) -> float:
        return self.requests / (self.duration_us / 1e6) if self.duration_us else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


def lua_script(readers: Sequence[str], headers: Mapping[str, str] | None = None,
               own: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """The wrk script sending ``readers`` in turn, each request with ``headers`` too, and with
    the reader's ``own`` headers (a CDN's country header for that reader, say)."""
    if not readers:
        raise ValueError("wrk needs at least one reader address")
    return _SCRIPT.substitute(
        readers=", ".join(_lua_string(reader) for reader in readers),
        headers=_lua_table(headers or {}),
        own=", ".join("{" + _lua_table((own or {}).get(reader, {})) + "}" for reader in readers),
        prefix=RESULT_PREFIX,
    )


def _lua_table(headers: Mapping[str, str]) -> str:
    return ", ".join(f"[{_lua_string(name)}] = {_lua_string(value)}"
                     for name, value in headers.items())


def parse_result(output: str) -> WrkResult:
    """The result line the script's ``done`` wrote into wrk's output."""
    for line in output.splitlines():
        if line.startswith(RESULT_PREFIX):
            values = json.loads(line[len(RESULT_PREFIX):])
            return WrkResult(
                requests=values["requests"],
                duration_us=values["duration_us"],
                bytes=values["bytes"],
                errors={kind: values[kind]
                        for kind in ("connect", "read", "write", "status", "timeout")},
                latency_us={name: float(values[f"{name}_us"])
                            for name in ("mean", "p50", "p90", "p99", "p999", "max")},
            )
    raise WrkError(f"no {RESULT_PREFIX.strip()} line in wrk's output:\n{output}")


def run_wrk(
    url: str, readers: Sequence[str], seconds: float, *, connections: int = 32,
    threads: int = 2, headers: Mapping[str, str] | None = None,
    own: Mapping[str, Mapping[str, str]] | None = None, echo: bool = False,
) -> WrkResult:
    """Load ``url`` for ``seconds`` with ``connections`` kept-alive connections (``headers``,
    ``own``: lua_script's)."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise WrkError("wrk not found (Debian: apt-get install wrk)")
    threads = max(1, min(threads, connections))
    with tempfile.TemporaryDirectory(prefix="forewarn-wrk-") as folder:
        script = Path(folder) / "readers.lua"
        script.write_text(lua_script(readers, headers, own))
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                   "--timeout", "10s", "-s", str(script), url]
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False,  # noqa: S603
                                  timeout=seconds + 60)
        except subprocess.TimeoutExpired as error:
            raise WrkError(f"wrk did not finish: {url}") from error
    if echo:
        print(done.stdout.replace(RESULT_PREFIX, "result: "), end="")
    if done.returncode != 0:
        raise WrkError(f"wrk failed ({done.returncode}) on {url}: {done.stderr.strip()}")
    return parse_result(done.stdout)


def _lua_string(text: str) -> str:
    """A Lua string literal; only printable ASCII is expected here (addresses, header values)."""
    if not text.isascii() or not text.isprintable():
        raise ValueError(f"not printable ASCII: {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
