"""What a URL in the catalog or a mirror list may be: http or https, with a host, no user name, no
control character or space, and written in plain ASCII (an IRI's path, query and fragment
percent-encoded, an international host in IDNA), so that it can neither run script on the
publisher's site (``javascript:``, ``data:``) nor make a reader's page an error (a header value
HTTP cannot carry). Checked and normalised at load (`forewarn check` too); the renderer asks
again before it writes a link, in case a catalog was built without loading it."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from werkzeug.urls import iri_to_uri

SCHEMES = ("http", "https")


def web_url(value: str) -> str:
    """``value`` as a plain-ASCII http(s) URL; ValueError saying what is wrong with it."""
    if any(char.isspace() or unicodedata.category(char).startswith("C") for char in value):
        raise ValueError("must not hold a control character or a space")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:  # also an unclosed [IPv6] bracket
        raise ValueError("must be an http(s) URL with a host") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host")
    if parts.username is not None:
        raise ValueError("must not carry a user name")
    try:
        uri = iri_to_uri(value)
    except UnicodeError:
        raise ValueError("has a host that is not a valid domain name") from None
    return parts.scheme.lower() + uri[len(parts.scheme):]


def is_web_url(value: str | None) -> bool:
    """Whether ``value`` is already a URL ``web_url`` lets through unchanged (what loading makes
    of every catalog URL): the renderer's last check before writing it into a page."""
    if not value:
        return False
    try:
        return web_url(value) == value
    except ValueError:
        return False
