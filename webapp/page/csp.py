"""The nonce a page's Content-Security-Policy gives its own scripts and stylesheets, put on the
block's, so that they load under a nonce-based policy as the page's own do.

A site following Google's "strict CSP" (``script-src 'nonce-R' 'strict-dynamic'``) allows only
scripts that carry this answer's nonce: ``'self'`` counts for nothing there, and the block's
``keep.js`` and ``guard.js`` were refused, as its stylesheet was under ``style-src 'nonce-R'``.
The nonce is the site's for its own markup, and the block is the site's markup, added by the
site's own middleware or proxy.

Only the response's headers are read (a policy in a ``<meta>`` is not: a nonce must be new in
each answer, which a server does in its headers). Directive names are compared without case and
the first of a name in a policy counts, as CSP Level 3 parses a policy; the directive that rules
an element falls back as CSP says (``script-src-elem``, ``script-src``, ``default-src``). When
the enforced policies name no nonce, the report-only ones are read, so that the block causes no
reports either. A value that is not a CSP ``base64-value`` is not used: nothing from a header is
written into the page unless it can only be a nonce.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ENFORCED = "Content-Security-Policy"
REPORT_ONLY = "Content-Security-Policy-Report-Only"
# CSP Level 3, "nonce-source": "'nonce-" base64-value "'", the prefix in any case
_NONCE = re.compile(r"'nonce-([A-Za-z0-9+/_-]+={0,2})'\Z", re.IGNORECASE)
_SCRIPT = ("script-src-elem", "script-src", "default-src")
_STYLE = ("style-src-elem", "style-src", "default-src")
_WHITESPACE = "\t\n\f\r "


@dataclass(frozen=True, slots=True)
class Nonces:
    """The nonce to give the block's ``<script>`` elements and its stylesheet ``<link>``."""

    script: str | None = None
    style: str | None = None


NONE = Nonces()


def page_nonces(enforced: list[str], report_only: list[str]) -> Nonces:
    """The nonces the policies in these header values (each may hold several, comma-separated)
    give scripts and styles; for each, a nonce every enforced policy that names one allows, or
    failing that the first one named (no single nonce satisfies policies that name different
    ones)."""
    if not enforced and not report_only:
        return NONE
    enforcing = [_directives(policy) for value in enforced for policy in value.split(",")]
    reporting = [_directives(policy) for value in report_only for policy in value.split(",")]
    return Nonces(_nonce(enforcing, _SCRIPT) or _nonce(reporting, _SCRIPT),
                  _nonce(enforcing, _STYLE) or _nonce(reporting, _STYLE))


def with_nonces(block: bytes, nonces: Nonces) -> bytes:
    """``block`` with the nonces on its ``<script>`` and stylesheet ``<link>`` tags. Catalog
    text in a block is escaped, so these are the block's own tags (templates/notices/block.html).
    """
    if nonces.script is not None:
        block = block.replace(b"<script ", b'<script nonce="%s" ' % nonces.script.encode(), 2)
    if nonces.style is not None:
        block = block.replace(b"<link ", b'<link nonce="%s" ' % nonces.style.encode(), 1)
    return block


def _directives(policy: str) -> dict[str, list[str]]:
    """One serialized policy as directive name -> source tokens (CSP Level 3, "parse a
    serialized CSP": names in lower case, a repeated name ignored)."""
    found: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        tokens = directive.strip(_WHITESPACE).split()
        if tokens:
            found.setdefault(tokens[0].lower(), tokens[1:])
    return found


def _nonce(policies: list[dict[str, list[str]]], names: tuple[str, ...]) -> str | None:
    named: list[list[str]] = []  # the nonces of each policy whose ruling directive names any
    for directives in policies:
        sources = next((directives[name] for name in names if name in directives), ())
        nonces = [match.group(1) for match in map(_NONCE.match, sources) if match]
        if nonces:
            named.append(nonces)
    if not named:
        return None
    common = [nonce for nonce in named[0] if all(nonce in others for others in named[1:])]
    return (common or named[0])[0]
