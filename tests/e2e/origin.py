"""A static origin for the browser tests, served from a thread: the test pages in tests/e2e/pages
(some with their own response headers, such as a strict Content-Security-Policy) and the real
pages of the readability corpus, each exactly as stored."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from werkzeug.http import http_date
from werkzeug.wrappers import Request, Response

from tests.support import SHARED_FIXTURES, ThreadedApp

PAGES = Path(__file__).with_name("pages")
APPS = Path(__file__).with_name("apps") / "dist"  # built by scripts/ensure-apps
CORPUS = SHARED_FIXTURES / "corpus" / "readability"
STRICT_CSP = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
# ... and no string may reach a DOM sink that runs or parses it (Trusted Types, enforced)
TRUSTED_TYPES_CSP = STRICT_CSP + "; require-trusted-types-for 'script'; trusted-types 'none'"
# Response headers of particular test pages, beyond the content type.
PAGE_HEADERS: dict[str, dict[str, str]] = {
    "strict-csp.html": {"Content-Security-Policy": STRICT_CSP},
    "strict-csp-inline-style.html": {"Content-Security-Policy": STRICT_CSP},
    "guarded.html": {"Content-Security-Policy": STRICT_CSP},
    "guarded-trusted-types.html": {"Content-Security-Policy": TRUSTED_TYPES_CSP},
    # data a page's scripts load, which the browser may keep for ten minutes
    "comments-count.html": {"Cache-Control": "max-age=600"},
    "likes-jsonp.html": {"Cache-Control": "max-age=600"},
    # pages a browser may show again without asking, for ten minutes
    "kept-article.html": {"Cache-Control": "max-age=600, stale-while-revalidate=600"},
}
# Pages under a nonce-based ("strict") policy, as Google's CSP guide gives it, with nonce-only
# styles too: each answer gets a fresh nonce, in the policy and in the page's own tags ({nonce}).
NONCE_CSP = {"nonce-csp.html": "script-src 'nonce-{nonce}' 'strict-dynamic' https: "
                               "'unsafe-inline'; object-src 'none'; base-uri 'none'; "
                               "style-src 'nonce-{nonce}'"}
# pages whose type says no charset: the page says it itself (in its XML declaration)
TYPE_OF = {"article-1251.xhtml": "application/xhtml+xml"}
DATED = {"kept-expires.html": 600}  # pages that expire this many seconds after they are sent
# one page at two addresses
SAME_AS = {"kept-expires.html": "kept-article.html", "guarded-trusted-types.html": "guarded.html"}
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".js": "text/javascript; charset=utf-8", ".xhtml": "application/xhtml+xml; charset=utf-8"}
# Real pages and test documents are parsed with scripting on, but none of their scripts runs.
NO_SCRIPTS = {"Content-Security-Policy": "script-src 'none'"}


def corpus_pages() -> list[Path]:
    """The corpus's pages (``NAME.html``, or ``NAME/source.html`` as in readability's tree)."""
    if not CORPUS.is_dir():
        return []
    return sorted([*CORPUS.glob("*.html"), *CORPUS.glob("*/source.html")])


def corpus_name(page: Path) -> str:
    return page.parent.name if page.name == "source.html" else page.stem


# headers and bytes a test has the origin send as they are (StaticOrigin.raw)
RawAnswer = tuple[list[tuple[str, str]], bytes]


class StaticOrigin(ThreadedApp):
    """``/pages/FILE`` from tests/e2e/pages, ``/corpus/NAME`` from the corpus, ``/doc/NAME``
    from ``documents`` (bytes a test puts there), ``/raw/NAME`` from ``raw`` (headers and bytes
    a test puts there, sent with nothing added but Content-Length), ``/app/FILE`` from the
    hydration apps' dist/; 404 otherwise."""

    def __init__(self) -> None:
        self._corpus = {corpus_name(page): page for page in corpus_pages()}
        self.documents: dict[str, bytes] = {}
        self.raw: dict[str, RawAnswer] = {}
        super().__init__()

    def add_raw(self, prefix: str, answers: dict[str, RawAnswer]) -> dict[str, RawAnswer]:
        """Serve each of ``answers`` at ``/raw/PREFIX-NAME``; returns them."""
        self.raw.update({f"{prefix}-{name}": answer for name, answer in answers.items()})
        return answers

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        kind, _, name = environ.get("PATH_INFO", "").lstrip("/").partition("/")
        if kind == "raw" and name in self.raw:
            headers, body = self.raw[name]
            start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
            return [body]
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        kind, _, name = request.path.lstrip("/").partition("/")
        if kind == "corpus" and name in self._corpus:
            return Response(self._corpus[name].read_bytes(), content_type=TYPES[".html"],
                            headers=NO_SCRIPTS)
        if kind == "doc" and name in self.documents:
            return Response(self.documents[name], content_type=TYPES[".html"],
                            headers=NO_SCRIPTS)
        if kind == "app" and "/" not in name and (APPS / name).is_file() and \
                (APPS / name).suffix in TYPES:
            return Response((APPS / name).read_bytes(), content_type=TYPES[(APPS / name).suffix])
        page = PAGES / SAME_AS.get(name, name)
        if kind == "pages" and "/" not in name and page.suffix in TYPES and page.is_file():
            headers = dict(PAGE_HEADERS.get(name, {}))
            if name in DATED:
                headers["Expires"] = http_date(time.time() + DATED[name])
            data = page.read_bytes()
            if name in NONCE_CSP:
                nonce = secrets.token_urlsafe(18)
                headers["Content-Security-Policy"] = NONCE_CSP[name].replace("{nonce}", nonce)
                data = data.replace(b"{nonce}", nonce.encode("ascii"))
            return Response(data, headers=headers,
                            content_type=TYPE_OF.get(name, TYPES[page.suffix]))
        return Response("not found", status=404, content_type="text/plain")
