"""`forewarn serve` facing readers directly (no buffering proxy in front) lets a few dozen slow
clients hold every worker thread (slowloris, tests/integration/test_faults.py). Binding anything
but a loopback address prints that warning once, and the README's serving section says it.

The server is started on 192.0.2.1 (TEST-NET-1, an address this machine does not have), so the
warning is printed and nothing ever listens beyond loopback: gunicorn cannot bind and exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT, LiveServer
from webapp.cli import is_loopback_host

FOREWARN = Path(sys.executable).with_name("forewarn")
WARNING = "needs a buffering proxy"


def serve_stderr(host: str, demo_db: Path) -> str:
    """What `forewarn serve --host HOST` says until it gives up binding (a few seconds)."""
    env = {**os.environ, "FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
           "FOREWARN_GEOIP_DBS": str(demo_db)}
    process = subprocess.Popen([str(FOREWARN), "serve", "--host", host, "--port", "8080",
                                "--workers", "1"], stderr=subprocess.PIPE, text=True, env=env)
    try:
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return err


def test_a_non_loopback_host_prints_the_buffering_proxy_warning_once(demo_db: Path) -> None:
    err = serve_stderr("192.0.2.1", demo_db)
    assert err.count(WARNING) == 1, err
    line = next(line for line in err.splitlines() if WARNING in line)
    assert line.startswith("forewarn: warning: ") and "192.0.2.1" in line


def test_a_loopback_server_prints_no_such_warning(live_demo: LiveServer) -> None:
    assert WARNING not in live_demo.log_path.read_text()


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.8.9.10", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.0.2.1", False),
    ("news.example", False), ("::ffff:127.0.0.1", True),
])
def test_which_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_the_readme_serving_section_says_a_buffering_proxy_is_needed() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("**In front of any origin**", 1)[1].split("**At the edge**", 1)[0]
    assert "buffering proxy" in section and "slow" in section
