"""Who may see the preview: everyone in the demo; elsewhere whoever shows the ``preview_token``,
either as ``Authorization: Bearer <token>`` or as a short-lived signed link (``sig=``) made with
it by ``forewarn preview --link``. Forewarn sets no cookie, so a link's signature travels in
every URL of the preview instead."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from itsdangerous import BadSignature, TimestampSigner

DEFAULT_TTL = 3600
MAX_TTL = 7 * 24 * 3600  # a week: links are for a review, not a standing pass
_SALT = "forewarn.preview-link"
_SIG = re.compile(r"[A-Za-z0-9_.-]{1,200}", re.ASCII)
_CLOCK_SKEW = 60  # seconds a link may seem to come from the future (another machine's clock)


class Access(Enum):
    OPEN = "open"  # the demo
    BEARER = "bearer"
    LINK = "link"
    EXPIRED = "expired"  # a genuine link, too old: the preview still answers 404
    DENIED = "denied"


@dataclass(frozen=True)
class LinkSigner:
    """Makes and checks ``sig`` values: a timestamped HMAC-SHA256 (itsdangerous) keyed with the
    preview token, over the link's lifetime in seconds. Changing the token voids every link."""

    token: str
    clock: Callable[[], float] = time.time

    def _signer(self) -> TimestampSigner:
        clock = self.clock

        class _Signer(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        return _Signer(self.token, salt=_SALT, digest_method=hashlib.sha256)

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


def check_access(
    demo: bool, token: str | None, authorization: str, sig: str | None,
    clock: Callable[[], float] = time.time,
) -> Access:
    """How this request may see the preview (OPEN, BEARER, LINK), or why not."""
    if demo:
        return Access.OPEN
    if not token:
        return Access.DENIED
    if hmac.compare_digest(authorization.encode(), f"Bearer {token}".encode()):
        return Access.BEARER
    if sig:
        return LinkSigner(token, clock).check(sig)
    return Access.DENIED
