"""Who may see the preview: everyone in the demo; elsewhere whoever shows the ``preview_token``,
either as ``Authorization: Bearer <token>`` or as a short-lived signed link (``sig=``) made with
it by ``forewarn preview --link``. Forewarn sets no cookie, so a link's signature travels in
every URL of the preview's own pages instead.

Never in the URL of a framed article, though: the article is the publisher's page, with its own
scripts and referrer policy (``<meta name="referrer" content="unsafe-url">`` sends the whole
URL to every third party it loads). A frame's URL carries a signature of its own, good for
minutes and for that one page, place, day and language only (``FrameSigner``)."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlencode

from itsdangerous import BadSignature, TimestampSigner

DEFAULT_TTL = 3600
MAX_TTL = 7 * 24 * 3600  # a week: links are for a review, not a standing pass
FRAME_TTL = 10 * 60  # a frame loads with its preview page; "open alone" soon after
_SALT = "forewarn.preview-link"
_FRAME_SALT = "forewarn.preview-frame"
_SIG = re.compile(r"[A-Za-z0-9_.-]{1,200}", re.ASCII)
_CLOCK_SKEW = 60  # seconds a link may seem to come from the future (another machine's clock)


class Access(Enum):
    OPEN = "open"  # the demo
    BEARER = "bearer"
    LINK = "link"
    FRAME = "frame"  # a frame's own signature, for its one page
    EXPIRED = "expired"  # a genuine link, too old: the preview still answers 404
    DENIED = "denied"


def _timestamp_signer(token: str, salt: str, clock: Callable[[], float]) -> TimestampSigner:
    class _Signer(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(clock())

    return _Signer(token, salt=salt, digest_method=hashlib.sha256)


@dataclass(frozen=True)
class LinkSigner:
    """Makes and checks ``sig`` values: a timestamped HMAC-SHA256 (itsdangerous) keyed with the
    preview token, over the link's lifetime in seconds. Changing the token voids every link."""

    token: str
    clock: Callable[[], float] = time.time

    def _signer(self) -> TimestampSigner:
        return _timestamp_signer(self.token, _SALT, self.clock)

    def sign(self, ttl: int = DEFAULT_TTL) -> str:
        if not 0 < ttl <= MAX_TTL:
            raise ValueError(f"ttl must be 1 to {MAX_TTL} seconds")
        return self._signer().sign(str(ttl)).decode("ascii")

    def check(self, sig: str) -> Access:
        """LINK for a genuine link still in its lifetime, EXPIRED for an old one, else DENIED."""
        if not _SIG.fullmatch(sig):
            return Access.DENIED
        try:
            value, signed_at = self._signer().unsign(sig, return_timestamp=True)
        except BadSignature:
            return Access.DENIED
        ttl = int(value) if value.isdigit() else 0
        age = self.clock() - signed_at.timestamp()
        if not 0 < ttl <= MAX_TTL or age < -_CLOCK_SKEW:
            return Access.DENIED
        return Access.LINK if age <= ttl else Access.EXPIRED


@dataclass(frozen=True)
class FrameSigner:
    """Makes and checks a framed page's ``sig``: a timestamped HMAC-SHA256 keyed with the preview
    token (another salt than links': one is never the other) over a digest of the frame's query
    (``frame_scope``), good for FRAME_TTL seconds. A third party that gets it from a Referer can
    open that one framed page for a few minutes, and nothing else."""

    token: str
    clock: Callable[[], float] = time.time

    def _signer(self) -> TimestampSigner:
        return _timestamp_signer(self.token, _FRAME_SALT, self.clock)

    def sign(self, scope: str) -> str:
        return self._signer().sign(_digest(scope)).decode("ascii")

    def check(self, sig: str, scope: str) -> Access:
        """FRAME for a signature of this very frame in its lifetime, EXPIRED for an old one."""
        if not _SIG.fullmatch(sig):
            return Access.DENIED
        try:
            value, signed_at = self._signer().unsign(sig, return_timestamp=True)
        except BadSignature:
            return Access.DENIED
        age = self.clock() - signed_at.timestamp()
        if not hmac.compare_digest(value, _digest(scope).encode()) or age < -_CLOCK_SKEW:
            return Access.DENIED
        return Access.FRAME if age <= FRAME_TTL else Access.EXPIRED


def frame_scope(params: Iterable[tuple[str, object]]) -> str:
    """What a frame's signature is bound to: its query without ``sig``, in a fixed order (the
    same from the values a URL is built with and from the query string it arrives with)."""
    return urlencode(sorted((key, str(value)) for key, value in params if key != "sig"))


def _digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:32]


def check_access(
    demo: bool, token: str | None, authorization: str, sig: str | None,
    clock: Callable[[], float] = time.time, *, frame: str | None = None,
) -> Access:
    """How this request may see the preview (OPEN, BEARER, LINK, FRAME), or why not. ``frame``
    is the scope of a framed page (``frame_scope``): only its own frame signature opens it,
    never a link's."""
    if demo:
        return Access.OPEN
    if not token:
        return Access.DENIED
    if hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return Access.BEARER
    if sig and frame is not None:
        return FrameSigner(token, clock).check(sig, frame)
    if sig:
        return LinkSigner(token, clock).check(sig)
    return Access.DENIED
