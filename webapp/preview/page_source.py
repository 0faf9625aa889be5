"""The page ``forewarn preview`` shows: a local file, or a URL fetched once from its origin, held
in memory and handed to the middleware as a small WSGI app (so it takes the readers' code path)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError
from werkzeug.http import is_hop_by_hop_header

from webapp.errors import PreviewFailed, UsageError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

FILE_ORIGIN = "http://forewarn.invalid"  # a local file stands here (.invalid never resolves)
MAX_REDIRECTS = 5
_DROPPED = {"content-length", "content-encoding", "set-cookie"}  # the body is held decoded


@dataclass(frozen=True)
class SourcePage:
    """A page as its origin gave it (decoded), and where it stands."""

    url: str
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    folder: Path | None = None  # a local file's folder

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse
                 ) -> Iterable[bytes]:
        """The WSGI app: this page, whatever is asked."""
        start_response(self.status, [*self.headers, ("Content-Length", str(len(self.body)))])
        return [self.body]


def from_file(path: Path) -> SourcePage:
    try:
        body = path.read_bytes()
    except OSError as error:
        raise UsageError(f"--file: cannot read {path}: {error.strerror or error}") from None
    return SourcePage(f"{FILE_ORIGIN}/{quote(path.name)}", "200 OK",
                      (("Content-Type", "text/html"),), body, path.parent)


def from_url(url: str, timeout: float) -> SourcePage:
    """GET ``url``, following redirects on the same origin only; refuses anything but a 200."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        raise UsageError(f"--url: {url!r} must be an http(s) URL with a host and no user name")
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=timeout, read=timeout),
                               retries=False)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    for _ in range(MAX_REDIRECTS + 1):
        response = _get(pool, url)
        location = response.headers.get("Location")
        if response.status not in (301, 302, 303, 307, 308) or not location:
            break
        url = urljoin(url, location)
        target = urlsplit(url)
        if f"{target.scheme}://{target.netloc}".lower() != origin:
            raise PreviewFailed(f"--url: redirects to another site ({target.netloc}); "
                                "give that URL if it is yours")
    else:
        raise PreviewFailed(f"--url: more than {MAX_REDIRECTS} redirects")
    if response.status != 200:
        raise PreviewFailed(f"--url: {url}: the origin answered {response.status} "
                            f"{response.reason or ''}".rstrip())
    headers = tuple((name, value) for name, value in response.headers.iteritems()
                    if name.lower() not in _DROPPED and not is_hop_by_hop_header(name))
    return SourcePage(url, "200 OK", headers, response.data)


def _get(pool: urllib3.PoolManager, url: str) -> urllib3.BaseHTTPResponse:
    try:
        return pool.request("GET", url, redirect=False,
                            headers={"Accept": "text/html", "Accept-Encoding": "gzip, deflate"})
    except HTTPError as error:
        reason = str(error).split(": ", 1)[-1][:200] or type(error).__name__
        raise PreviewFailed(f"--url: cannot fetch {url}: {reason}") from None
