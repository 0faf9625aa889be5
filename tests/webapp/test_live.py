"""`forewarn serve --demo` as a real gunicorn process on 127.0.0.1, spoken to over HTTP."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.support import LiveServer


def fetch(
    server: LiveServer, path: str, address: str | None = None
) -> tuple[dict[str, str], bytes]:
    request = urllib.request.Request(server.url + path)
    if address:
        request.add_header("X-Forwarded-For", address)
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(response.headers), response.read()


@pytest.mark.parametrize(
    ("address", "notices"),
    [("203.0.113.7", "ru-undesirable"), ("192.0.2.44", "ru-undesirable"),
     ("198.51.100.1", "none"), ("198.51.100.200", "none")],
)
def test_live_server_gives_each_reader_their_notice(
    live_demo: LiveServer, address: str, notices: str
) -> None:
    headers, body = fetch(live_demo, "/articles/library-winter", address)
    assert headers["X-Forewarn-Notices"] == notices
    assert "private" in headers["Cache-Control"]
    assert int(headers["Content-Length"]) == len(body)
    assert (b'<aside class="forewarn"' in body) == (notices != "none")


def test_live_healthz_and_no_reader_address_in_the_logs(live_demo: LiveServer) -> None:
    for _ in range(5):
        fetch(live_demo, "/articles/radio-volunteers", "203.0.113.99")
    _headers, body = fetch(live_demo, "/_forewarn/healthz")
    assert json.loads(body)["status"] == "ok"
    log = live_demo.log_path.read_text()
    assert "Booting worker" in log  # the log is really being captured
    assert "203.0.113.99" not in log and "127.0.0.1 " not in log.split("Listening at")[-1]


def _counter(text: str, name: str, label: str) -> float:
    """One sample's value from Prometheus text, 0 when absent."""
    for line in text.splitlines():
        if line.startswith(f"{name}{{{label}}} "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_live_metrics_add_up_every_worker(live_demo: LiveServer) -> None:
    name = "forewarn_notices_served_total"
    label = 'notice="ir-hostile-media"'
    _, before = fetch(live_demo, "/_forewarn/metrics")
    for _ in range(12):  # two workers, four threads each: the requests land on both
        fetch(live_demo, "/articles/river-teahouse", "198.51.100.130")
    _, after = fetch(live_demo, "/_forewarn/metrics")
    served = _counter(after.decode(), name, label) - _counter(before.decode(), name, label)
    assert served == 12
    assert "198.51.100" not in after.decode()


def test_access_and_debug_logs_hold_no_reader_data(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    server = LiveServer(["--demo", "--workers", "1", "--access-log", "-", "--log-level", "debug"],
                        tmp_path_factory.mktemp("logs") / "forewarn.log")
    try:
        for address in ("203.0.113.77", "192.0.2.77", "2001:db8:3::77"):
            request = urllib.request.Request(
                server.url + "/articles/library-winter?utm_source=tracked-reader",
                headers={"X-Forwarded-For": address, "Accept-Language": "qx-QX, ru;q=0.5",
                         "User-Agent": "reader-agent/1.0", "Referer": "https://ref.example/"})
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    finally:
        server.stop()
    log = server.log_path.read_text()
    assert '"GET /articles/library-winter" 200' in log  # the access log is really there
    assert "[DEBUG]" in log  # and gunicorn's debug output
    for secret in ("203.0.113.77", "192.0.2.77", "2001:db8:3::77", "127.0.0.1 -", "qx-QX",
                   "tracked-reader", "reader-agent", "ref.example", "UA-43"):
        assert secret not in log, secret
