"""The preview on a real `forewarn serve --upstream` (gunicorn, two workers) with a preview token:
a link made by the real `forewarn preview --link` opens it, every URL the page leads to works
with the link's signature, and without token or link it is not there."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from urllib3 import HTTPHeaderDict

from tests.integration.upstream import Origin
from tests.support import ROOT, LiveServer

TOKEN = "live-preview-token-5678"
FOREWARN = Path(sys.executable).with_name("forewarn")


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def environ(demo_db: Path) -> dict[str, str]:
    return {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
            "FOREWARN_GEOIP_DBS": str(demo_db), "FOREWARN_PREVIEW_TOKEN": TOKEN}


@pytest.fixture(scope="module")
def site(origin: Origin, environ: dict[str, str], tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[LiveServer]:
    server = LiveServer(["--upstream", origin.url, "--workers", "2"],
                        tmp_path_factory.mktemp("preview-live") / "forewarn.log", env=environ)
    yield server
    server.stop()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, HTTPHeaderDict, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            headers = HTTPHeaderDict(response.headers.items())
            return response.status, headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, HTTPHeaderDict(error.headers.items()), error.read().decode()


def make_link(environ: dict[str, str], *argv: str) -> str:
    done = subprocess.run([str(FOREWARN), "preview", "--link", *argv], capture_output=True,
                          text=True, env={**os.environ, **environ}, timeout=60, check=False)
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout.strip()


def test_without_token_or_link_the_preview_is_not_there(site: LiveServer) -> None:
    for path in ("/_forewarn/preview", "/_forewarn/preview/matrix.csv",
                 "/_forewarn/preview/page?country=RU&path=/articles/plain"):
        assert get(site.url + path)[0] == 404
        assert get(site.url + path, {"Authorization": "Bearer nope"})[0] == 404
    assert get(site.url + "/_forewarn/preview?sig=60.AAAAAA.forged")[0] == 404


def test_the_bearer_token_opens_it(site: LiveServer, origin: Origin) -> None:
    status, headers, page = get(f"{site.url}/_forewarn/preview?path={origin.url}/articles/plain",
                                {"Authorization": f"Bearer {TOKEN}"})
    assert status == 200 and "Set-Cookie" not in headers
    assert '<code class="pv-path">/articles/plain</code>' in page  # the origin's URL, as a path


def test_a_link_from_the_command_line_opens_every_view_it_leads_to(
    site: LiveServer, environ: dict[str, str]
) -> None:
    link = make_link(environ, "--path", "/articles/plain", "--ttl", "300", "--base", site.url)
    sig = re.search(r"sig=([^&]+)", link)
    assert link.startswith(f"{site.url}/_forewarn/preview?path=%2Farticles%2Fplain&sig=") and sig
    status, headers, page = get(link)
    assert status == 200 and "Set-Cookie" not in headers
    urls = {html.unescape(u) for u in re.findall(r'(?:src|href)="(/_forewarn/preview[^"]*)"', page)}
    assert len(urls) == 3 + 8  # three views and a frame per place (each frame's "open" is its src)
    notices = {}
    for url in urls:
        framed = url.startswith("/_forewarn/preview/page")
        # a framed article carries a frame's own signature, never the link's (issue 15, item 10)
        assert (f"sig={sig.group(1)}" in url) is not framed, url
        status, headers, body = get(site.url + url)
        assert status == 200, url
        assert ("<h1>Plain</h1>" in body) == framed, url
        notices[url.split("&sig=")[0]] = headers.get("X-Forewarn-Notices")
    assert notices["/_forewarn/preview/page?country=RU&path=/articles/plain"] == "ru-undesirable"
    assert notices["/_forewarn/preview/page?country=DE&path=/articles/plain"] == "none"
    tampered = link[:-3] + ("xyz" if not link.endswith("xyz") else "abc")
    assert get(tampered)[0] == 404
