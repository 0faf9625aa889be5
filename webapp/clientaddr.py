"""Work out the reader's address: REMOTE_ADDR, or X-Forwarded-For walked from the right past
trusted proxies only. Anything a reader could forge is ignored unless a trusted hop vouches for it.

Werkzeug's ProxyFix trusts a fixed *number* of hops; Forewarn trusts *networks* (a load balancer
pool, a CDN's ranges), so the walk is done here: each hop is trusted only if its address is in
``trusted_proxies``, and the first untrusted address from the right is the reader.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

from webapp.settings import IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> IPAddress | None:
    """Parse one address as proxies write it: strips brackets, an IPv4 port and an IPv6 zone."""
    text = value.strip().strip('"')
    if text.startswith("["):
        text, closed, _port = text[1:].partition("]")
        if not closed:
            return None
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def is_trusted(address: IPAddress, trusted: Sequence[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in trusted)


def client_address(environ: Mapping[str, Any], trusted: Sequence[IPNetwork]) -> IPAddress | None:
    """The reader's address, or None when it cannot be known (garbage in a trusted chain)."""
    peer = parse_address(str(environ.get("REMOTE_ADDR", "")))
    if peer is None or not trusted or not is_trusted(peer, trusted):
        return peer
    forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    current: IPAddress = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy passed on something unparsable: nothing left of it can be believed.
            return None
        current = address
        if not is_trusted(address, trusted):
            return address
    return current
