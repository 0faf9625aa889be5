"""How a reader asked for a page, as far as the answer's form goes: HEAD or not, and the validators
of a copy they keep (If-None-Match, If-Modified-Since). Forewarn answers these itself.

The wrapped app (or the origin behind the proxy) cannot tell which variant of a page a reader's
copy is: its own validators name its bytes, not the notice set Forewarn added. Left to it, a 304
would let a reader in Russia keep a copy fetched from abroad, or from before a designation, with
no notice. So the app is asked a plain GET (HEAD too: the notice's place is in the body), and the
reader's validators are compared with the headers Forewarn sends, whose ETag names the variant
(webapp/page/headers.py): 304 only when the copy is the variant the reader gets now.

A request the browser makes for a subresource (``Sec-Fetch-Dest: image``, ``style``, ``script``,
...) goes to the app as it came: whatever comes back is never shown to the reader as a page, so
its own validators are safe, and the app need not send images whole to answer a revalidation.
Browsers set that header and pages' scripts cannot; a reader forging it only fools themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from werkzeug.http import is_resource_modified, remove_entity_headers

_VALIDATORS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
# Fetch destinations whose answer the browser never shows as a document (the Fetch standard's
# "destination"); document, iframe, frame, embed, object and "empty" (a script's fetch, which
# Turbo and htmx use for whole pages) may be a page, and so may a request without the header.
SUBRESOURCES = frozenset({
    "audio", "audioworklet", "font", "image", "manifest", "paintworklet", "report", "script",
    "serviceworker", "sharedworker", "style", "track", "video", "worker", "xslt",
})
NOT_MODIFIED = "304 Not Modified"
# The request header that says so: an answer given for a subresource varies on it.
DESTINATION_HEADER = "Sec-Fetch-Dest"


def is_subresource(environ: Mapping[str, Any]) -> bool:
    """Whether the browser asked for a subresource, whose answer it never shows as a page."""
    return environ.get("HTTP_SEC_FETCH_DEST") in SUBRESOURCES


@dataclass(frozen=True, slots=True)
class Asked:
    """The parts of a GET or HEAD request the app is not shown: the method and the validators."""

    head: bool = False
    if_none_match: str | None = None
    if_modified_since: str | None = None

    @classmethod
    def split(cls, environ: Mapping[str, Any]) -> tuple[Asked, dict[str, Any] | None]:
        """What the reader asked, and the environ to give the app instead (a GET without the
        validators); None when the request goes to the app as it is."""
        method = environ.get("REQUEST_METHOD")
        head = method == "HEAD"
        if not head and (method != "GET" or not any(key in environ for key in _VALIDATORS)):
            return PLAIN, None
        if not head and is_subresource(environ):
            return PLAIN, None
        inner = {key: value for key, value in environ.items() if key not in _VALIDATORS}
        inner["REQUEST_METHOD"] = "GET"
        return cls(head, environ.get(_VALIDATORS[0]), environ.get(_VALIDATORS[1])), inner

    def reply(self, status: str, headers: list[tuple[str, str]]
              ) -> tuple[str, list[tuple[str, str]], bool]:
        """The status and headers to send for the app's answer as Forewarn passes it, and
        whether its body goes with them: 304 when the reader's copy is the one they would get
        now (RFC 9110, section 13.2.2: If-None-Match by weak comparison, If-Modified-Since only
        without it and only against a Last-Modified Forewarn kept); no body for HEAD."""
        if (self.if_none_match or self.if_modified_since) and status.startswith("200"):
            current = {name.lower(): value for name, value in headers}
            since = None if self.if_none_match else self.if_modified_since  # INM alone counts
            asked = {"HTTP_IF_NONE_MATCH": self.if_none_match, "HTTP_IF_MODIFIED_SINCE": since}
            if not is_resource_modified(asked, etag=current.get("etag"),
                                        last_modified=current.get("last-modified")):
                kept = list(headers)
                remove_entity_headers(kept)  # what a 304 should not carry (RFC 9110, 15.4.5)
                return NOT_MODIFIED, kept, False
        return status, headers, not self.head


PLAIN = Asked()
