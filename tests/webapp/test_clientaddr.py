"""The reader's address: REMOTE_ADDR, or X-Forwarded-For walked from the right past trusted hops."""

from __future__ import annotations

import ipaddress

import pytest

from webapp.clientaddr import client_address, parse_address

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
