"""Validators and HEAD under a real `forewarn serve --upstream` in front of an origin that
answers conditional requests itself (ETag "v1", a Last-Modified, 304 when they match), and
under the demo (the middleware over a Flask app), each on gunicorn and on granian. A browser
keeps a page and asks again with If-None-Match or If-Modified-Since: it may keep its copy (304)
only when that copy is the variant the reader would get now. A reader in Russia must never be
told to keep a copy without the notice: one fetched from abroad (a VPN), before a designation
began, or before a catalog change. HEAD gets the headers GET would."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from tests.integration.servers import SERVERS
from tests.integration.test_live_reload import until
from tests.integration.upstream import LAST_MODIFIED, Origin, start_proxy
from tests.support import ROOT, LiveServer

RUSSIA, GERMANY, BELARUS = "192.0.2.10", "198.51.100.10", "203.0.113.200"
PAGE, IMAGE = "/articles/validated", "/image-validated.png"
LATER = "Thu, 31 Dec 2026 23:59:59 GMT"  # after the origin's Last-Modified
BLOCK = b'<aside class="forewarn"'


pytestmark = pytest.mark.parametrize("forewarn_server", SERVERS, indirect=True)


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
          forewarn_server: str) -> Iterator[LiveServer]:
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("validators"),
                         server=forewarn_server)
    yield server
    server.stop()


def get(url: str, reader: str, method: str = "GET", **headers: str
        ) -> urllib3.BaseHTTPResponse:
    return urllib3.request(method, url, retries=False, redirect=False, timeout=10,
                           headers={"X-Forwarded-For": reader, **headers})


def test_a_copy_fetched_from_abroad_is_not_kept_by_a_reader_in_russia(proxy: LiveServer) -> None:
    """A VPN on, then off: the copy without the notice must be replaced."""
    abroad = get(proxy.url + PAGE, GERMANY)
    assert abroad.status == 200 and BLOCK not in abroad.data
    etag = abroad.headers["ETag"]
    again = get(proxy.url + PAGE, RUSSIA, **{"If-None-Match": etag})
    assert again.status == 200
    assert BLOCK in again.data and again.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert again.headers["ETag"] != etag


def test_if_modified_since_never_keeps_a_copy_without_the_notice(proxy: LiveServer) -> None:
    """A date says nothing about which notice set a copy was served with."""
    abroad = get(proxy.url + PAGE, GERMANY)
    assert "Last-Modified" not in abroad.headers  # nothing a browser could revalidate by date
    again = get(proxy.url + PAGE, RUSSIA, **{"If-Modified-Since": LATER})
    assert again.status == 200 and BLOCK in again.data


def test_the_origins_own_validator_gets_no_304_for_a_reader_whose_variant_has_a_notice(
    proxy: LiveServer,
) -> None:
    """A copy kept from before Forewarn, or from the origin directly, with the origin's ETag."""
    response = get(proxy.url + PAGE, RUSSIA, **{"If-None-Match": '"v1"'})
    assert response.status == 200 and BLOCK in response.data


@pytest.mark.parametrize("reader", [RUSSIA, GERMANY, BELARUS])
def test_a_reader_revalidating_their_own_variant_gets_304_with_its_headers(
    proxy: LiveServer, reader: str,
) -> None:
    first = get(proxy.url + PAGE, reader)
    assert first.status == 200
    etag = first.headers["ETag"]
    assert etag.startswith('W/"v1-')  # weak: the bytes are the origin's plus a block
    again = get(proxy.url + PAGE, reader, **{"If-None-Match": etag})
    assert again.status == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["X-Forewarn-Notices"] == first.headers["X-Forewarn-Notices"]
    assert "private" in again.headers["Cache-Control"]
    assert "Content-Length" not in again.headers or again.headers["Content-Length"] == "0"


def test_variants_of_different_notice_sets_have_different_validators(proxy: LiveServer) -> None:
    tags = {reader: get(proxy.url + PAGE, reader).headers["ETag"]
            for reader in (RUSSIA, GERMANY, BELARUS)}
    assert len(set(tags.values())) == 3, tags


def test_a_non_html_resource_is_still_answered_304_by_its_own_validators(
    proxy: LiveServer,
) -> None:
    first = get(proxy.url + IMAGE, RUSSIA)
    assert first.status == 200 and first.headers["ETag"] == '"img1"'
    assert get(proxy.url + IMAGE, RUSSIA, **{"If-None-Match": '"img1"'}).status == 304
    assert get(proxy.url + IMAGE, RUSSIA, **{"If-Modified-Since": LAST_MODIFIED}).status == 304
    assert get(proxy.url + IMAGE, RUSSIA, **{"If-None-Match": '"other"'}).status == 200


@pytest.mark.parametrize("reader", [RUSSIA, GERMANY])
def test_head_carries_the_headers_get_would(proxy: LiveServer, reader: str) -> None:
    body = get(proxy.url + PAGE, reader)
    head = get(proxy.url + PAGE, reader, method="HEAD")
    assert head.status == 200 and head.data == b""
    for name in ("Content-Length", "Cache-Control", "X-Forewarn-Notices", "ETag", "Content-Type",
                 "Onion-Location"):
        assert head.headers.get(name) == body.headers.get(name), name
    assert int(head.headers["Content-Length"]) == len(body.data)
    assert "Last-Modified" not in head.headers


def test_head_on_a_compressed_page_carries_the_notice_headers(proxy: LiveServer) -> None:
    body = get(proxy.url + "/articles/gzip", RUSSIA, **{"Accept-Encoding": "gzip"})
    head = get(proxy.url + "/articles/gzip", RUSSIA, "HEAD", **{"Accept-Encoding": "gzip"})
    assert head.status == 200 and head.data == b""
    assert head.headers["X-Forewarn-Notices"] == body.headers["X-Forewarn-Notices"]
    assert head.headers["Content-Encoding"] == "gzip"
    assert "private" in head.headers["Cache-Control"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, forewarn_server: str) -> Iterator[LiveServer]:
    server = LiveServer(["--demo", "--workers", "1", "--server", forewarn_server],
                        tmp_path_factory.mktemp("demo") / "forewarn.log")
    yield server
    server.stop()


def test_head_on_the_demo_behind_the_middleware(demo: LiveServer) -> None:
    url = demo.url + "/articles/library-winter"
    body = get(url, RUSSIA)
    head = get(url, RUSSIA, method="HEAD")
    assert head.headers["X-Forewarn-Notices"] == body.headers["X-Forewarn-Notices"]
    assert int(head.headers["Content-Length"]) == len(body.data)
    assert "private" in head.headers["Cache-Control"]


@pytest.fixture
def reloading(origin: Origin, demo_db: Path, tmp_path: Path, forewarn_server: str
              ) -> Iterator[tuple[LiveServer, Path]]:
    """A proxy whose catalog (a copy) is read again a tenth of a second after it changes; the
    Russian notice starts out with a designation date far ahead (not shown yet)."""
    catalog = tmp_path / "notices.toml"
    shutil.copyfile(ROOT / "catalog" / "mirrors.json", tmp_path / "mirrors.json")
    text = (ROOT / "catalog" / "notices.toml").read_text(encoding="utf-8")
    catalog.write_text(text.replace("since = 2024-02-20", "since = 2999-01-01", 1),
                       encoding="utf-8")
    server = start_proxy(origin.url, demo_db, tmp_path, server=forewarn_server,
                         catalog=str(catalog), reload_seconds="0.1")
    yield server, catalog
    server.stop()


def test_a_copy_from_before_a_designation_began_is_not_kept(
    reloading: tuple[LiveServer, Path], tmp_path: Path,
) -> None:
    server, catalog = reloading
    before = get(server.url + PAGE, RUSSIA)
    assert before.headers["X-Forewarn-Notices"] == "none"
    text = catalog.read_text(encoding="utf-8")
    (tmp_path / "new.toml").write_text(text.replace("since = 2999-01-01", "since = 2024-02-20"),
                                       encoding="utf-8")
    (tmp_path / "new.toml").replace(catalog)
    until(lambda r: r.headers["X-Forewarn-Notices"] == "ru-undesirable", server.url + PAGE)
    for _ in range(4):  # both workers
        after = get(server.url + PAGE, RUSSIA, **{"If-None-Match": before.headers["ETag"]})
        assert after.status == 200 and BLOCK in after.data


@pytest.mark.parametrize(("dest", "forwarded"), [
    ("image", True), ("style", True), ("script", True), ("font", True),
    ("document", False), ("iframe", False), ("empty", False), (None, False),
])
def test_only_a_subresources_validators_reach_the_origin(
    proxy: LiveServer, dest: str | None, forwarded: bool
) -> None:
    """An image revalidated by the browser is answered 304 by the origin without sending it
    whole; what may be a page never lets the origin see the reader's validators."""
    headers = {"If-None-Match": '"img1"', "If-Modified-Since": LAST_MODIFIED}
    if dest is not None:
        headers["Sec-Fetch-Dest"] = dest
    seen = json.loads(get(proxy.url + "/echo", RUSSIA, **headers).data)["headers"]
    assert ("if-none-match" in seen, "if-modified-since" in seen) == (forwarded, forwarded)
    image = get(proxy.url + IMAGE, RUSSIA,
                **{"If-None-Match": '"img1"', "Sec-Fetch-Dest": dest or "image"})
    assert image.status == 304
