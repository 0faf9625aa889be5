"""Origins for the proxy tests: a well-behaved one serving pages the way real sites do (gzip,
windows-1251, chunked, redirects, cookies, an echo of what it was sent), and raw-socket ones that
misbehave (refuse, reset mid-body, stall, speak garbage)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from tests.support import ROOT, LiveServer, ThreadedApp, reset_on_close

PAGE = """<!doctype html>
<html lang="{lang}">
<head><meta charset="{charset}"><title>{title}</title></head>
<body>
<main><article><h1>{title}</h1><p>{text}</p></article></main>
</body>
</html>
"""
RUSSIAN = "Река замёрзла рано"
STALL_SECONDS = 3.0  # longer than the proxy's timeout in the tests


def page(title: str, text: str = "The river froze early.", lang: str = "en",
         charset: str = "utf-8") -> bytes:
    return PAGE.format(lang=lang, charset=charset, title=title, text=text).encode(charset)


class Origin(ThreadedApp):
    """A threaded origin on 127.0.0.1 at a port chosen now. Paths:

    /articles/plain, /articles/gzip (gzip whatever the client asks), /articles/cp1251
    (windows-1251, Russian), /articles/chunked (no length, in pieces), /articles/cookie
    (Set-Cookie, CSP, ETag), /redirect (to itself, absolute), /redirect-away, /echo (JSON of the
    method, path, query, headers and body length it got), /stall-body (headers, then silence),
    /articles/big (about 2 MB), /image.png; /articles/validated and /image-validated.png (an
    ETag and a Last-Modified, conditional requests answered 304 as real origins do);
    /cached/<header> (cacheable for a minute, and for a shared cache by a surrogate or
    accelerator header, CACHING_HEADERS); /articles/two-members (gzip in two members);
    /a/<anything> (a page at any path); /site/<anything> (an echo, for an upstream prefix).
    """

    def __init__(self) -> None:
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        handler = ROUTES.get(request.path) or next(
            (route for prefix, route in PREFIX_ROUTES.items() if request.path.startswith(prefix)),
            None)
        response = handler(self, request) if handler else Response("not found", 404)
        return response(environ, start_response)


def _plain(origin: Origin, request: Request) -> Response:
    return Response(page("Plain"), content_type="text/html; charset=utf-8",
                    headers={"Cache-Control": "max-age=60"})


def _gzip(origin: Origin, request: Request) -> Response:
    return Response(gzip.compress(page("Gzip")), content_type="text/html; charset=utf-8",
                    headers={"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})


def _cp1251(origin: Origin, request: Request) -> Response:
    body = page(RUSSIAN, text=RUSSIAN, lang="ru", charset="windows-1251")
    return Response(body, content_type="text/html; charset=windows-1251")


def _chunked(origin: Origin, request: Request) -> Response:
    def pieces() -> Iterator[bytes]:
        data = page("Chunked")
        for start in range(0, len(data), 7):
            yield data[start:start + 7]

    return Response(pieces(), content_type="text/html; charset=utf-8")


def _cookie(origin: Origin, request: Request) -> Response:
    return Response(page("Cookie"), content_type="text/html; charset=utf-8", headers={
        "Set-Cookie": "session=abc; HttpOnly", "Content-Security-Policy": "default-src 'self'",
        "ETag": '"v1"'})


def _redirect(origin: Origin, request: Request) -> Response:
    return Response("", 302, headers={"Location": f"{origin.url}/articles/plain?from=old"})


def _redirect_away(origin: Origin, request: Request) -> Response:
    return Response("", 301, headers={"Location": "https://elsewhere.example/articles/plain"})


def _echo(origin: Origin, request: Request) -> Response:
    body = request.get_data()
    seen = {"method": request.method, "path": request.path,
            "raw_uri": request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI"),
            "query": request.query_string.decode("latin-1"),
            "headers": {name.lower(): value for name, value in request.headers.items()},
            "body_length": len(body)}
    return Response(json.dumps(seen), content_type="application/json")


def _stall_body(origin: Origin, request: Request) -> Response:
    def pieces() -> Iterable[bytes]:
        yield b"<!doctype html><html><head><title>slow</title></head><body><p>first part"
        time.sleep(STALL_SECONDS)
        yield b"</p></body></html>"

    return Response(pieces(), content_type="text/html; charset=utf-8")


def _big(origin: Origin, request: Request) -> Response:
    paragraph = "<p>" + "The river froze early this year. " * 30 + "</p>\n"
    return Response(page("Big", text=paragraph * 2000), content_type="text/html; charset=utf-8")


def _image(origin: Origin, request: Request) -> Response:
    return Response(b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png")


# Headers that let a shared cache keep a page whatever its Cache-Control says: header -> value.
# Varnish's built-in VCL skips its `private` check when Surrogate-Control is there; nginx obeys
# X-Accel-Expires before Cache-Control; CDNs obey their targeted fields (RFC 9213) over it.
CACHING_HEADERS = {
    "Surrogate-Control": 'content="ESI/1.0"',
    "X-Accel-Expires": "60",
    "CDN-Cache-Control": "max-age=60",
    "Cloudflare-CDN-Cache-Control": "max-age=60",
    "Edge-Control": "cache-maxage=60s",
}
LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


def _validated(origin: Origin, request: Request) -> Response:
    response = Response(page("Validated"), content_type="text/html; charset=utf-8",
                        headers={"ETag": '"v1"', "Last-Modified": LAST_MODIFIED})
    return response.make_conditional(request)


def _image_validated(origin: Origin, request: Request) -> Response:
    response = Response(b"\x89PNG\r\n\x1a\n" + bytes(100), content_type="image/png",
                        headers={"ETag": '"img1"', "Last-Modified": LAST_MODIFIED})
    return response.make_conditional(request)


def _cached(origin: Origin, request: Request) -> Response:
    name = request.path.removeprefix("/cached/")
    header = next(header for header in CACHING_HEADERS if header.lower() == name)
    # The caching header first: nginx 1.22 lets X-Accel-Expires override a Cache-Control that
    # comes after it, not one before.
    return Response(page(f"Cached {header}"), content_type="text/html; charset=utf-8",
                    headers=[(header, CACHING_HEADERS[header]), ("Cache-Control", "max-age=60")])


def _two_members(origin: Origin, request: Request) -> Response:
    """A gzip body in two members (RFC 1952 allows any number): the body tag is in the second."""
    data = page("Two members")
    cut = data.index(b"<body>")
    return Response(gzip.compress(data[:cut]) + gzip.compress(data[cut:]),
                    content_type="text/html; charset=utf-8", headers={"Content-Encoding": "gzip"})


def _any_page(origin: Origin, request: Request) -> Response:
    return Response(page("Any path"), content_type="text/html; charset=utf-8")


ROUTES: dict[str, Callable[[Origin, Request], Response]] = {
    "/articles/plain": _plain, "/articles/gzip": _gzip, "/articles/cp1251": _cp1251,
    "/articles/chunked": _chunked, "/articles/cookie": _cookie, "/redirect": _redirect,
    "/redirect-away": _redirect_away, "/echo": _echo, "/stall-body": _stall_body,
    "/image.png": _image, "/articles/big": _big, "/articles/validated": _validated,
    "/image-validated.png": _image_validated, "/articles/two-members": _two_members,
}
PREFIX_ROUTES: dict[str, Callable[[Origin, Request], Response]] = {
    "/cached/": _cached, "/a/": _any_page, "/site/": _echo,
}


class RawOrigin:
    """A socket server that reads a request and then misbehaves as told:

    ``garbage`` answers with something that is not HTTP; ``reset`` sends headers and part of
    the body, then resets the connection; ``reset-late`` and ``reset-late-chunked`` do the same
    after 300 KB, well past where the notice goes (so Forewarn has begun its answer), the length
    declared or the body chunked; ``stall`` never answers.
    """

    def __init__(self, behaviour: str) -> None:
        self.behaviour = behaviour
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._socket.settimeout(0.2)
        while not self._stopped.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(STALL_SECONDS * 2)
            try:
                connection.recv(65536)
                if self.behaviour == "garbage":
                    connection.sendall(b"this is not HTTP at all\r\n\r\n")
                elif self.behaviour == "reset":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                       b"Content-Length: 100000\r\n\r\n<!doctype html><html>"
                                       b"<head></head><body><p>" + b"x" * 5000)
                    reset_on_close(connection)
                elif self.behaviour.startswith("reset-late"):
                    self._reset_late(connection, chunked=self.behaviour.endswith("chunked"))
                elif self.behaviour == "stall":
                    self._stopped.wait(STALL_SECONDS)
            except OSError:
                pass

    @staticmethod
    def _reset_late(connection: socket.socket, *, chunked: bool) -> None:
        start = (b"<!doctype html><html lang=\"en\"><head><title>Late</title></head><body>"
                 b"<h1>Late</h1>")
        paragraphs = [b"<p>" + b"The river froze early this year. " * 30 + b"</p>\n"] * 300
        framing = (b"Transfer-Encoding: chunked" if chunked else b"Content-Length: 600000")
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                           + framing + b"\r\n\r\n")
        for piece in [start, *paragraphs]:
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        time.sleep(0.3)  # Forewarn has read and passed on all of it
        reset_on_close(connection)

    def stop(self) -> None:
        self._stopped.set()
        self._socket.close()
        self._thread.join(timeout=5)


def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (a port bound and released just now)."""
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def start_proxy(upstream: str, demo_db: Path, log_dir: Path, workers: int = 2,
                server: str = "gunicorn", **settings: str) -> LiveServer:
    """`forewarn serve --upstream` on ``server`` with the shipped catalog and the demo database,
    trusting only 127.0.0.1 (the tests' address), a 1 s origin timeout and a 1,000-byte body
    limit."""
    env = {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
           "FOREWARN_GEOIP_DBS": str(demo_db), "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32",
           "FOREWARN_UPSTREAM_TIMEOUT": "1", "FOREWARN_MAX_BODY": "1000"}
    env.update({f"FOREWARN_{key.upper()}": value for key, value in settings.items()})
    return LiveServer(["--upstream", upstream, "--workers", str(workers), "--server", server],
                      log_dir / "forewarn.log", env)
