"""PageNotices: the WSGI app that is a wrapped app whose HTML pages carry the notices that apply
to each reader. It reads each page's prefix until the place for the block is known (holding back
no more), asks the engine for the reader's answer, and streams the page on with the block spliced
in, re-encoded when the page was compressed. Everything else passes as it came.

NoticeMiddleware (webapp/middleware.py) puts Forewarn's endpoints beside it; the preview serves
pages through it directly.
"""

from __future__ import annotations

import errno
import itertools
import logging
import re
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from webapp.engine import Answer, Engine, Reading
from webapp.errors import CodingError
from webapp.page.coding import Coding, DecodedTooLarge, decodable
from webapp.page.conditional import DESTINATION_HEADER, Asked, is_subresource
from webapp.page.csp import ENFORCED, REPORT_ONLY, page_nonces, with_nonces
from webapp.page.existing import Existing, find_existing, without
from webapp.page.head_memo import HeadMemo
from webapp.page.headers import (
    NOTICES_HEADER,
    UNTYPED,
    XML,
    ResponseHeaders,
    add_vary,
    content_coding,
    content_language,
    declared_charset,
    finish,
    notice_ids_in,
    skip_reason,
)
from webapp.page.placement import Placement, anchor_placement, splice
from webapp.page.sniff import SNIFF_BYTES, XML_ROOT_BYTES, is_xhtml, sniffs_as_html
from webapp.reader.forced import FORCED_KEY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger("forewarn")

# How much of a page is held back while looking for the insertion point. A marker further in,
# or a body that begins further in, is not looked for: such a page passes through unchanged.
PREFIX_LIMIT = 1024 * 1024
# A page longer than PREFIX_LIMIT is scanned in a window of this size first (the body tag and
# the marker window of nearly every page fit), so that it is not copied up to PREFIX_LIMIT.
FIRST_WINDOW = 128 * 1024
# The first look at a streamed page's prefix, unless a body tag comes sooner; then each look
# waits for the prefix to double.
FIRST_LOOK = 8 * 1024
# A chunk holding one of these may well decide where the body begins: look at once.
_BODY_HINT = re.compile(rb"<body|</head", re.IGNORECASE)
# Pages that get no block for want of a body, and the log line each leaves (no reader data).
_UNPLACED = {
    "no-body": f"the body does not begin in the first {PREFIX_LIMIT} bytes of %s (or the page "
               "ends inside markup before it); page passed unchanged",
    "frameset": "%s is a frameset document (no body to hold a notice); page passed unchanged",
}
# The splice-skipped reason of a page that already carries a Forewarn block or the header of one.
ALREADY = "already-noticed"
# ... of an HTML answer to a request the browser marks as a subresource (Sec-Fetch-Dest: script,
# style, image...: page/conditional.py): never shown as a page, and a block in it would break it
# (a JSONP script that PHP sends as text/html would end in a SyntaxError).
SUBRESOURCE = "subresource"
# An HTTP token (RFC 9110, 5.6.2): a charset a sniffed page's type may say again as it is.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# A page with a policy may name a nonce the block's scripts and stylesheet need (page/csp.py).
_POLICIES = frozenset({ENFORCED.lower(), REPORT_ONLY.lower()})


class PageNotices:
    """``app`` with the notices added to its HTML pages (GET and POST answers of 200 with an
    HTML type, in a coding Forewarn can undo); see docs/architecture.md for what passes."""

    def __init__(self, app: WSGIApplication, engine: Engine) -> None:
        self.app = app
        self.engine = engine
        self._marker = engine.settings.marker.encode("ascii") or None
        self._heads = HeadMemo(self._marker)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Run the wrapped app and add the notices to its response. HEAD and conditional GETs
        reach the app as plain GETs; their answer's form is Forewarn's (page/conditional.py).
        The app is offered only the codings Forewarn can undo (``decodable``)."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD", "POST"):
            return self.app(environ, start_response)
        asked, inner = Asked.split(environ)
        accepted = environ.get("HTTP_ACCEPT_ENCODING")
        if accepted:
            narrowed = decodable(accepted)
            if narrowed != accepted:
                if inner is None:
                    inner = dict(environ)
                inner["HTTP_ACCEPT_ENCODING"] = narrowed
        captured = _Captured()
        body = self.app(environ if inner is None else inner, captured.start_response)
        # The wrapped app's answer is closed once: when it has been read, or by the server's
        # close() when that comes first, even before reading began (a generator's own
        # ``finally`` runs only once it has started).
        close = _Once(getattr(body, "close", None))
        return _Closing(self._rewrite(environ, asked, captured, body, start_response, close),
                        close)

    def _rewrite(
        self, environ: WSGIEnvironment, asked: Asked, captured: _Captured,
        body: Iterable[bytes], start_response: StartResponse, close: Callable[[], None],
    ) -> Generator[bytes, None, None]:
        chunks = iter(body)
        try:
            raw: Iterator[bytes] = itertools.chain(captured.wait_for_headers(chunks), chunks)
            headers = ResponseHeaders(captured.headers)
            coding = content_coding(headers)
            reason = skip_reason(captured.status, headers, coding)
            sniffed = reason == UNTYPED  # no usable type: HTML if the browser would take it so
            if sniffed:
                raw, start = _first_bytes(raw, SNIFF_BYTES)
                reason = None if sniffs_as_html(start) else "not-html"
            elif reason == XML:  # a page if its root is XHTML's <html>
                raw, start = _first_bytes(raw, XML_ROOT_BYTES)
                reason = None if is_xhtml(start) else "not-html"
            if reason is None and NOTICES_HEADER in headers and FORCED_KEY not in environ:
                reason = ALREADY  # a Forewarn behind this one (a proxy, middleware) decided
            if reason is None and is_subresource(environ):
                reason = SUBRESOURCE
            if reason is not None or coding is None:
                self._skipped(environ, reason or "encoded", headers)
                if self._start(asked, captured, headers, start_response):
                    yield from raw
                return
            yield from self._with_notice(environ, asked, captured, headers, coding, raw,
                                         start_response, sniffed=sniffed)
        finally:
            close()

    @staticmethod
    def _start(asked: Asked, captured: _Captured, headers: ResponseHeaders,
               start_response: StartResponse) -> bool:
        """Send the status and headers as the reader asked (304, HEAD); True if a body follows."""
        status, items, with_body = asked.reply(captured.status, headers.items())
        start_response(status, items, captured.exc_info)
        return with_body

    def _with_notice(
        self, environ: WSGIEnvironment, asked: Asked, captured: _Captured,
        headers: ResponseHeaders, coding: Coding, raw: Iterator[bytes],
        start_response: StartResponse, *, sniffed: bool = False,
    ) -> Iterator[bytes]:
        """Decode the prefix, find the place, and send the page with the block (re-encoded), or
        the original bytes untouched when no block is added. A ``sniffed`` page (no usable type,
        HTML by its first bytes) that gets a block is said to be ``text/html``: the browser sniffs
        the bytes it gets, and a block before the first tag would make them text."""
        consumed: list[bytes] = []
        length: int | None = None
        if coding.identity:  # the page's own bytes: nothing to decode, nothing to keep aside
            declared = headers.get("Content-Length") or ""
            length = int(declared) if declared.isdigit() else None
            data, placement = self._find_place(raw, length, anchor=False)
            decoded = raw
        else:
            decoded = coding.decode(_recording(raw, consumed))
            try:
                data, placement = self._find_place(decoded, anchor=False)
            except CodingError as error:
                log.warning("page body is not valid %s (%s); passed unchanged", coding.name, error)
                reason = "too-large" if isinstance(error, DecodedTooLarge) else "corrupt"
                placement, data = Placement(None, reason), b""
        partial_by: tuple[str, ...] = ()  # the request headers that made it a partial answer
        if placement.reason == "implied":
            partial_by = partial_request_headers(environ) or (
                (DESTINATION_HEADER,) if is_script_data(environ, data, placement) else ())
            if partial_by:
                placement = replace(placement, offset=None, reason="partial")
        reading: Reading | None = None
        try:
            if not placement.anchored and placement.offset is not None:
                # Only a reader who gets a block needs the marker or slot the page may have
                # (and only there would a block already in the page stand): decided first.
                reading = self.engine.read(environ, _page_lang(placement, headers))
                if reading.forced or reading.decision.shown:
                    data, placement = self._anchor(data, decoded, placement, length, consumed,
                                                   coding.identity)
            data, existing = self._existing(environ, headers, data, placement, decoded)
        except CodingError as error:
            log.warning("page body is not valid %s (%s); passed unchanged", coding.name, error)
            placement, existing = Placement(None, "corrupt"), None
        if coding.identity:
            consumed = [data]
        cut = 0
        if existing is not None:
            if FORCED_KEY not in environ or existing.end is None:  # serving: left as it is
                if FORCED_KEY not in environ:
                    self.engine.metrics.skipped.labels(ALREADY).inc()
                if self._start(asked, captured, headers, start_response):
                    yield from (chunk for chunk in consumed if chunk)
                    yield from raw
                return
            # The preview: the block for the previewed place instead of the one the page came with
            cut = existing.end - existing.start
            data, placement = without(data, existing, placement)
        answer = self._answer(environ, headers, placement, reading)
        block = answer.block if answer else b""
        if block and sniffed:  # the charset the block was written in, if the type named one
            charset = declared_charset(headers)
            headers["Content-Type"] = "text/html" + (
                f"; charset={charset}" if charset and _TOKEN.fullmatch(charset) else "")
        if block and not headers.has_none_of(_POLICIES):
            block = with_nonces(block, page_nonces(headers.get_all(ENFORCED),
                                                   headers.get_all(REPORT_ONLY)))
        if answer is not None:
            answer.finish(headers, len(block) - cut, length_known=coding.identity)
        else:
            if FORCED_KEY not in environ:  # the preview's own request is no reader: not counted
                self.engine.metrics.skipped.labels(placement.reason).inc()
            finish(headers, (), 0, length_known=coding.identity)
            if partial_by:  # no cache may hand this answer to the same URL asked for as a page
                add_vary(headers, partial_by)
        if not self._start(asked, captured, headers, start_response):
            return
        if not (block or cut):
            yield from (chunk for chunk in consumed if chunk)
            yield from raw
            return
        if coding.identity:
            yield splice(data, placement, block)
            yield from raw
            return
        try:
            yield from coding.encode(itertools.chain((splice(data, placement, block),), decoded))
        except DecodedTooLarge as error:
            # The notice went out with the first bytes; a page past the bound is cut off as an
            # origin failing mid-body is (webapp/proxy.py): the connection breaks, so the client
            # never takes the part for the whole.
            self.engine.metrics.skipped.labels("too-large").inc()
            log.warning("page body's %s; response cut", error)
            raise ConnectionResetError(errno.ECONNRESET, "page decoded too large") from None
        except CodingError as error:  # the headers are sent: all that is left is to stop
            log.warning("page body turned out not valid %s (%s); response cut", coding.name, error)

    def _existing(
        self, environ: WSGIEnvironment, headers: ResponseHeaders, data: bytes,
        placement: Placement, more: Iterator[bytes],
    ) -> tuple[bytes, Existing | None]:
        """A Forewarn block already where this one's would go (webapp/page/existing.py); for
        the preview of a page a Forewarn passed (its header names notices), anywhere."""
        forced = FORCED_KEY in environ
        anywhere = forced and bool(notice_ids_in(headers.get(NOTICES_HEADER)))
        return find_existing(data, placement, more, PREFIX_LIMIT, whole=forced,
                             anywhere=anywhere)

    def _skipped(self, environ: WSGIEnvironment, reason: str, headers: ResponseHeaders) -> None:
        self.engine.metrics.skipped.labels(reason).inc()
        if reason == "encoded":
            log.warning("Content-Encoding %r cannot be undone here; page passed without a notice",
                        headers.get("Content-Encoding"))
        if reason in ("encoded", SUBRESOURCE):
            # Still HTML a reader may see as a page: never let a shared cache store it for
            # everyone.
            finish(headers, (), 0)
        if reason == SUBRESOURCE:
            # Nor the reader's own browser reuse it for the same URL opened as a page: its
            # cache keys on the URL, and a subresource's answer has no notice.
            add_vary(headers, (DESTINATION_HEADER,))

    def _anchor(
        self, data: bytes, chunks: Iterator[bytes], placement: Placement, length: int | None,
        consumed: list[bytes], identity: bool,
    ) -> tuple[bytes, Placement]:
        """``placement`` (where the body begins) anchored at the page's marker or slot, pulling
        more of the page while its windows are not all here (within PREFIX_LIMIT)."""
        marker = self._marker
        pieces, size, look = [data], len(data), True
        while True:
            ended = length is not None and size >= length
            complete = size >= PREFIX_LIMIT or ended
            if look or complete:  # as in _find_place: again only once the prefix has doubled
                data = b"".join(pieces) if len(pieces) > 1 else pieces[0]
                pieces = [data]
                if identity:
                    consumed[:] = [data]
                window = data if len(data) <= PREFIX_LIMIT else data[:PREFIX_LIMIT]
                anchored = anchor_placement(window, placement, marker, complete)
                if anchored is not None:
                    return data, anchored
                next_look = 2 * size
            chunk = next(chunks, None)
            if chunk is None:
                length = size  # the page ended: the windows are all there is
            else:
                pieces.append(chunk)
                size += len(chunk)
            look = size >= next_look

    def _find_place(
        self, chunks: Iterator[bytes], length: int | None = None, *, anchor: bool = True
    ) -> tuple[bytes, Placement]:
        """Pull decoded chunks until the placement is known; returns the bytes pulled so far.
        ``length`` is the page's Content-Length: once that much is here, no more will come.
        Without ``anchor``, a page whose head is remembered gets where its body begins, and the
        marker and slot windows are not waited for (``_anchor`` does, when a block goes in).

        The prefix is looked at again only when it has doubled since the last look, when a
        chunk brings ``<body`` or ``</head`` (the body is likely to begin), or when it is
        complete: a page streamed in small pieces costs a few scans of its prefix, not one per
        piece (which grew with the square of its size). A body implied by other markup is found
        at the next doubling."""
        find = partial(self._heads.find_placement, anchor=anchor)
        pieces: list[bytes] = []
        size = next_look = 0
        tail = b""
        for chunk in chunks:
            pieces.append(chunk)
            size += len(chunk)
            ended = length is not None and size >= length
            complete = size >= PREFIX_LIMIT or ended
            look = complete or size >= next_look or _has_body_hint(tail, chunk)
            tail = chunk[-5:]
            if not look:
                continue
            next_look = max(2 * size, FIRST_LOOK)
            data = b"".join(pieces) if len(pieces) > 1 else chunk
            pieces = [data]
            placement = placement_in(data, complete, find, eof=ended)
            if placement is not None:
                return data, placement
        data = b"".join(pieces)
        placement = find(data[:PREFIX_LIMIT], complete=True, eof=len(data) <= PREFIX_LIMIT)
        assert placement is not None  # complete=True always answers
        return data, placement

    def _answer(
        self, environ: WSGIEnvironment, headers: ResponseHeaders, placement: Placement,
        reading: Reading | None,
    ) -> Answer | None:
        """The engine's answer for this reader and page (from ``reading`` when the reader was
        already placed), or None when the page has no place for the block (it then passes
        unchanged)."""
        if placement.offset is None:
            if placement.reason in _UNPLACED:
                log.warning(_UNPLACED[placement.reason], environ.get("PATH_INFO", "/"))
            return None
        # A byte order mark outranks the header, which outranks <meta charset> (HTML's rules).
        charset = ((placement.charset if placement.bom else None)
                   or declared_charset(headers) or placement.charset or "ascii")
        return self.engine.answer(environ, _page_lang(placement, headers), charset=charset,
                                  reading=reading)


def _page_lang(placement: Placement, headers: ResponseHeaders) -> str | None:
    """The page's language: its ``<html lang>``, else its Content-Language."""
    return placement.html_lang or content_language(headers)


def partial_request_headers(environ: WSGIEnvironment) -> tuple[str, ...]:
    """The request headers by which a page's own script asked for a piece of a page to put
    into the page it shows (htmx without ``hx-boost``, Unpoly, a Turbo frame); () when it did
    not. Such an answer without a ``<body>`` tag is that piece, not a page: a notice in it would
    be one more inside a page that already has one. It varies on these headers, so that no
    cache, the reader's browser's included, gives it for the same URL opened as a page. Boosted
    htmx and Turbo Drive load whole pages, whose new body replaces the old, and keep getting the
    block."""
    if environ.get("HTTP_HX_REQUEST") == "true":
        return () if environ.get("HTTP_HX_BOOSTED") == "true" else ("HX-Request", "HX-Boosted")
    if "HTTP_X_UP_TARGET" in environ:
        return ("X-Up-Target",)
    return ("Turbo-Frame",) if "HTTP_TURBO_FRAME" in environ else ()


def is_script_data(environ: WSGIEnvironment, data: bytes, placement: Placement) -> bool:
    """Whether a script's own fetch (``Sec-Fetch-Dest: empty``, which browsers set and pages
    cannot) was answered with JSON under an HTML type, as PHP sends whatever it echoes unless
    told otherwise: data for the page's script, which a block in front would break (its
    JSON.parse fails), only for readers who get a notice, on a page that already shows them
    theirs. Only a body implied by text that begins ``{`` or ``[`` counts: a whole page fetched
    to replace the body (Turbo Drive) begins with markup, and keeps getting the block."""
    if environ.get("HTTP_SEC_FETCH_DEST") != "empty" or placement.offset is None:
        return False
    return data[placement.offset:placement.offset + 1] in (b"{", b"[")


class _Closing:
    """The answer the server gets: iterated as the generator it holds (Werkzeug's
    ClosingIterator puts a Python call in front of every chunk and builds a typing alias per
    answer: 3 µs a page in the profile), closed by closing that generator and then ``close``."""

    __slots__ = ("_chunks", "_close")

    def __init__(self, chunks: Generator[bytes, None, None], close: Callable[[], None]) -> None:
        self._chunks, self._close = chunks, close

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        try:
            self._chunks.close()
        finally:
            self._close()


class _Once:
    """Calls ``close`` the first time it is called, and never again."""

    def __init__(self, close: Callable[[], object] | None) -> None:
        self._close = close

    def __call__(self) -> None:
        close, self._close = self._close, None
        if close is not None:
            close()


def _first_bytes(chunks: Iterator[bytes], size: int) -> tuple[Iterator[bytes], bytes]:
    """The first ``size`` bytes of ``chunks`` (all of them if fewer), and the chunks as they
    came, those read included."""
    pieces: list[bytes] = []
    have = 0
    for chunk in chunks:
        pieces.append(chunk)
        have += len(chunk)
        if have >= size:
            break
    start = pieces[0] if len(pieces) == 1 else b"".join(pieces)
    return itertools.chain(pieces, chunks), start[:size]


def _recording(chunks: Iterator[bytes], into: list[bytes]) -> Iterator[bytes]:
    """``chunks``, each also appended to ``into`` as it passes (to send them untouched later)."""
    for chunk in chunks:
        into.append(chunk)
        yield chunk


class _Captured:
    """Holds the wrapped app's start_response call until Forewarn has read the page prefix."""

    def __init__(self) -> None:
        self.status: str = ""
        self.headers: list[tuple[str, str]] = []
        self.exc_info: Any = None
        self.written: list[bytes] = []

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        self.status, self.headers, self.exc_info = status, headers, exc_info
        return self.written.append

    def wait_for_headers(self, chunks: Iterator[bytes]) -> list[bytes]:
        """Pull body chunks until the app called start_response (generator apps call it late)."""
        pending: list[bytes] = []
        while not self.status:
            chunk = next(chunks, None)
            if chunk is None:
                raise RuntimeError("the wrapped WSGI app returned without calling start_response")
            pending.append(chunk)
        return self.written + pending  # write() output comes before the iterable's


def _has_body_hint(tail: bytes, chunk: bytes) -> bool:
    """Whether ``chunk``, or the end of the one before with its start, holds a _BODY_HINT."""
    return (_BODY_HINT.search(chunk) is not None
            or (bool(tail) and _BODY_HINT.search(tail + chunk[:5]) is not None))


def placement_in(
    data: bytes, complete: bool, find: Callable[..., Placement | None], *, eof: bool = True
) -> Placement | None:
    """The placement if ``data`` decides it (an answer from a prefix is final), from ``find``
    (``find_placement`` or a head memory's). ``eof``: with ``complete``, the page ends with
    ``data`` (else it was cut at PREFIX_LIMIT, whose end implies no body). One scan of the
    prefix, except for a page longer than PREFIX_LIMIT whose body and marker window lie beyond
    FIRST_WINDOW."""
    if len(data) > PREFIX_LIMIT:
        placement = find(data[:FIRST_WINDOW], complete=False)
        if placement is not None:
            return placement
    return find(data[:PREFIX_LIMIT], complete=complete,
                eof=complete and eof and len(data) <= PREFIX_LIMIT)
