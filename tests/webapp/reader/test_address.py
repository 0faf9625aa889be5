"""The reader's address: REMOTE_ADDR, or X-Forwarded-For walked from the right past trusted hops."""

from __future__ import annotations

import ipaddress
from ipaddress import ip_network

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.reader.address import Trusted, client_address, client_address_text, parse_address

TRUSTED = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("198.51.100.7", None, "198.51.100.7"),
        # A reader who sends X-Forwarded-For directly is not believed.
        ("198.51.100.7", "192.0.2.1", "198.51.100.7"),
        ("10.0.0.2", "192.0.2.1", "192.0.2.1"),
        # Walked from the right: the left-most entries are whatever the client wrote.
        ("10.0.0.2", "203.0.113.9, 192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "203.0.113.9, 192.0.2.1, 10.1.1.1", "192.0.2.1"),
        ("::1", "[2001:db8::5]:4711", "2001:db8::5"),
        ("10.0.0.2", "192.0.2.1:5555", "192.0.2.1"),
        ("10.0.0.2", "::ffff:192.0.2.1", "192.0.2.1"),
        ("10.0.0.2", "fe80::1%eth0", "fe80::1"),
        # Garbage behind a trusted hop: nothing further left can be believed.
        ("10.0.0.2", "192.0.2.1, unknown", None),
        ("10.0.0.2", "192.0.2.1, <script>", None),
        # Only trusted hops: the left-most of them is the best we know.
        ("10.0.0.2", "10.3.3.3", "10.3.3.3"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("not-an-address", "192.0.2.1", None),
    ],
)
def test_client_address(remote: str, forwarded: str | None, expected: str | None) -> None:
    environ = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        environ["HTTP_X_FORWARDED_FOR"] = forwarded
    result = client_address(environ, TRUSTED)
    assert result == (ipaddress.ip_address(expected) if expected else None)


def test_spoofed_forwarded_for_from_untrusted_peer_is_ignored_when_nothing_is_trusted() -> None:
    environ = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1"}
    assert client_address(environ, ()) == ipaddress.ip_address("10.0.0.2")


@pytest.mark.parametrize("text", ["", "1.2.3", "::g", "[::1", "999.1.1.1", "\x00"])
def test_unparsable_addresses_give_none(text: str) -> None:
    assert parse_address(text) is None


@pytest.mark.parametrize(
    ("remote", "forwarded", "expected"),
    [
        ("10.0.0.2", "for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
        ("10.0.0.2", 'for=192.0.2.1, for="[2001:db8:cafe::17]:4711"', "2001:db8:cafe::17"),
        ("10.0.0.2", 'For="192.0.2.1:80";proto=https', "192.0.2.1"),
        ("10.0.0.2", "for=203.0.113.9, for=192.0.2.1, for=10.1.1.1", "192.0.2.1"),
        # Obfuscated or unknown identifiers and elements without for=: not an address.
        ("10.0.0.2", "for=_hidden", None),
        ("10.0.0.2", "for=unknown", None),
        ("10.0.0.2", "for=192.0.2.1, proto=https", None),
        ("10.0.0.2", 'for="192.0.2.1;by=x"', None),
        ("10.0.0.2", 'for="unterminated', None),
        # Not trusted: the header is the reader's own words.
        ("198.51.100.7", "for=192.0.2.1", "198.51.100.7"),
    ],
)
def test_rfc7239_forwarded(remote: str, forwarded: str, expected: str | None) -> None:
    environ = {"REMOTE_ADDR": remote, "HTTP_FORWARDED": forwarded}
    result = client_address(environ, TRUSTED, "forwarded")
    assert result == (ipaddress.ip_address(expected) if expected else None)


def test_only_the_named_header_is_read() -> None:
    """A proxy that appends to X-Forwarded-For passes a reader's own Forwarded through."""
    environ = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.1",
               "HTTP_FORWARDED": "for=192.0.2.1"}
    assert client_address(environ, TRUSTED) == ipaddress.ip_address("198.51.100.1")
    del environ["HTTP_X_FORWARDED_FOR"]
    assert client_address(environ, TRUSTED) == ipaddress.ip_address("10.0.0.2")


def test_a_huge_header_is_walked_without_error() -> None:
    environ = {"REMOTE_ADDR": "10.0.0.2",
               "HTTP_X_FORWARDED_FOR": "10.9.9.9, " * 5000 + "192.0.2.1",
               "HTTP_FORWARDED": '"for=;' * 5000}
    assert client_address(environ, TRUSTED) == ipaddress.ip_address("192.0.2.1")
    assert client_address(environ, TRUSTED, "forwarded") is None


HOPS = st.sampled_from(["192.0.2.7", " 203.0.113.9 ", "10.0.0.1", "10.0.0.2", "127.0.0.1",
                        '"192.0.2.8"', "192.0.2.9%eth0", "192.0.2.10:8080", "[2001:db8::1]:443",
                        "2001:db8::2", "::ffff:198.51.100.1", "fe80::1%eth0", "unknown", "_hidden",
                        "01.2.3.4", "1.2.3", "999.1.1.1", "", " ", "192.0.2.11\x00"])


@given(st.sampled_from(["127.0.0.1", "10.0.0.1", "192.0.2.1", "::1", "2001:db8::9", "garbage",
                        "", "10.0.0.3:4000"]),
       st.lists(HOPS, max_size=5),
       st.sampled_from([[], ["10.0.0.0/8"], ["127.0.0.1/32", "10.0.0.0/30"],
                        ["10.0.0.0/8", "2001:db8::/32", "::1/128"], ["0.0.0.0/0"]]))
def test_the_fast_walk_finds_the_reader_the_full_parse_finds(
    remote: str, hops: list[str], networks: list[str]
) -> None:
    # client_address_text (dotted IPv4 kept as text) against client_address, the reference.
    trusted = Trusted([ip_network(n) for n in networks])
    environ = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": ",".join(hops)}
    reference = client_address(environ, trusted)
    found = client_address_text(environ, trusted)
    assert (None if found is None else str(found)) == (
        None if reference is None else str(reference))
