"""What a failed fragment costs a reader: the shipped Varnish and nginx edge-include
configurations in front of a Forewarn that is up, stopped, hanging (accepts, never answers) or
answering 500, each page timed from the reader's side. Prints a Markdown table of the median and
95th percentile per edge and state, and the median added over the page with Forewarn up.

    .venv/bin/python -m bench.fallback_latency [REQUESTS]     # default 20 per edge and state

Sequential requests from one reader in Russia, on 127.0.0.1; not part of `make test` (which
only checks that the fallback arrives) nor of `make bench`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import urllib3

from tests.integration.conftest import EDGES, forewarn_env
from tests.integration.origin import Origin
from tests.integration.outage import ForewarnSlot, Mode
from tests.integration.servers import EdgeServer
from webapp.demo import ensure_demo_database

STATES: tuple[Mode, ...] = ("up", "stopped", "hanging", "error-500")
RUSSIA = "192.0.2.7"


def timed_page(edge: EdgeServer, path: str) -> float:
    """Milliseconds until the whole page has arrived."""
    start = time.perf_counter()
    response = urllib3.request("GET", edge.url + path, headers={"X-Forwarded-For": RUSSIA},
                               retries=False, timeout=30)
    elapsed = (time.perf_counter() - start) * 1000
    if b'<aside class="forewarn"' not in response.data:
        raise RuntimeError(f"{edge.name}: a page without a notice block")
    return elapsed


def measure(name: str, folder: Path, database: Path, count: int) -> dict[Mode, list[float]]:
    server_class, _binary = EDGES[name]
    fallback = folder / "fallback"
    slot = ForewarnSlot(folder, forewarn_env(database, fallback), ["--workers", "1"])
    origin = Origin("esi" if name == "varnish" else "ssi")
    slot.set("up")
    (folder / "edge").mkdir()
    edge = server_class(folder / "edge", origin, slot, fallback)
    try:
        times: dict[Mode, list[float]] = {}
        for state in STATES:
            slot.set(state)  # waits out Varnish's hold-down after refused connections
            timed_page(edge, "/articles/warm-up")  # the article is cached; connections made
            times[state] = [timed_page(edge, "/articles/latency") for _ in range(count)]
        return times
    finally:
        edge.stop()
        origin.stop()
        slot.stop()


def table(results: dict[str, dict[Mode, list[float]]]) -> str:
    lines = ["| edge | Forewarn | median ms | p95 ms | added (median) ms |",
             "|---|---|---:|---:|---:|"]
    for name, times in results.items():
        base = statistics.median(times["up"])
        for state, values in times.items():
            p95 = statistics.quantiles(values, n=20)[-1]
            added = statistics.median(values) - base
            lines.append(f"| {name} | {state} | {statistics.median(values):.1f} | {p95:.1f} | "
                         f"{'-' if state == 'up' else f'{added:+.1f}'} |")
    return "\n".join(lines)


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory(prefix="forewarn-fallback-latency-") as temporary:
        folder = Path(temporary)
        database = ensure_demo_database(folder / "demo-geo.mmdb")
        results = {}
        for name in EDGES:
            (folder / name).mkdir()
            results[name] = measure(name, folder / name, database, count)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
