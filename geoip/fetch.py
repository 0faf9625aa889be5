"""Download a real geo database (``forewarn geoip fetch``), check it, and put it in place
atomically, so that a running Forewarn reloads it and never sees half a file.

Sources:

- ``ip-location-db``: the CC0 npm package ``@ip-location-db/geo-whois-asn-country-mmdb``
  (country level, rebuilt daily), fetched with ``npm pack``;
- ``dbip-lite``: DB-IP's free City Lite database (CC BY 4.0), this month's file;
- ``maxmind``: GeoLite2-City, with the account id and licence key from the environment
  (``MAXMIND_ACCOUNT_ID``, ``MAXMIND_LICENSE_KEY``, as geoipupdate reads them).
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import urllib3

from geoip.database import GeoDatabase
from geoip.errors import FetchError, GeoDatabaseError, MissingCredentials

NPM_PACKAGE = "@ip-location-db/geo-whois-asn-country-mmdb"
DBIP_URL = "https://download.db-ip.com/free/dbip-city-lite-{month}.mmdb.gz"
MAXMIND_URL = "https://download.maxmind.com/geoip/databases/GeoLite2-City/download?suffix=tar.gz"
LIMIT = 512 * 1024 * 1024  # no database Forewarn reads is near this; a bigger answer is wrong


@dataclass(frozen=True)
class Fetched:
    path: Path
    source: str
    size: int


SOURCES = ("ip-location-db", "dbip-lite", "maxmind")


def fetch(source: str, dest: Path, environ: Mapping[str, str], url: str | None = None,
          today: datetime | None = None) -> Fetched:
    """Download ``source`` into the folder ``dest``; ``url`` replaces the publisher's address
    (a mirror, or a local server in tests). Raises FetchError; the old file stays on failure."""
    dest.mkdir(parents=True, exist_ok=True)
    if source == "ip-location-db":
        data, name = _npm(environ, url), "geo-whois-asn-country.mmdb"
    elif source == "dbip-lite":
        month = (today or datetime.now(UTC)).strftime("%Y-%m")
        data, name = _gunzip(_download(url or DBIP_URL.format(month=month))), "dbip-city-lite.mmdb"
    elif source == "maxmind":
        data, name = _untar(_download(url or MAXMIND_URL, _maxmind_auth(environ))), \
            "GeoLite2-City.mmdb"
    else:
        raise FetchError(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
    return Fetched(install(data, dest / name, source), source, len(data))


def install(data: bytes, target: Path, source: str) -> Path:
    """Write ``data`` next to ``target``, check it opens as a database, then rename it over
    ``target`` (atomic on one file system): readers see the old file or the new, never half."""
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.",
                                     suffix=".part", delete=False) as handle:
        temporary = Path(handle.name)
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    try:
        try:
            GeoDatabase(temporary).close()
        except GeoDatabaseError as error:
            reason = str(error).removeprefix(f"{temporary}: ")
            raise FetchError(f"{source}: the download is not a usable database: {reason}"
                             ) from None
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _download(url: str, headers: Mapping[str, str] | None = None) -> bytes:
    http = urllib3.PoolManager(retries=urllib3.Retry(total=2, backoff_factor=0.5,
                                                     status_forcelist=(500, 502, 503, 504)),
                               timeout=urllib3.Timeout(connect=15, read=120))
    try:
        response = http.request("GET", url, headers=dict(headers or {}), preload_content=False)
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{_public(url)}: cannot download: {error}") from None
    try:
        if response.status != 200:
            raise FetchError(f"{_public(url)}: the server answered {response.status}")
        data = response.read(LIMIT + 1)
    except urllib3.exceptions.HTTPError as error:
        raise FetchError(f"{_public(url)}: download cut: {error}") from None
    finally:
        response.release_conn()
    if len(data) > LIMIT:
        raise FetchError(f"{_public(url)}: larger than {LIMIT} bytes")
    return data


def _public(url: str) -> str:
    return url.split("?")[0]


def _gunzip(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError) as error:
        raise FetchError(f"dbip-lite: the download is not a gzip file: {error}") from None


def _untar(data: bytes) -> bytes:
    """The .mmdb inside MaxMind's tar.gz (GeoLite2-City_YYYYMMDD/GeoLite2-City.mmdb)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for member in archive:
                if member.isfile() and member.name.endswith(".mmdb"):
                    extracted = archive.extractfile(member)
                    if extracted is not None:
                        return extracted.read()
    except (tarfile.TarError, OSError, EOFError) as error:
        raise FetchError(f"maxmind: the download is not a tar.gz archive: {error}") from None
    raise FetchError("maxmind: the archive holds no .mmdb file")


def _maxmind_auth(environ: Mapping[str, str]) -> dict[str, str]:
    account, key = environ.get("MAXMIND_ACCOUNT_ID"), environ.get("MAXMIND_LICENSE_KEY")
    if not account or not key:
        raise MissingCredentials("maxmind: set MAXMIND_ACCOUNT_ID and MAXMIND_LICENSE_KEY (a free "
                                 "GeoLite2 account at maxmind.com gives both)")
    return urllib3.make_headers(basic_auth=f"{account}:{key}")


def _npm(environ: Mapping[str, str], registry: str | None) -> bytes:
    npm = shutil.which("npm", path=environ.get("PATH"))
    if npm is None:
        raise FetchError("ip-location-db: npm not found (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory(prefix="forewarn-fetch-") as folder:
        command = [npm, "pack", NPM_PACKAGE, "--pack-destination", folder, "--loglevel", "error"]
        if registry:
            command += ["--registry", registry]
        env = {**environ, "npm_config_update_notifier": "false"}
        done = subprocess.run(  # noqa: S603 - npm with fixed arguments
            command, cwd=folder, capture_output=True, text=True, timeout=600, env=env,
            check=False)
        if done.returncode != 0:
            lines = [line for line in done.stderr.splitlines() if line.strip()]
            reason = next((line for line in lines if "ERR" in line.upper() and "log" not in line),
                          lines[0] if lines else "no message")
            raise FetchError(f"ip-location-db: npm pack failed: {reason.strip()}")
        tarballs = list(Path(folder).glob("*.tgz"))
        if not tarballs:
            raise FetchError("ip-location-db: npm pack wrote no tarball")
        with tarfile.open(tarballs[0], "r:gz") as archive:
            try:
                member = archive.extractfile("package/geo-whois-asn-country.mmdb")
            except KeyError:
                member = None
            if member is None:
                raise FetchError("ip-location-db: the package holds no "
                                 "geo-whois-asn-country.mmdb")
            return member.read()
