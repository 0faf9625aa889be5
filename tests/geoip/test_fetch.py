"""`forewarn geoip fetch`: DB-IP's and MaxMind's downloads from a local server standing in for
the publishers (their URLs cannot be reached here), and one real download from npm."""

from __future__ import annotations

import base64
import gzip
import io
import json
import shutil
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from tests.support import MakeMmdb, ThreadedApp
from webapp.cli import main

CREDENTIALS = {"MAXMIND_ACCOUNT_ID": "12345", "MAXMIND_LICENSE_KEY": "secret"}


class Publisher(ThreadedApp):
    """Serves whatever ``files[path]`` holds; MaxMind's path asks for basic auth."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        expected = "Basic " + base64.b64encode(b"12345:secret").decode()
        if request.path.startswith("/maxmind") and request.headers.get("Authorization") != \
                expected:
            return Response("unauthorized", 401)(environ, start_response)
        body = self.files.get(request.path)
        response = Response(body, 200) if body is not None else Response("missing", 404)
        return response(environ, start_response)


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    server = Publisher()
    yield server
    server.stop()


@pytest.fixture
def database(make_mmdb: MakeMmdb) -> bytes:
    path = make_mmdb("real.mmdb", {"192.0.2.0/24": {"country": {"iso_code": "RU"}}})
    return path.read_bytes()


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    folder = tmp_path / "geo"
    folder.mkdir()
    return folder


def tar_gz(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        member = tarfile.TarInfo(name)
        member.size = len(data)
        archive.addfile(member, io.BytesIO(data))
    return buffer.getvalue()


def run(*args: str) -> int:
    return main(["geoip", "fetch", *args])


def test_dbip_lite_is_unpacked_checked_and_put_in_place(
    publisher: Publisher, database: bytes, dest: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publisher.files["/dbip.mmdb.gz"] = gzip.compress(database)
    assert run("--source", "dbip-lite", "--dest", str(dest),
               "--url", f"{publisher.url}/dbip.mmdb.gz") == 0
    assert (dest / "dbip-city-lite.mmdb").read_bytes() == database
    assert "dbip-city-lite.mmdb: dbip-lite" in capsys.readouterr().out
    assert [p.name for p in dest.iterdir()] == ["dbip-city-lite.mmdb"]  # no leftovers


def test_maxmind_sends_the_credentials_and_takes_the_mmdb_from_the_archive(
    publisher: Publisher, database: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publisher.files["/maxmind"] = tar_gz("GeoLite2-City_20261124/GeoLite2-City.mmdb", database)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    assert run("--source", "maxmind", "--dest", str(tmp_path),
               "--url", f"{publisher.url}/maxmind") == 0
    assert (tmp_path / "GeoLite2-City.mmdb").read_bytes() == database


def test_maxmind_without_credentials_is_a_usage_error_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in CREDENTIALS:
        monkeypatch.delenv(name, raising=False)
    assert run("--source", "maxmind", "--dest", str(tmp_path)) == 2
    error = capsys.readouterr().err
    assert "MAXMIND_ACCOUNT_ID" in error and "MAXMIND_LICENSE_KEY" in error


@pytest.mark.parametrize(("served", "problem"), [
    (None, "answered 404"),
    (b"not gzip at all", "not a gzip file"),
    (gzip.compress(b"not a database" * 50), "not a usable database"),
    ("truncated", "not a usable database"),
], ids=["404", "not-gzip", "not-a-database", "truncated"])
def test_a_bad_download_leaves_the_old_file_and_says_why(
    publisher: Publisher, database: bytes, dest: Path, capsys: pytest.CaptureFixture[str],
    served: bytes | str | None, problem: str,
) -> None:
    old = dest / "dbip-city-lite.mmdb"
    old.write_bytes(database)
    if served == "truncated":
        served = gzip.compress(database[: len(database) // 2])
    if isinstance(served, bytes):
        publisher.files["/dbip.mmdb.gz"] = served
    assert run("--source", "dbip-lite", "--dest", str(dest),
               "--url", f"{publisher.url}/dbip.mmdb.gz") == 1
    error = capsys.readouterr().err.strip()
    assert problem in error and len(error.splitlines()) == 1
    assert old.read_bytes() == database
    assert [p.name for p in dest.iterdir()] == ["dbip-city-lite.mmdb"]


@pytest.mark.network
def test_a_real_download_from_npm_places_a_yandex_address_in_russia(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm not installed: `apt-get install npm` to run the real download")
    assert run("--source", "ip-location-db", "--dest", str(tmp_path)) == 0
    capsys.readouterr()
    database = tmp_path / "geo-whois-asn-country.mmdb"
    assert main(["geoip", "info", str(database)]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == "ip-location-db"
    from geoip.locator import Locator

    with Locator([database]) as locator:
        assert locator.locate("77.88.55.88").country == "RU"  # yandex.ru
        assert locator.locate("2a02:6b8::1").country == "RU"
        assert locator.locate("8.8.8.8").country == "US"
