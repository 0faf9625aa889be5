"""What the response headers of a page become after Forewarn passed: notice ids, cache safety,
corrected length and an ETag per variant. Also decides which responses may be touched at all.

Pages pass by the thousand with the same few header values, so every parse of a value
(Content-Type, Cache-Control, Vary, ETag) is done once per distinct value and remembered; the
values are the site's, never the reader's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

from werkzeug.datastructures import ResponseCacheControl
from werkzeug.http import (
    parse_cache_control_header,
    parse_date,
    parse_options_header,
    parse_set_header,
    quote_etag,
    unquote_etag,
)

from webapp.page.coding import Coding, coding_for
from webapp.page.sniff import XML_TYPES, browser_content_type, is_unknown

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
NOTICES_HEADER = "X-Forewarn-Notices"
# skip_reason's answer for a page whose type the browser sniffs: HTML or not by its first bytes;
# and for an XML document, a page if its root is XHTML's <html> (page/sniff.py)
UNTYPED = "untyped"
XML = "xml"
EDGE_KEY_HEADER = "X-Forewarn-Variant"  # the variant edge cache's key (webapp/reader/variant.py)
# Within a day of a change, a page the origin gave no lifetime gets one that ends there: a
# cache's own default (nginx's proxy_cache_valid, Varnish's default_ttl, a CDN's edge TTL) could
# carry it past. Further off, an explicit lifetime would override a shorter default: none is set.
STATED_WITHIN = 86400
_PARSED = 1024  # distinct header values remembered per kind
# Headers by which an origin tells a shared cache to keep a page whatever Cache-Control says:
# Varnish's built-in VCL skips its `private` check when Surrogate-Control is there, nginx obeys
# X-Accel-Expires first, Akamai Edge-Control, and CDNs their targeted fields (RFC 9213) instead of
# Cache-Control. On a page decided per reader each is made to say "do not store" (name -> value);
# Surrogate-Control keeps its content="..." (what an ESI surrogate processes). Surrogate-Key and
# the like only tag copies for purging: harmless, left alone.
NO_SHARED_STORE = {
    "X-Accel-Expires": "0",
    "Edge-Control": "no-store",
    "CDN-Cache-Control": "no-store",
    "Cloudflare-CDN-Cache-Control": "no-store",
    "Akamai-Cache-Control": "no-store",
    "Vercel-CDN-Cache-Control": "no-store",
    "Netlify-CDN-Cache-Control": "no-store",
}


_SHARED_STORE_NAMES = frozenset(name.lower() for name in ("Surrogate-Control", *NO_SHARED_STORE))


class MutableHeaders(Protocol):
    """What ``finish`` needs of a header collection: werkzeug's Headers, or ResponseHeaders."""

    def get(self, key: str) -> str | None: ...
    def get_all(self, key: str) -> list[str]: ...
    def __setitem__(self, key: str, value: str) -> None: ...
    def __delitem__(self, key: str) -> None: ...
    def __contains__(self, key: str, /) -> bool: ...


class ResponseHeaders:
    """A WSGI app's header list, read through one index and changed by name, as werkzeug's
    ``Headers`` does it: setting a name that is there replaces every header of that name in the
    place of the first, one that is not there is added at the end, deleting removes them all.
    ``items()`` is the list to send. Names are compared case-insensitively."""

    __slots__ = ("_changes", "_first", "_items")

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self._items = list(items)
        self._first: dict[str, str] = {}
        for name, value in reversed(self._items):
            self._first[name.lower()] = value
        # lower-case name -> (name as set, value or None when deleted, added at the end)
        self._changes: dict[str, tuple[str, str | None, bool]] = {}

    def get(self, key: str) -> str | None:
        lower = key.lower()
        change = self._changes.get(lower)
        return self._first.get(lower) if change is None else change[1]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def __setitem__(self, key: str, value: str) -> None:
        if "\n" in value or "\r" in value:
            raise ValueError(f"header {key} must not contain a newline")
        lower = key.lower()
        change = self._changes.get(lower)
        if change is None:
            self._changes[lower] = (key, value, lower not in self._first)
        elif change[1] is not None:
            self._changes[lower] = (key, value, change[2])
        else:  # deleted before: it comes back at the end
            del self._changes[lower]
            self._changes[lower] = (key, value, True)

    def __delitem__(self, key: str) -> None:
        self._changes[key.lower()] = (key, None, False)

    def get_all(self, key: str) -> list[str]:
        """Every value of ``key``, in order: as the app sent them, or the one set since."""
        lower = key.lower()
        change = self._changes.get(lower)
        if change is not None:
            return [] if change[1] is None else [change[1]]
        if lower not in self._first:
            return []
        return [value for name, value in self._items if name.lower() == lower]

    def has_none_of(self, lower_names: frozenset[str]) -> bool:
        """Whether no header of these (lower-case) names is there, as sent or as set since."""
        return lower_names.isdisjoint(self._first) and lower_names.isdisjoint(self._changes)

    def items(self) -> list[tuple[str, str]]:
        changes = self._changes
        if not changes:
            return self._items
        out: list[tuple[str, str]] = []
        done: set[str] = set()
        for name, value in self._items:
            lower = name.lower()
            change = changes.get(lower)
            if change is None:
                out.append((name, value))
            elif lower not in done:
                done.add(lower)
                if change[1] is not None and not change[2]:
                    out.append((change[0], change[1]))
        out.extend((name, value) for name, value, added in changes.values()
                   if added and value is not None)
        return out


def sendable(value: str) -> bool:
    """Whether a header value can go out as it is: latin-1 (what WSGI servers encode headers
    in, RFC 9110 field-vchar and obs-text) without control characters."""
    # max() over a str is one C loop; a generator over its characters cost ~25 µs a page.
    return value.isprintable() and (value.isascii() or max(value) <= "\xff")


def notice_ids_in(value: str | None) -> tuple[str, ...]:
    """The ids an ``X-Forewarn-Notices`` value names: () for "none" or no header."""
    if not value or value.strip() == "none":
        return ()
    return tuple(part.strip() for part in value.split(",") if part.strip())


def skip_reason(status: str, headers: MutableHeaders, coding: Coding | None) -> str | None:
    """Why a response must pass through untouched, or None when it may carry a notice;
    ``UNTYPED`` or ``XML`` when that depends on its first bytes (page/sniff.py: no usable
    Content-Type and sniffing allowed, or a generic XML type; not compressed). ``coding`` is
    the body's (``content_coding``), which the caller needs too."""
    if not status.startswith("200"):
        return "status"
    untyped = xml = False
    shown_as = page_type(headers)[0]
    if shown_as not in HTML_TYPES:
        if coding is None or not coding.identity:
            return "not-html"
        if shown_as in XML_TYPES:
            xml = True
        elif not is_unknown(shown_as) or _nosniff(headers):
            return "not-html"
        else:
            untyped = True
    if coding is None:
        return "encoded"
    if "Content-Range" in headers:
        return "range"
    disposition = headers.get("Content-Disposition")
    if disposition and media_type(disposition)[0] == "attachment":
        return "attachment"
    return UNTYPED if untyped else XML if xml else None


def _nosniff(headers: MutableHeaders) -> bool:
    """``X-Content-Type-Options: nosniff`` (Fetch, "determine nosniff": its first value)."""
    value = headers.get("X-Content-Type-Options")
    return value is not None and value.split(",")[0].strip(" \t").lower() == "nosniff"


@lru_cache(maxsize=_PARSED)
def media_type(value: str) -> tuple[str, str | None]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", "utf-8")``; werkzeug parses."""
    mimetype, options = parse_options_header(value)
    charset = options.get("charset")
    return mimetype.lower(), charset.strip().lower() if charset else None


def content_coding(headers: MutableHeaders) -> Coding | None:
    """The Coding of the body, from every Content-Encoding header (page/coding.py)."""
    values = headers.get_all("Content-Encoding")
    return coding_for(values[0] if len(values) == 1 else ", ".join(values) or None)


def page_type(headers: MutableHeaders) -> tuple[str, str | None]:
    """The MIME type ("" for none) and charset the browser takes from the Content-Type values
    (page/sniff.py)."""
    return browser_content_type(tuple(headers.get_all("Content-Type")))


def declared_charset(headers: MutableHeaders) -> str | None:
    return page_type(headers)[1]


def content_language(headers: MutableHeaders) -> str | None:
    value = headers.get("Content-Language") or ""
    return value.split(",")[0].strip() or None


def add_vary(headers: MutableHeaders, names: tuple[str, ...]) -> None:
    """Add ``names`` to Vary, keeping what the app put there."""
    headers["Vary"] = _with_vary(headers.get("Vary"), names)


def mark_private(headers: MutableHeaders) -> None:
    """Add ``private`` to Cache-Control, keeping other directives, and make every surrogate or
    accelerator caching header say "do not store" (NO_SHARED_STORE): no shared cache keeps it."""
    headers["Cache-Control"] = _private(headers.get("Cache-Control"))
    if isinstance(headers, ResponseHeaders) and headers.has_none_of(_SHARED_STORE_NAMES):
        return  # the usual page: one set operation instead of eight look-ups
    surrogate = headers.get("Surrogate-Control")
    if surrogate is not None:
        headers["Surrogate-Control"] = _surrogate_no_store(surrogate)
    for name, value in NO_SHARED_STORE.items():
        if name in headers:
            headers[name] = value


def finish(
    headers: MutableHeaders, notice_ids: tuple[str, ...], added: int, *,
    length_known: bool = True, vary: tuple[str, ...] = (), variant: str | None = None,
    edge_key: str | None = None, lifetime: int | None = None, stale: int | None = None,
    browser: int | None = None,
) -> None:
    """Set the notice header, cache safety, Content-Length and validators for ``added`` bytes
    inserted.

    Cache safety: ``Vary`` on the CDN headers the decision came from (``vary``), so an edge may
    keep one copy per place; otherwise private (``mark_private``). ``variant`` names what the
    reader was decided to get (notice set, languages, catalog version; engine.Answer): the ETag
    becomes weak and specific to it, and Last-Modified goes, since a date cannot say which
    variant a copy is (docs/architecture.md, Contracts). Without a variant (a page that passes
    the same for every reader) the validators stay. ``edge_key``: the variant edge cache's key
    for this page (webapp/reader/variant.py). ``lifetime``: seconds until what readers get can
    change, which no lifetime a cache reads may outlast; ``stale``: how long an edge keeping the
    page per variant may serve it stale while it asks again (``stale-while-revalidate``, where
    the origin says nothing). ``browser``: the longest a reader's browser may show its copy
    without asking again (``browser_max_age``): the reader may have moved since, and only a
    request lets Forewarn see it. ``length_known=False`` (a body re-encoded on the fly) drops
    Content-Length: the server then sends the body chunked.
    """
    headers[NOTICES_HEADER] = ", ".join(notice_ids) or "none"
    if edge_key is not None:
        headers[EDGE_KEY_HEADER] = edge_key
    if vary:
        add_vary(headers, vary)
    else:
        mark_private(headers)
    if lifetime is not None or stale is not None or browser is not None:
        _lifetimes(headers, lifetime, bool(vary), stale, browser)
    if variant is not None:
        _validators_for(headers, variant)
    if not added:
        return
    length = headers.get("Content-Length") if length_known else None
    if length is not None and length.strip().isdigit():
        headers["Content-Length"] = str(int(length) + added)
    elif length is not None or not length_known:
        del headers["Content-Length"]


def _lifetimes(headers: MutableHeaders, lifetime: int | None, shared: bool,
               stale: int | None, browser: int | None) -> None:
    """Cache-Control cut to ``lifetime`` and ``browser`` (``fresh_for``), and the fields that
    some caches obey before it (X-Accel-Expires, Surrogate-Control, the CDNs' targeted fields)
    no longer than ``lifetime`` either. An ``Expires`` date is first stated as the ``max-age``
    it means, which every cache then reads instead (RFC 9111, section 4.2.1), so that it is
    cut like one."""
    value = headers.get("Cache-Control")
    expires = headers.get("Expires")
    if expires is not None:
        value = _expires_stated(value, expires, headers.get("Date"))
    control = fresh_for(value, lifetime, shared, stale, browser)
    if control:
        headers["Cache-Control"] = control
    if lifetime is None:
        return
    accel = headers.get("X-Accel-Expires")
    if accel is not None and not (accel.strip().isdigit() and int(accel) <= lifetime):
        headers["X-Accel-Expires"] = str(lifetime)  # a date (@...) or a longer time: cut
    for name in ("Surrogate-Control", *NO_SHARED_STORE):
        value = headers.get(name)
        if value is not None and name != "X-Accel-Expires":
            headers[name] = fresh_for(value, lifetime, False, None, None) or value


_STALE = "stale-while-revalidate"


def _expires_stated(control: str | None, expires: str, date: str | None) -> str | None:
    """``control`` with the ``max-age`` an ``Expires`` date means (from the answer's ``Date``,
    else now; an unreadable date is already past), when it states none."""
    lowered = (control or "").lower()
    if "max-age" in lowered or "no-store" in lowered:  # PHP's sessions: no-store and a 1981 date
        return control
    parsed = parse_cache_control_header(control, cls=ResponseCacheControl)
    end = parse_date(expires)
    start = (parse_date(date) if date else None) or datetime.now(UTC)
    parsed.max_age = max(0, int((end - start).total_seconds())) if end is not None else 0
    return parsed.to_header()


@lru_cache(maxsize=_PARSED)
def fresh_for(value: str | None, lifetime: int | None, shared: bool, stale: int | None,
              browser: int | None = None) -> str:
    """``value`` (a Cache-Control) with ``max-age`` and ``s-maxage`` at most ``lifetime``,
    ``s-maxage`` stated for a ``shared`` page with no lifetime of its own within a day of the
    change, and ``stale-while-revalidate=stale`` where none is given, cut so that no copy is
    served past the change either. Then ``max-age`` at most ``browser``, the longest a reader's
    browser may keep showing the page: for a ``shared`` page, shared caches keep the lifetime
    they had as ``s-maxage``, which they read first. ``no-store`` pages are left alone."""
    control = parse_cache_control_header(value, cls=ResponseCacheControl)
    if control.no_store:
        return value or ""
    if stale is not None and _stale_while_revalidate(control) is None:
        control[_STALE] = str(stale)
    if lifetime is not None:
        if control.max_age is not None and control.max_age > lifetime:
            control.max_age = lifetime
        if control.s_maxage is not None and control.s_maxage > lifetime:
            control.s_maxage = lifetime
        stated = control.s_maxage if control.s_maxage is not None else control.max_age
        if stated is None and shared and lifetime < STATED_WITHIN:
            control.s_maxage = stated = lifetime
        given = _stale_while_revalidate(control)
        if given is not None:
            left = lifetime - (stated or 0)
            if left > 0:
                control[_STALE] = str(min(given, left))
            else:
                del control[_STALE]
    if browser is not None and control.max_age is not None and control.max_age > browser:
        if shared and control.s_maxage is None:
            control.s_maxage = control.max_age
        control.max_age = browser
    return control.to_header()


def _stale_while_revalidate(control: ResponseCacheControl) -> int | None:
    """The directive's seconds, None when absent or not a number. Read from the parsed fields
    as Werkzeug 3.1's property does: Werkzeug 3.0 (the lowest bound) has no such property."""
    value = control.get(_STALE)
    return int(value) if value is not None and value.isdigit() else None


def _validators_for(headers: MutableHeaders, variant: str) -> None:
    etag = headers.get("ETag")
    if etag is not None:
        tagged = _tagged_etag(etag, variant)
        if tagged is None:
            del headers["ETag"]
        else:
            headers["ETag"] = tagged
    if "Last-Modified" in headers:
        del headers["Last-Modified"]


@lru_cache(maxsize=_PARSED)
def _with_vary(value: str | None, names: tuple[str, ...]) -> str:
    vary = parse_set_header(value)
    for name in names:
        vary.add(name)
    return vary.to_header()


@lru_cache(maxsize=_PARSED)
def _private(value: str | None) -> str:
    control = parse_cache_control_header(value, cls=ResponseCacheControl)
    control.public = False
    control.private = True
    return control.to_header()


@lru_cache(maxsize=_PARSED)
def _surrogate_no_store(value: str) -> str:
    """Surrogate-Control saying no-store, with the content="..." it named (ESI/1.0) kept."""
    kept = [part.strip() for part in value.split(",")
            if part.strip().lower().startswith("content=")]
    return ", ".join(["no-store", *kept])


@lru_cache(maxsize=_PARSED)
def _tagged_etag(etag: str, variant: str) -> str | None:
    """The page's ETag made weak and specific to the variant; None for an empty or malformed
    tag (one with a quote inside: the page then goes without a validator, never an error)."""
    tag, _weak = unquote_etag(etag)
    if not tag:
        return None
    try:
        return quote_etag(f"{tag}-fw-{variant}", weak=True)
    except ValueError:
        return None
