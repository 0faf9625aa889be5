"""`make bench`: every setup loaded by wrk in the same run, in rounds (so that a busy neighbour
slows all setups alike rather than one), with sampled notice checks, worker memory, and the
100,000-request memory run; results to bench/results/ as JSON, Markdown and a chart.

    BENCH_SECONDS=10 python -m bench.run      # what `make bench` runs, after the micro-benchmarks

Settings (environment): BENCH_SECONDS (saturated seconds per setup, split over the rounds;
default 10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_MEMORY_REQUESTS
(100000), BENCH_CACHE_WARM (200000) and BENCH_CACHE_REQUESTS (100000) for the cache workload
(bench/cache.py; 0 leaves it out), BENCH_ONLY (comma-separated setup names, "cache" for the
workload), BENCH_RESULTS (bench/results), BENCH_MICRO
(the micro-benchmarks' JSON, var/bench-micro.json).
Exits 1 when a tool is missing, a sampled answer was wrong, or wrk saw errors.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import report
from bench.cache import measure as measure_cache
from bench.cache import networks_csv, places
from bench.cache_lab import CacheLab
from bench.lab import MIX, Lab, Setup, missing_tools
from bench.machine import machine
from bench.sampling import Sampler
from bench.servers import cpu_seconds, peak_rss_kib, rss_kib
from bench.wrk import WrkResult, run_wrk

MEMORY_SETUPS = ("middleware-ru", "proxy", "fragment")
CACHE_SECONDS = 300  # at most, per phase of the cache workload


@dataclass(frozen=True)
class Options:
    seconds: float
    rounds: int
    connections: int
    threads: int
    memory_requests: int
    cache_warm: int  # the cache workload (bench/cache.py): requests to warm each cache
    cache_requests: int  # ... and requests counted; 0 leaves the workload out
    only: tuple[str, ...]
    results: Path
    micro: Path  # pytest-benchmark's JSON (every timing, tens of MB: read, summed up, not kept)

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Options:
        only = tuple(n.strip() for n in environ.get("BENCH_ONLY", "").split(",") if n.strip())
        return cls(float(environ.get("BENCH_SECONDS", "10")), int(environ.get("BENCH_ROUNDS", "3")),
                   int(environ.get("BENCH_CONNECTIONS", "32")),
                   int(environ.get("BENCH_THREADS", "2")),
                   int(environ.get("BENCH_MEMORY_REQUESTS", "100000")),
                   int(environ.get("BENCH_CACHE_WARM", "200000")),
                   int(environ.get("BENCH_CACHE_REQUESTS", "100000")), only,
                   Path(environ.get("BENCH_RESULTS", "bench/results")),
                   Path(environ.get("BENCH_MICRO", "var/bench-micro.json")))


def main() -> int:
    options = Options.from_environ(os.environ)
    missing = missing_tools()
    if missing:
        print(f"bench: missing {', '.join(missing)} (`make bench` installs them as root)",
              file=sys.stderr)
        return 1
    started = time.monotonic()
    about = machine()
    with Lab() as lab:
        setups = [s for s in lab.setups if not options.only or s.name in options.only]
        runs = measure(setups, options)
        memory = [memory_run(s, options) for s in setups
                  if s.name in MEMORY_SETUPS and options.memory_requests > 0]
    cache = []
    if options.cache_requests > 0 and (not options.only or "cache" in options.only):
        with CacheLab(networks_csv(places())) as cache_lab:
            cache = measure_cache(cache_lab, warm=options.cache_warm,
                                  measured=options.cache_requests,
                                  connections=options.connections, threads=options.threads,
                                  seconds=CACHE_SECONDS)
    about["load_after"] = os.getloadavg()
    about["minutes"] = round((time.monotonic() - started) / 60, 1)
    settings = vars(options) | {"results": str(options.results), "micro": str(options.micro)}
    results = report.build(about, settings, runs, memory, report.read_micro(options.micro),
                           cache)
    report.write(results, options.results)
    failures = report.failures(results)
    for failure in failures:
        print(f"bench: FAILED: {failure}", file=sys.stderr)
    print(f"bench: results in {options.results}/ ({about['minutes']} min)")
    return 1 if failures else 0


def measure(setups: list[Setup], options: Options) -> list[dict[str, Any]]:
    """Warm each setup up, then run every setup once per round; one record per setup."""
    per_round = max(1.0, options.seconds / options.rounds)
    records: dict[str, dict[str, Any]] = {s.name: report.empty_record(s) for s in setups}
    for setup in setups:
        print(f"bench: warming up {setup.name}", flush=True)
        run_wrk(setup.url, setup.readers, 1, connections=options.connections,
                threads=options.threads, own=setup.reader_headers)
    for number in range(1, options.rounds + 1):
        for setup in setups:
            print(f"bench: round {number}/{options.rounds}: {setup.name}", flush=True)
            before = _workers_cpu(setup)
            with Sampler(setup) as sampler:
                loaded = run_wrk(setup.url, setup.readers, per_round,
                                 connections=options.connections, threads=options.threads,
                                 own=setup.reader_headers)
            cpu_us = cpu_per_request(before, _workers_cpu(setup),
                                     loaded.requests + sampler.samples.total)
            single = run_wrk(setup.url, setup.readers, max(1.0, per_round / 2), connections=1,
                             threads=1, own=setup.reader_headers)
            report.add_round(records[setup.name], loaded, single, sampler.samples, cpu_us)
    for setup in setups:
        records[setup.name]["peak_rss_mib"] = _peak_rss_mib(setup)
    return list(records.values())


def memory_run(setup: Setup, options: Options) -> dict[str, Any]:
    """Load ``setup`` with readers from every place until wrk counted ``memory_requests``; worker
    memory after the first tenth (warm) and at the end."""
    print(f"bench: memory: {options.memory_requests} requests to {setup.name}", flush=True)
    done, chunks = 0, []
    warm: list[float] = []
    while done < options.memory_requests:
        result: WrkResult = run_wrk(setup.url, MIX, 5, connections=options.connections,
                                    threads=options.threads, own=setup.reader_headers)
        done += result.requests
        chunks.append(result.error_count)
        if not warm and done >= options.memory_requests // 10:
            warm = _worker_rss_mib(setup)
    final = _worker_rss_mib(setup)
    growth = [(after - before) / before for before, after in zip(warm, final, strict=False)
              if before]
    return {"setup": setup.name, "requests": done, "errors": sum(chunks),
            "warm_rss_mib": warm, "final_rss_mib": final,
            "growth": max(growth, default=0.0), "peak_rss_mib": _peak_rss_mib(setup)}


def _worker_pids(setup: Setup) -> list[int]:
    """The workers of the setup's Python servers (not nginx's, Varnish's or wrk's)."""
    return [pid for server in setup.servers for pid in server.workers()]


def _workers_cpu(setup: Setup) -> dict[int, float]:
    """CPU seconds used so far by each worker of the setup's Python servers."""
    return {pid: cpu_seconds(pid) for pid in _worker_pids(setup)}


def cpu_per_request(before: dict[int, float], after: dict[int, float],
                    requests: int) -> float | None:
    """The workers' CPU per request served between the two readings, in µs: None without
    workers or requests, or when a worker was replaced in between (its time began again)."""
    if not before or before.keys() != after.keys() or requests <= 0:
        return None
    return (sum(after.values()) - sum(before.values())) / requests * 1e6


def _worker_rss_mib(setup: Setup) -> list[float]:
    return [round(rss_kib(pid) / 1024, 1) for pid in _worker_pids(setup)]


def _peak_rss_mib(setup: Setup) -> float | None:
    peaks = [peak_rss_kib(pid) for pid in _worker_pids(setup)]
    return round(max(peaks) / 1024, 1) if peaks else None


if __name__ == "__main__":
    sys.exit(main())
