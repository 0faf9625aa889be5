"""`make soak`: wrk at saturation against the middleware and the proxy, readers from several
jurisdictions, and the checks that matter when it is over: no non-2xx answer, no wrong notice in
the responses sampled during the run, worker memory flat after warm-up, and no reader data in
any log line (access log on, debug level). Exits 1 when any check fails.

    SOAK_SECONDS=60 python -m bench.soak      # what `make soak` runs
"""

from __future__ import annotations

import http.server
import os
import shutil
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.servers import children, rss_kib  # noqa: E402
from bench.wrk import WrkError, run_wrk  # noqa: E402
from tests.support import LiveServer, free_port  # noqa: E402

ARTICLE = "/articles/library-winter"  # English: the notices are those of the reader's place
# The demo database's documentation addresses, and what each reader must get (README, demo).
READERS = {
    "192.0.2.10": "ru-undesirable",  # Russia
    "203.0.113.7": "ru-undesirable",  # Ukraine, UA-43 (Crimea)
    "203.0.113.200": "by-extremist",  # Belarus
    "198.51.100.10": "none",  # Germany
    "198.51.100.70": "none",  # United States
    "198.51.100.130": "ir-hostile-media",  # Iran
}
ACCEPT_LANGUAGE = "ru-RU,ru;q=0.9,en;q=0.5"
# What must never appear in a log line: the addresses, and the places and languages they mean.
SECRETS = [*READERS, "UA-43", ACCEPT_LANGUAGE, "ru-RU"]


def main() -> int:
    seconds = int(os.environ.get("SOAK_SECONDS", "60"))
    if shutil.which("wrk") is None:
        print("soak: wrk not found (Debian: apt-get install wrk)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="forewarn-soak-") as folder:
        work = Path(folder)
        failures: list[str] = []
        demo = LiveServer(["--demo", "--workers", "2", "--access-log", "-",
                           "--log-level", "debug"], work / "middleware.log")
        try:
            failures += soak("middleware", demo, seconds)
            origin_dir = work / "origin" / "articles"
            origin_dir.mkdir(parents=True)
            page = fetch(demo.url + ARTICLE, "198.51.100.10")  # as served with no notice
            (origin_dir / "library-winter").write_bytes(page)
        finally:
            demo.stop()
        failures += check_logs("middleware", work / "middleware.log")
        origin = start_origin(work / "origin")
        proxy = LiveServer(["--upstream", f"http://127.0.0.1:{origin.server_port}", "--workers",
                            "2", "--access-log", "-", "--log-level", "debug"],
                           work / "proxy.log", env={**demo_env(), "FOREWARN_TRUSTED_PROXIES":
                                                    "127.0.0.1/32"})
        try:
            failures += soak("proxy", proxy, seconds)
        finally:
            proxy.stop()
            origin.shutdown()
        failures += check_logs("proxy", work / "proxy.log")
    for failure in failures:
        print(f"soak: FAILED: {failure}", file=sys.stderr)
    print("soak: " + ("all checks passed" if not failures else f"{len(failures)} failed"))
    return 1 if failures else 0


def demo_env() -> dict[str, str]:
    from webapp.demo import ensure_demo_database

    database = ensure_demo_database(ROOT / "var" / "demo-geo.mmdb")
    return {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
            "FOREWARN_GEOIP_DBS": str(database)}


def start_origin(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {"": "text/html; charset=utf-8"}  # noqa: RUF012 - the base class's own

    def log_message(self, format: str, *args: object) -> None:
        pass


HTTP = urllib3.PoolManager(retries=False, timeout=30)


def fetch(url: str, reader: str) -> bytes:
    return bytes(HTTP.request("GET", url, headers={"X-Forwarded-For": reader}).data)


def notices_for(url: str, reader: str) -> str:
    response = HTTP.request("GET", url, headers={"X-Forwarded-For": reader,
                                                 "Accept-Language": ACCEPT_LANGUAGE})
    return f"{response.status} " + str(response.headers.get("X-Forewarn-Notices"))


def soak(name: str, server: LiveServer, seconds: int) -> list[str]:
    """Run wrk for ``seconds`` while sampling answers and worker memory; the failures."""
    url = server.url + ARTICLE
    failures: list[str] = []
    wrong: list[str] = []
    samples = 0
    rss: list[int] = []
    done = threading.Event()

    def sample() -> None:
        nonlocal samples
        while not done.is_set():
            for reader, expected in READERS.items():
                got = notices_for(url, reader)
                samples += 1
                if got != f"200 {expected}":
                    wrong.append(f"{reader}: {got}, expected {expected}")
            rss.append(sum(rss_kib(pid) for pid in children(server.process.pid)))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    print(f"--- {name}")
    try:
        result = run_wrk(url, list(READERS), seconds, connections=32, threads=2,
                         headers={"Accept-Language": ACCEPT_LANGUAGE}, echo=True)
    except WrkError as error:
        failures.append(f"{name}: {error}")
    else:
        if result.errors["status"]:
            failures.append(f"{name}: {result.errors['status']} non-2xx responses")
        socket_errors = {kind: count for kind, count in result.errors.items()
                         if count and kind != "status"}
        if socket_errors:
            failures.append(f"{name}: socket errors: {socket_errors}")
    finally:
        done.set()
        sampler.join(timeout=30)
    if wrong:
        failures.append(f"{name}: {len(wrong)} wrong notices of {samples}, e.g. {wrong[0]}")
    warm = rss[len(rss) // 4:]  # the first quarter is warm-up
    growth = (max(warm) - warm[0]) / warm[0] if warm else 0.0
    print(f"{name}: {samples} sampled answers, {len(wrong)} wrong; worker RSS after warm-up "
          f"{warm[0] // 1024 if warm else 0} -> {max(warm) // 1024 if warm else 0} MiB "
          f"(+{growth:.1%})")
    if growth > 0.10:
        failures.append(f"{name}: worker RSS grew {growth:.1%} after warm-up")
    return failures


def check_logs(name: str, log: Path) -> list[str]:
    lines = log.read_text(errors="replace").splitlines()
    leaks = [line for line in lines if any(secret in line for secret in SECRETS)]
    print(f"{name}: {len(lines)} log lines (access log on, debug level), {len(leaks)} with "
          "reader data")
    return [f"{name}: reader data in the log: {leaks[0]!r}"] if leaks else []


if __name__ == "__main__":
    started = time.monotonic()
    status = main()
    print(f"soak: {time.monotonic() - started:.0f} s")
    sys.exit(status)
