"""What the response headers of a page become after Forewarn passed: notice ids, cache safety,
corrected length and a per-notice-set ETag. Also decides which responses may be touched at all."""

from __future__ import annotations

import hashlib

from werkzeug.datastructures import Headers, ResponseCacheControl
from werkzeug.http import (
    parse_cache_control_header,
    parse_options_header,
    parse_set_header,
    quote_etag,
    unquote_etag,
)

from webapp.coding import coding_for

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
NOTICES_HEADER = "X-Forewarn-Notices"


def skip_reason(status: str, headers: Headers) -> str | None:
    """Why a response must pass through untouched, or None when it may carry a notice."""
    if not status.startswith("200"):
        return "status"
    mimetype, _ = parse_options_header(headers.get("Content-Type", ""))
    if mimetype.lower() not in HTML_TYPES:
        return "not-html"
    if coding_for(headers.get("Content-Encoding")) is None:
        return "encoded"
    if "Content-Range" in headers:
        return "range"
    disposition, _ = parse_options_header(headers.get("Content-Disposition", ""))
    if disposition.lower() == "attachment":
        return "attachment"
    return None


def declared_charset(headers: Headers) -> str | None:
    _, options = parse_options_header(headers.get("Content-Type", ""))
    charset = options.get("charset")
    return charset.strip().lower() if charset else None


def content_language(headers: Headers) -> str | None:
    value = headers.get("Content-Language", "")
    return value.split(",")[0].strip() or None


def add_vary(headers: Headers, names: tuple[str, ...]) -> None:
    """Add ``names`` to Vary, keeping what the app put there."""
    vary = parse_set_header(headers.get("Vary"))
    for name in names:
        vary.add(name)
    headers["Vary"] = vary.to_header()


def mark_private(headers: Headers) -> None:
    """Add ``private`` to Cache-Control, keeping other directives, so no shared cache stores it."""
    control = parse_cache_control_header(headers.get("Cache-Control"), cls=ResponseCacheControl)
    control.public = False
    control.private = True
    headers["Cache-Control"] = control.to_header()


def finish(
    headers: Headers, notice_ids: tuple[str, ...], added: int, *, length_known: bool = True,
    vary: tuple[str, ...] = (),
) -> None:
    """Set the notice header, cache safety, Content-Length and ETag for ``added`` bytes inserted.

    Cache safety: ``Vary`` on the CDN headers the decision came from (``vary``), so an edge may
    keep one copy per place; otherwise ``Cache-Control: private``. ``length_known=False`` (a body
    re-encoded on the fly) drops Content-Length: the server then sends the body chunked.
    """
    headers[NOTICES_HEADER] = ", ".join(notice_ids) or "none"
    if vary:
        add_vary(headers, vary)
    else:
        mark_private(headers)
    if not added:
        return
    if not length_known:
        headers.pop("Content-Length", None)
    length = headers.get("Content-Length")
    if length is not None and length.strip().isdigit():
        headers["Content-Length"] = str(int(length) + added)
    elif length is not None:
        del headers["Content-Length"]
    etag = headers.get("ETag")
    if etag:
        tag, _weak = unquote_etag(etag)
        if tag:
            digest = hashlib.sha256(" ".join(notice_ids).encode()).hexdigest()[:12]
            headers["ETag"] = quote_etag(f"{tag}-fw-{digest}", weak=True)
