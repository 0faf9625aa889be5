"""Which mirror links a reader is offered and where they point: deep links to the same article,
not the mirror the request came through, a stable daily subset when a set is long, and the
``Onion-Location`` of the page."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import quote, urlsplit

from webapp.catalog.model import MirrorLink, MirrorSet
from webapp.catalog.urls import is_web_url

# Stands in for the request's path and query in cached blocks; replaced per request. Only
# characters that autoescaping leaves alone, so it survives rendering unchanged.
PATH_TOKEN = "@@forewarn-path@@"  # noqa: S105 - a placeholder, not a secret
# What may stay unencoded of a path or query when it is put in a link: no quote, no angle
# bracket, no space, nothing HTML or JavaScript could make use of.
_PATH_SAFE = "/-._~!$()*+,;=:@%"
_QUERY_SAFE = _PATH_SAFE + "&?"


@dataclass(frozen=True, slots=True)
class PageURL:
    """The page a block is for: its path, query and Host, all that mirror links depend on (never
    the reader's address)."""

    path: str = "/"
    query: str = ""
    host: str | None = None

    @classmethod
    def from_environ(cls, environ: Mapping[str, Any], path: str | None = None) -> PageURL:
        """The page's path (``path`` overrides it, e.g. the fragment's ``path=``) and Host.

        The environ's path and query are the request's bytes read as latin-1 (PEP 3333): they
        are read again as UTF-8 here, so that the path is the text the fragment's ``path=`` gives
        for the same page, and both deep-link to the same percent-encoded URL."""
        if path is None:
            path = _text(str(environ.get("SCRIPT_NAME", "")) + str(environ.get("PATH_INFO", "/")))
            query = _text(str(environ.get("QUERY_STRING", "")))
        else:
            path, _, query = path.partition("?")
        if not path.startswith("/") or path.startswith("//"):
            path, query = "/", ""
        return cls(path, query, _host(str(environ.get("HTTP_HOST", "")) or None))

    @classmethod
    def host_of_request(cls, environ: Mapping[str, Any]) -> PageURL:
        """Only the Host of the request, for a page with no block (its variant depends on
        nothing else of the URL)."""
        return cls(host=_host(str(environ.get("HTTP_HOST", "")) or None))

    @property
    def quoted(self) -> str:
        """Path and query as they go into a URL (the Onion-Location header): percent-encoded
        UTF-8, so nothing from the request can break out of it; ``&`` stays as it is."""
        text = quote(self.path.lstrip("/"), safe=_PATH_SAFE, errors="surrogateescape")
        if self.query:
            text += "?" + quote(self.query, safe=_QUERY_SAFE, errors="surrogateescape")
        return text

    @property
    def escaped(self) -> str:
        """``quoted``, HTML-escaped as well, for an href."""
        return html.escape(self.quoted, quote=True)


def _text(wsgi: str) -> str:
    """A PEP 3333 string (bytes read as latin-1) as the UTF-8 text it carries; bytes that are
    not UTF-8 are kept as surrogates, to be percent-encoded as the bytes they were."""
    try:
        return wsgi.encode("latin-1").decode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # not from a WSGI server: already text
        return wsgi


@dataclass(frozen=True, slots=True)
class Offered:
    """The links of one set as a reader gets them; hrefs may hold PATH_TOKEN."""

    links: tuple[tuple[MirrorLink, str], ...]
    via: str | None  # the mirror this request came through, when it did


def offered(name: str, mirror_set: MirrorSet, host: str | None, day: date) -> Offered:
    """The set's links without the one the request came through, rotated by day if ``show``.
    A link that is not a plain http(s) URL is never offered, checked or not."""
    links = [link for link in mirror_set.links
             if is_web_url(link.url) and host_of(link.url) != host]
    via = next((link.label for link in mirror_set.links if host_of(link.url) == host), None)
    if mirror_set.show is not None and len(links) > mirror_set.show:
        links = _daily_subset(name, links, mirror_set.show, day)
    return Offered(tuple((link, _href(link, mirror_set.deep_links)) for link in links), via)


def onion_location(sets: list[Offered]) -> str | None:
    """The (deep-linked) address of the first onion mirror offered, for ``Onion-Location``."""
    for offer in sets:
        for link, href in offer.links:
            if link.kind == "onion":
                return href
    return None


def _href(link: MirrorLink, deep: bool) -> str:
    if not deep:
        return link.url
    return link.url.rstrip("/") + "/" + PATH_TOKEN


def _daily_subset(name: str, links: list[MirrorLink], show: int, day: date) -> list[MirrorLink]:
    """The same ``show`` links all day for every reader (cacheable), the next ``show`` tomorrow:
    a window that moves round the list, so every link has its days and the load spreads evenly.
    Where a set's window starts depends on its name. Catalog order kept."""
    offset = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")
    start = (day.toordinal() * show + offset) % len(links)
    chosen = {(start + step) % len(links) for step in range(show)}
    return [link for index, link in enumerate(links) if index in chosen]


def host_of(url: str) -> str | None:
    """The lower-case host of a URL, without port or credentials."""
    return _host(urlsplit(url).netloc)


def _host(netloc: str | None) -> str | None:
    if not netloc:
        return None
    host = netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.split("]", 1)[0].lower() + "]"
    return host.split(":", 1)[0].lower().rstrip(".") or None
