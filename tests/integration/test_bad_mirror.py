"""A bad mirror URL must never take a page down for the readers it is meant for. Under a real
`forewarn serve --upstream` (gunicorn) that reloads its catalog, the mirror list is rewritten
while serving with an onion address holding a non-ASCII path (it is percent-encoded) and one
holding a CR/LF (it is refused, the last good list stays): readers in Belarus keep getting their
page with its notice, never a 500, and the log holds no query of theirs."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import urllib3

from tests.integration.upstream import Origin, start_proxy
from tests.support import ROOT, LiveServer

BELARUS = "203.0.113.200"
ONION = "http://exampleradio5xq2mirrorsb7vf4ncm3o2hjkdw6ylhq7trzcqwmvf3vnpad.onion"
ARTICLE = "/articles/plain?reader-query=secret-4711"


@pytest.fixture
def served(demo_db: Path, tmp_path: Path) -> Iterator[tuple[LiveServer, Path]]:
    origin = Origin()
    shutil.copyfile(ROOT / "catalog" / "notices.toml", tmp_path / "notices.toml")
    mirrors = tmp_path / "mirrors.json"
    shutil.copyfile(ROOT / "catalog" / "mirrors.json", mirrors)
    server = start_proxy(origin.url, demo_db, tmp_path, catalog=str(tmp_path / "notices.toml"),
                         reload_seconds="0.1")
    yield server, mirrors
    server.stop()
    origin.stop()


def with_onion(mirrors: Path, url: str) -> None:
    document = json.loads(mirrors.read_text(encoding="utf-8"))
    document["sites"][0]["available_alternatives"][1]["url"] = url
    fresh = mirrors.with_name("fresh.json")
    fresh.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    fresh.replace(mirrors)


def belarus(server: LiveServer) -> urllib3.BaseHTTPResponse:
    return urllib3.request("GET", server.url + ARTICLE, headers={"X-Forwarded-For": BELARUS},
                           retries=False, timeout=10)


def until(condition: Callable[[urllib3.BaseHTTPResponse], bool], url: str,
          reader: str = BELARUS) -> None:
    """Poll ``url`` as ``reader`` until ``condition`` holds 10 times in a row (both workers)."""
    streak = 0
    for _ in range(400):
        response = urllib3.request("GET", url, headers={"X-Forwarded-For": reader},
                                   retries=False, timeout=10)
        streak = streak + 1 if condition(response) else 0
        if streak == 10:
            return
        time.sleep(0.02)
    raise AssertionError(f"{url}: not seen 10 times in a row")


def test_a_bad_mirror_url_written_while_serving_never_gives_readers_an_error(
    served: tuple[LiveServer, Path],
) -> None:
    server, mirrors = served
    assert belarus(server).headers["X-Forewarn-Notices"] == "by-extremist"

    with_onion(mirrors, f"{ONION}/новости/")
    encoded = f"{ONION}/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/articles/plain"
    until(lambda r: r.status != 200 or r.headers.get("Onion-Location", "").startswith(encoded),
          server.url + ARTICLE)
    for _ in range(6):  # both workers
        response = belarus(server)
        assert response.status == 200
        assert response.headers["X-Forewarn-Notices"] == "by-extremist"
        assert response.headers["Onion-Location"] == encoded + "?reader-query=secret-4711"

    with_onion(mirrors, f"{ONION}/a\r\nSet-Cookie: stolen=1")
    until(lambda r: r.json()["status"] == "degraded", server.url + "/_forewarn/healthz")
    for _ in range(6):
        response = belarus(server)
        assert response.status == 200 and "Set-Cookie" not in response.headers
        assert response.headers["X-Forewarn-Notices"] == "by-extremist"
        assert b'class="forewarn"' in response.data
    log = server.log_path.read_text()
    assert "secret-4711" not in log and "Traceback" not in log
