"""`make soak`: wrk at saturation against the middleware and the proxy, readers from several
jurisdictions, and the checks that matter when it is over: no non-2xx answer, no wrong notice in
the responses sampled during the run, worker memory flat after warm-up, and no reader data in
any log line (access log on, debug level). Exits 1 when any check fails.

    SOAK_SECONDS=60 python bench/soak.py      # what `make soak` runs
"""

from __future__ import annotations

import http.server
import os
import re
import shutil
import string
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from typing import ClassVar

import urllib3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support import LiveServer, free_port  # noqa: E402

ARTICLE = "/articles/library-winter"  # English: the notices are those of the reader's place
# The demo database's documentation addresses, and what each reader must get (README, demo).
READERS = {
    "192.0.2.10": "ru-undesirable",  # Russia
    "203.0.113.7": "ru-undesirable",  # Ukraine, UA-43 (Crimea)
    "198.51.100.10": "none",  # Germany
    "198.51.100.70": "none",  # United States
    "198.51.100.130": "ir-hostile-media",  # Iran
}
ACCEPT_LANGUAGE = "ru-RU,ru;q=0.9,en;q=0.5"
# What must never appear in a log line: the addresses, and the places and languages they mean.
SECRETS = [*READERS, "UA-43", ACCEPT_LANGUAGE, "ru-RU"]
LUA = string.Template("""
local readers = {$readers}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", nil, {["X-Forwarded-For"] = readers[(i % #readers) + 1],
                                 ["Accept-Language"] = "$language"})
end
""").substitute(readers=", ".join(f'"{ip}"' for ip in READERS), language=ACCEPT_LANGUAGE)


def main() -> int:
    seconds = int(os.environ.get("SOAK_SECONDS", "60"))
    wrk = shutil.which("wrk")
    if wrk is None:
        print("soak: wrk not found (Debian: apt-get install wrk)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="forewarn-soak-") as folder:
        work = Path(folder)
        (work / "readers.lua").write_text(LUA)
        failures: list[str] = []
        demo = LiveServer(["--demo", "--workers", "2", "--access-log", "-",
                           "--log-level", "debug"], work / "middleware.log")
        try:
            failures += soak("middleware", demo, wrk, work, seconds)
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
            failures += soak("proxy", proxy, wrk, work, seconds)
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
    extensions_map: ClassVar[dict[str, str]] = {"": "text/html; charset=utf-8"}

    def log_message(self, format: str, *args: object) -> None:
        pass


HTTP = urllib3.PoolManager(retries=False, timeout=30)


def fetch(url: str, reader: str) -> bytes:
    return bytes(HTTP.request("GET", url, headers={"X-Forwarded-For": reader}).data)


def notices_for(url: str, reader: str) -> str:
    response = HTTP.request("GET", url, headers={"X-Forwarded-For": reader,
                                                 "Accept-Language": ACCEPT_LANGUAGE})
    return f"{response.status} " + str(response.headers.get("X-Forewarn-Notices"))


def soak(name: str, server: LiveServer, wrk: str, work: Path, seconds: int) -> list[str]:
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
            rss.append(sum(worker_rss(pid) for pid in workers(server)))
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    command = [wrk, "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", str(work / "readers.lua"),
               url]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    done.set()
    sampler.join(timeout=30)
    print(f"--- {name}\n{result.stdout}")
    requests = re.search(r"(\d+) requests in", result.stdout)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", result.stdout)
    errors = re.search(r"Socket errors: (.*)", result.stdout)
    if result.returncode != 0 or requests is None:
        failures.append(f"{name}: wrk failed: {result.stderr.strip()}")
    if non_2xx:
        failures.append(f"{name}: {non_2xx.group(1)} non-2xx responses")
    if errors:
        failures.append(f"{name}: socket errors: {errors.group(1)}")
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


def workers(server: LiveServer) -> list[int]:
    master = server.process.pid
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


def worker_rss(pid: int) -> int:
    """Resident set size of a process, in KiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith("VmRSS:")), 0)


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
