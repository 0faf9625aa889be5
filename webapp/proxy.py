"""UpstreamProxy: a WSGI app that passes each request to the origin (``forewarn serve --upstream``)
and streams the answer back, for NoticeMiddleware to add the notice to.

Werkzeug's ProxyMiddleware opens a connection per request and has one timeout for everything;
this one keeps a urllib3 pool of connections to the one origin, streams bodies both ways, and
turns every way an origin can fail into a small 502 or 504 page rather than a hang or a traceback.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Generator, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO
from urllib.parse import quote, unquote, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
)
from werkzeug.datastructures import EnvironHeaders, Headers
from werkzeug.http import is_hop_by_hop_header, parse_set_header
from werkzeug.wsgi import get_host

from webapp.errors import UpstreamError
from webapp.page.coding import decodable
from webapp.reader.cdn import carries_reader
from webapp.settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

log = logging.getLogger("forewarn")

CHUNK = 64 * 1024
# Besides the headers that carry the reader's address or place (webapp/reader/cdn.py: never
# passed on, docs/architecture.md, Privacy): Expect, which http.client cannot honour (the server
# in front already answered 100-continue), and the two the proxy sets itself.
_DROPPED = frozenset({"expect", "host", "content-length"})
_STATUS_TEXT = {
    413: "The request body is larger than this site accepts.",
    502: "The site could not be reached just now. Please try again in a moment.",
    504: "The site took too long to answer. Please try again in a moment.",
}
# The characters a path may hold unencoded (RFC 3986 pchar and "/"). Not "%": PATH_INFO is
# decoded, so a "%" in it is one the reader sent as %25, and it goes on as %25.
_PATH_SAFE = "!$&'()*+,/:;=@~"


class UpstreamProxy:
    """Pass requests to ``settings.upstream`` and stream the answers back.

    Hop-by-hop headers (RFC 9110, section 7.6.1, and any the Connection header names) are
    dropped both ways. The origin gets ``X-Forwarded-Proto`` and ``X-Forwarded-Host``; not the
    reader's address unless ``forward_client_address`` is on, nor any header carrying it or the
    reader's place. Redirects pass through; a ``Location`` naming the origin itself is rewritten
    to the public host. ``Host`` is the origin's (or the reader's, with ``upstream_host =
    "preserve"``, or any fixed name). Bodies over ``max_body`` get 413; an origin that refuses,
    resets or sends malformed HTTP gives 502; one slower than ``upstream_timeout`` gives 504.
    """

    def __init__(self, settings: Settings, extra_dropped: Iterable[str] = ()) -> None:
        if not settings.upstream:
            raise ValueError("UpstreamProxy needs settings.upstream")
        self.settings = settings
        parts = urlsplit(settings.upstream)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path.rstrip("/")
        self._host = parts.netloc
        self._dropped = _DROPPED | {name.lower() for name in extra_dropped}
        timeout = urllib3.Timeout(connect=settings.upstream_timeout,
                                  read=settings.upstream_timeout)
        # The pool is made on first use, in the worker that uses it (gunicorn forks after load).
        self._pool: urllib3.HTTPConnectionPool | None = None
        self._timeout = timeout

    @property
    def pool(self) -> urllib3.HTTPConnectionPool:
        if self._pool is None:
            self._pool = urllib3.connection_from_url(
                self._origin, maxsize=16, block=False, timeout=self._timeout, retries=False)
        return self._pool

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = self._request_body(environ)
            response = self.pool.urlopen(
                environ["REQUEST_METHOD"], self._target(environ), body=body,
                headers=self._request_headers(environ), redirect=False, retries=False,
                preload_content=False, decode_content=False, assert_same_host=False,
            )
        except UpstreamError as error:
            return error_page(error.status, start_response)
        except NewConnectionError as error:  # a subclass of ConnectTimeoutError, but a refusal
            log.warning("upstream %s: %s", self._origin, _reason(error))
            return error_page(502, start_response)
        except (ConnectTimeoutError, ReadTimeoutError):
            log.warning("upstream %s: no answer within %gs", self._origin,
                        self.settings.upstream_timeout)
            return error_page(504, start_response)
        except (HTTPError, OSError) as error:
            log.warning("upstream %s: %s", self._origin, _reason(error))
            return error_page(502, start_response)
        start_response(f"{response.status} {response.reason or ''}".rstrip(),
                       self._response_headers(response))
        return _OriginAnswer(response, self._origin)

    def _target(self, environ: WSGIEnvironment) -> str:
        """The request target on the origin: the reader's path with its dot-segments removed
        (RFC 3986, section 5.2.4), then joined to the upstream's prefix, so that no path leaves
        the prefix; quoted from the bytes the reader sent (PEP 3333 hands them over as latin-1)."""
        path = remove_dot_segments(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        path = quote(path.encode("latin-1", "replace"), safe=_PATH_SAFE)
        query = environ.get("QUERY_STRING", "")
        return f"{self._base_path}{path or '/'}" + (f"?{query}" if query else "")

    def _request_headers(self, environ: WSGIEnvironment) -> dict[str, str]:
        incoming = EnvironHeaders(environ)
        named = {name.lower() for name in parse_set_header(incoming.get("Connection"))}
        headers = Headers()
        for name, value in incoming.items():
            lower = name.lower()
            if (lower in self._dropped or lower in named or is_hop_by_hop_header(lower)
                    or carries_reader(lower)):
                continue
            if lower == "accept-encoding":
                value = decodable(value)
            headers.add(name, value)
        public_host = get_host(environ)
        headers["Host"] = self._upstream_host(public_host)
        headers["X-Forwarded-Proto"] = environ.get("wsgi.url_scheme", "http")
        headers["X-Forwarded-Host"] = public_host
        if self.settings.forward_client_address and environ.get("REMOTE_ADDR"):
            headers["X-Forwarded-For"] = environ["REMOTE_ADDR"]
        if environ.get("CONTENT_LENGTH"):
            headers["Content-Length"] = environ["CONTENT_LENGTH"]
        return dict(headers.items())  # no header repeats once hop-by-hop ones are gone

    def _upstream_host(self, public_host: str) -> str:
        setting = self.settings.upstream_host
        if setting is None:
            return self._host
        return public_host if setting == "preserve" else setting

    def _request_body(self, environ: WSGIEnvironment) -> Iterator[bytes] | bytes | None:
        """The body as a stream of exactly Content-Length bytes; a chunked body read whole, up to
        the limit. A body over ``max_body`` is refused before anything is sent upstream."""
        stream: BinaryIO = environ["wsgi.input"]
        length_text = environ.get("CONTENT_LENGTH") or ""
        if length_text:
            if not length_text.isdigit():
                raise UpstreamError(400, "bad Content-Length")
            length = int(length_text)
            if length > self.settings.max_body:
                raise UpstreamError(413, "body too large")
            return _exactly(stream, length) if length else None
        if not environ.get("wsgi.input_terminated"):
            return None  # no length and not chunked: no body (RFC 9112, section 6.3)
        data = stream.read(self.settings.max_body + 1)
        if len(data) > self.settings.max_body:
            raise UpstreamError(413, "body too large")
        return data or None

    def _response_headers(self, response: urllib3.BaseHTTPResponse) -> list[tuple[str, str]]:
        named = {name.lower() for name in parse_set_header(response.headers.get("Connection"))}
        headers: list[tuple[str, str]] = []
        for name, value in response.headers.iteritems():
            lower = name.lower()
            if lower in named or is_hop_by_hop_header(lower) or lower == "proxy-connection":
                continue
            if lower in ("location", "content-location"):
                value = self._public_location(value)
            headers.append((name, value))
        return headers

    def _public_location(self, value: str) -> str:
        """An absolute URL naming the origin itself, made a path on the public site (what nginx's
        ``proxy_redirect default`` does, without a host: RFC 9110 allows a relative Location,
        and the Host a reader sent must not end up in an answer a cache keyed on the path alone
        would give the next reader); other URLs are the origin's business."""
        parts = urlsplit(value)
        if f"{parts.scheme}://{parts.netloc}".lower() != self._origin.lower():
            return value
        path = parts.path
        if self._base_path and (path == self._base_path or path.startswith(self._base_path + "/")):
            path = path[len(self._base_path):] or "/"
        return (path or "/") + (f"?{parts.query}" if parts.query else "") + (
            f"#{parts.fragment}" if parts.fragment else "")


class _OriginAnswer:
    """The origin's answer as the WSGI iterable: its bytes as they come, and a ``close()`` that
    always reaches the connection, even when the server closes the answer before reading any
    of it (a generator's own ``finally`` runs only once it has started). A connection read to
    its end goes back to the pool; one closed early is closed, never pooled half-read.

    The status is already sent when the origin fails mid-body, so the only honest thing left is
    to break the connection, so the reader's client sees a cut response (ending the body
    normally would pass a chunked page's first half off as whole). A connection reset is what
    WSGI servers take for that: gunicorn closes the socket and logs it at debug level, with no
    traceback."""

    def __init__(self, response: urllib3.BaseHTTPResponse, origin: str) -> None:
        self._response, self._origin = response, origin
        self._ended = False
        self._chunks = self._read()

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def _read(self) -> Generator[bytes, None, None]:
        finished = False
        try:
            yield from self._response.stream(CHUNK, decode_content=False)
            finished = True
        except (HTTPError, OSError) as error:
            log.warning("upstream %s: answer cut: %s", self._origin, _reason(error))
            raise ConnectionResetError(errno.ECONNRESET, "upstream answer cut") from None
        finally:
            self._end(finished)

    def close(self) -> None:
        self._chunks.close()  # ends the connection if the reading had started
        self._end(finished=False)  # and if it had not

    def _end(self, finished: bool) -> None:
        if self._ended:
            return
        self._ended = True
        if finished:
            self._response.release_conn()
        else:
            self._response.close()  # a half-read connection must not go back to the pool


def remove_dot_segments(path: str) -> str:
    """``path`` with its "." and ".." segments resolved (RFC 3986, section 5.2.4), never above
    the root. Also counted as dot-segments, for origins that decode a path again or read ";" as
    the end of a segment (Tomcat's "..;"): ones that are dots once percent-decoded ("%2e%2e"
    as the reader sent "%252e%252e") and ones that are dots before a ";"."""
    segments = path.split("/")
    out: list[str] = []
    for index, segment in enumerate(segments):
        dots = _dots(segment)
        if dots == 0:
            out.append(segment)
            continue
        if dots == 2 and len(out) > 1:
            out.pop()
        if index == len(segments) - 1:
            out.append("")  # "/a/.." is "/a/": a trailing dot-segment leaves a directory
    joined = "/".join(out)
    return joined if joined.startswith("/") else "/" + joined


def _dots(segment: str) -> int:
    """1 for a "." segment, 2 for "..", 0 for any other (see remove_dot_segments)."""
    text = segment.split(";", 1)[0]
    for _ in range(3):  # "%25252e" and deeper are not worth the loop
        if text in (".", ".."):
            return len(text)
        if "%" not in text:
            return 0
        text = unquote(text)
    return 0


def _exactly(stream: BinaryIO, length: int) -> Iterator[bytes]:
    """``length`` bytes of a WSGI input stream, piece by piece (urllib3 sends each as it comes,
    under the Content-Length header), never reading past what was announced."""
    while length > 0:
        data = stream.read(min(CHUNK, length))
        if not data:
            raise UpstreamError(400, "request body shorter than its Content-Length")
        length -= len(data)
        yield data


def _reason(error: BaseException) -> str:
    if isinstance(error, NewConnectionError):
        return "connection refused or unreachable"
    text = str(error) or type(error).__name__
    return text.split(": ", 1)[-1][:200]


def error_page(status: int, start_response: StartResponse) -> list[bytes]:
    """A small page in plain words, never cached, naming nothing about the origin."""
    from http import HTTPStatus

    phrase = HTTPStatus(status).phrase
    text = _STATUS_TEXT.get(status, phrase)
    body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{status} {phrase}</title></head><body><h1>{phrase}</h1><p>{text}</p>"
            "</body></html>\n").encode("ascii")
    start_response(f"{status} {phrase}", [
        ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
    ])
    return [body]
