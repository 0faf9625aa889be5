"""Work out the reader's address: REMOTE_ADDR, or the proxies' header (X-Forwarded-For, or
RFC 7239 Forwarded) walked from the right past trusted proxies only. Anything a reader could forge
is ignored unless a trusted hop vouches for it.

Werkzeug's ProxyFix trusts a fixed *number* of hops and python-ipware trusts proxies by count or
by address prefix; Forewarn trusts *networks* (a load balancer pool, a CDN's ranges), so the walk
is done here: each hop is trusted only if its address is in ``trusted_proxies``, and the first
untrusted address from the right is the reader. Only the one header the operator names is read:
a proxy that appends to X-Forwarded-For passes a reader's own ``Forwarded`` through untouched,
so reading both would let the reader pick their address.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Mapping, Sequence
from typing import Any

from webapp.settings import IPNetwork

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_IPv4 = ipaddress.IPv4Address


class Trusted:
    """The trusted proxy networks, checked as one AND and compare per network (the check runs
    for every hop of every request; ``address in network`` costs several times more)."""

    __slots__ = ("_v4", "_v6", "networks")

    def __init__(self, networks: Sequence[IPNetwork]) -> None:
        self.networks = tuple(networks)
        pairs = [(n.version, int(n.network_address), int(n.netmask)) for n in self.networks]
        self._v4 = tuple((net, mask) for version, net, mask in pairs if version == 4)
        self._v6 = tuple((net, mask) for version, net, mask in pairs if version == 6)

    def __contains__(self, address: IPAddress) -> bool:
        value = int(address)
        return any(value & mask == net
                   for net, mask in (self._v4 if type(address) is _IPv4 else self._v6))

    def __bool__(self) -> bool:
        return bool(self.networks)

    def has_v4(self, value: int) -> bool:
        """Whether the IPv4 address whose number is ``value`` is trusted."""
        for net, mask in self._v4:  # noqa: SIM110 - any() over a generator costs more here
            if value & mask == net:
                return True
        return False


def parse_address(value: str) -> IPAddress | None:
    """Parse one address as proxies write it: strips brackets, an IPv4 port and an IPv6 zone."""
    text = value.strip().strip('"')
    if ":" not in text and "[" not in text:
        # Dotted IPv4 (the common case) by the C parser, which accepts exactly what
        # ipaddress does: four decimal octets up to 255, no leading zeros, ASCII digits only.
        try:
            return _IPv4(socket.inet_pton(socket.AF_INET, text.split("%", 1)[0]))
        except (OSError, ValueError):
            return None
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


def client_address(
    environ: Mapping[str, Any], trusted: Sequence[IPNetwork] | Trusted,
    header: str = "x-forwarded-for",
) -> IPAddress | None:
    """The reader's address, or None when it cannot be known (garbage or an obfuscated
    identifier such as ``unknown`` or ``_hidden`` where a trusted proxy names the client)."""
    peer = parse_address(str(environ.get("REMOTE_ADDR", "")))
    if not isinstance(trusted, Trusted):
        trusted = Trusted(trusted)
    if peer is None or not trusted or peer not in trusted:
        return peer
    if header == "forwarded":
        hops = forwarded_for(str(environ.get("HTTP_FORWARDED", "")))
    else:
        hops = [hop for hop in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")
                if hop.strip()]
    current: IPAddress = peer
    for hop in reversed(hops):
        address = parse_address(hop)
        if address is None:
            # A trusted proxy passed on something unparsable: nothing left of it can be believed.
            return None
        current = address
        if address not in trusted:
            return address
    return current


def client_address_text(
    environ: Mapping[str, Any], trusted: Trusted, header: str = "x-forwarded-for",
) -> IPAddress | str | None:
    """``client_address`` for the request path: the same reader, as its dotted IPv4 text when
    the walk ends at one (what ``str()`` of the address gives, and what the geo databases
    take), without building an address object per hop. Any hop that is not plain dotted IPv4
    (IPv6, a port, brackets) and the Forwarded header take ``client_address`` itself."""
    if header != "x-forwarded-for":
        return client_address(environ, trusted, header)
    peer = _ipv4(str(environ.get("REMOTE_ADDR", "")))
    if peer is _OTHER:
        return client_address(environ, trusted, header)
    if peer is None:
        return None
    value, current = peer
    if not trusted.has_v4(value):
        return current
    for hop in reversed(str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",")):
        if not hop.strip():
            continue
        found = _ipv4(hop)
        if found is _OTHER:
            return client_address(environ, trusted, header)
        if found is None:
            return None  # a trusted proxy passed on something unparsable
        value, current = found
        if not trusted.has_v4(value):
            return current
    return current


_OTHER = (-1, "")  # not dotted IPv4: for parse_address to read


def _ipv4(raw: str) -> tuple[int, str] | None:
    """A dotted IPv4 address as parse_address reads one (stripped, unquoted, any zone cut), as
    its number and text; None when it is no address; ``_OTHER`` when it is not that form."""
    text = raw.strip().strip('"')
    if ":" in text or "[" in text:
        return _OTHER
    text = text.split("%", 1)[0]
    try:
        return int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big"), text
    except (OSError, ValueError):
        return None


_PAIR = re.compile(r"""\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;,"]*)\s*""")


def forwarded_for(value: str) -> list[str]:
    """The ``for=`` of each element of an RFC 7239 Forwarded header, left to right. An element
    without ``for=``, or one that cannot be read, gives "" (which no address parses from)."""
    hops: list[str] = []
    for element in _split_outside_quotes(value, ","):
        if not element.strip():
            continue
        found = ""
        for pair in _split_outside_quotes(element, ";"):
            match = _PAIR.fullmatch(pair)
            if match and match.group(1).lower() == "for":
                raw = match.group(2)
                found = raw[1:-1].replace('\\"', '"') if raw.startswith('"') else raw
        hops.append(found)
    return hops


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts
