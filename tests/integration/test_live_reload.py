"""Reload under a real `forewarn serve` (2 workers, on gunicorn and on granian) while readers
keep coming: the database and the catalog are replaced, broken, deleted and restored, no request
fails, and none sees half a reload (a decision from one catalog version in the words of
another)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from geoip.build import build_database
from tests.integration.servers import SERVERS
from tests.support import ROOT, LiveServer

RUSSIA = "192.0.2.10"
NEW_TITLE = "Example Radio, version two"
BLOCK = re.compile(r'data-forewarn="([^"]*)"|<h2 class="forewarn-title">([^<]*)</h2>')


def answer(response: urllib3.BaseHTTPResponse) -> str:
    """What one reader got: status, the notice header, and the ids and the first title in the
    block. An edited catalog renames the notice and retitles it together, so an id from one
    version beside a title from the other is a request that saw half a reload."""
    header = response.headers.get("X-Forewarn-Notices")
    ids = title = ""
    for found_ids, found_title in BLOCK.findall(response.data.decode()):
        ids, title = ids or found_ids, title or found_title
    version = "v2" if NEW_TITLE in title else "v1" if title else "-"
    return f"{response.status} {header} [{ids or 'none'}] {version}"


class Readers:
    """Requests as a reader in Russia, from a thread, until stopped: what each one got."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pool = urllib3.PoolManager(retries=False, timeout=10)
        while not self._stop.is_set():
            try:
                response = pool.request("GET", f"{self.url}/_forewarn/fragment?path=/a&lang=en",
                                        headers={"X-Forwarded-For": RUSSIA})
                self.seen[answer(response)] += 1
            except urllib3.exceptions.HTTPError as error:
                self.seen[f"error {type(error).__name__}"] += 1

    def stop(self) -> Counter[str]:
        self._stop.set()
        self._thread.join(timeout=20)
        return self.seen


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path: Path, demo_db: Path
           ) -> Iterator[tuple[LiveServer, Path, Path]]:
    catalog, database = tmp_path / "notices.toml", tmp_path / "geo.mmdb"
    shutil.copyfile(ROOT / "catalog" / "notices.toml", catalog)
    shutil.copyfile(ROOT / "catalog" / "mirrors.json", tmp_path / "mirrors.json")
    shutil.copyfile(demo_db, database)
    env = {"FOREWARN_CATALOG": str(catalog), "FOREWARN_GEOIP_DBS": str(database),
           "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32", "FOREWARN_RELOAD_SECONDS": "0.1"}
    live = LiveServer(["--workers", "2", "--server", request.param], tmp_path / "forewarn.log",
                      env=env)
    yield live, catalog, database
    live.stop()


def until(condition: object, url: str, attempts: int = 400) -> None:
    """Poll ``url`` until ``condition(response)`` holds for 10 answers in a row (both workers)."""
    pool = urllib3.PoolManager(retries=False, timeout=10)
    streak, seen = 0, Counter[str]()
    for _ in range(attempts):
        response = pool.request("GET", url, headers={"X-Forwarded-For": RUSSIA})
        seen[f"{response.status} {response.headers.get('X-Forewarn-Notices')} "
             f"{response.data[:40]!r}"] += 1
        streak = streak + 1 if condition(response) else 0  # type: ignore[operator]
        if streak == 10:
            return
        threading.Event().wait(0.02)
    raise AssertionError(f"{url}: not seen 10 times in a row in {attempts} requests: {seen}")


def test_files_replaced_broken_deleted_and_restored_under_load_fail_no_request(
    server: tuple[LiveServer, Path, Path], tmp_path: Path
) -> None:
    live, catalog, database = server
    fragment, health = f"{live.url}/_forewarn/fragment?path=/a", f"{live.url}/_forewarn/healthz"
    good = database.read_bytes()
    readers = Readers(live.url)
    try:
        moved = tmp_path / "moved.csv"
        moved.write_text("network,country,region,asn\n192.0.2.0/24,DE,,\n")
        build_database(moved, tmp_path / "moved.mmdb")
        os.replace(tmp_path / "moved.mmdb", database)
        until(lambda r: r.headers["X-Forewarn-Notices"] == "none", fragment)

        (tmp_path / "cut.mmdb").write_bytes(good[: len(good) // 3])
        os.replace(tmp_path / "cut.mmdb", database)
        until(lambda r: r.json()["status"] == "degraded", health)
        until(lambda r: r.headers["X-Forewarn-Notices"] == "none", fragment)  # last good kept

        (tmp_path / "good.mmdb").write_bytes(good)
        os.replace(tmp_path / "good.mmdb", database)
        until(lambda r: r.json()["status"] == "ok", health)
        until(lambda r: r.headers["X-Forewarn-Notices"] == "ru-undesirable", fragment)

        database.unlink()  # deleted: the last good one goes on serving
        until(lambda r: r.json()["status"] == "degraded", health)
        until(lambda r: r.headers["X-Forewarn-Notices"] == "ru-undesirable", fragment)
        (tmp_path / "back.mmdb").write_bytes(good)
        os.replace(tmp_path / "back.mmdb", database)
        until(lambda r: r.json()["status"] == "ok", health)

        text = catalog.read_text(encoding="utf-8")
        (tmp_path / "bad.toml").write_text(text.replace("schema = 1", "schema = = 1"))
        os.replace(tmp_path / "bad.toml", catalog)
        until(lambda r: r.json()["status"] == "degraded", health)
        edited = text.replace('id = "ru-undesirable"', 'id = "ru-undesirable-v2"').replace(
            "Example Radio is an “undesirable organization” in Russia", NEW_TITLE)
        (tmp_path / "edited.toml").write_text(edited)
        os.replace(tmp_path / "edited.toml", catalog)
        until(lambda r: r.headers["X-Forewarn-Notices"] == "ru-undesirable-v2", fragment)
        until(lambda r: r.json()["status"] == "ok", health)
    finally:
        seen = readers.stop()
    assert set(seen) <= {"200 ru-undesirable [ru-undesirable] v1", "200 none [none] -",
                         "200 ru-undesirable-v2 [ru-undesirable-v2] v2"}, seen
    assert seen["200 ru-undesirable [ru-undesirable] v1"] > 0, seen  # the block was read
    assert sum(seen.values()) > 50
    log = live.log_path.read_text()
    assert "Traceback" not in log and RUSSIA not in log


def _workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_a_worker_started_while_the_catalog_is_broken_serves_the_last_good_one(
    server: tuple[LiveServer, Path, Path], tmp_path: Path
) -> None:
    """A worker killed (a crash, gunicorn's timeout, the OOM killer) while an editor's catalog is
    broken: the server starts another, which must not fail to boot (gunicorn then stops
    altogether) but serve the last good notices, degraded."""
    live, catalog, _ = server
    fragment, health = f"{live.url}/_forewarn/fragment?path=/a", f"{live.url}/_forewarn/healthz"
    (tmp_path / "bad.toml").write_text("schema = 2\n")
    os.replace(tmp_path / "bad.toml", catalog)
    until(lambda r: r.json()["status"] == "degraded", health)
    before = _workers(live.process.pid)
    assert len(before) == 2, before
    os.kill(min(before), signal.SIGKILL)
    for _ in range(300):
        now = _workers(live.process.pid)
        if len(now) == 2 and now != before:
            break
        threading.Event().wait(0.05)  # waiting for gunicorn to start a worker, not measuring
    assert len(now) == 2 and now != before, (now, live.log_path.read_text())
    until(lambda r: r.headers["X-Forewarn-Notices"] == "ru-undesirable", fragment)
    until(lambda r: r.json()["status"] == "degraded", health)
    assert live.process.poll() is None
    log = live.log_path.read_text()
    assert "Worker failed to boot" not in log and "Traceback" not in log
    assert "starting with the version loaded at" in log
