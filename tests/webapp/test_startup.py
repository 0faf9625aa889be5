"""What a newcomer sees on the first day: a missing geo database and a real site served with the
example catalog are said on stderr, once; `serve` says which address to open, and a port in use
is one line and exit 1; a reader of standard output who goes away (`| head -1`) ends the command
quietly."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.upstream import Origin
from tests.support import ROOT, LiveServer, free_port
from webapp.cli import EXIT_BROKEN_PIPE, main

FOREWARN = str(Path(sys.executable).with_name("forewarn"))
CATALOG = ROOT / "catalog" / "notices.toml"
NO_DATABASE = "forewarn: warning: no geo database (geoip_dbs, FOREWARN_GEOIP_DBS)"
EXAMPLE = "is the example catalog of the fictional Example Radio"


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without any FOREWARN_ setting, plus ``extra``."""
    kept = {key: value for key, value in os.environ.items() if not key.startswith("FOREWARN_")}
    return {**kept, **extra}


def test_lookup_without_a_database_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the default catalog, catalog/notices.toml, as from the checkout
    for key in [key for key in os.environ if key.startswith("FOREWARN_")]:
        monkeypatch.delenv(key)
    assert main(["lookup", "192.0.2.7", "8.8.8.8"]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["jurisdictions"] for line in out.splitlines()] == [["unknown"]] * 2
    assert len(err.splitlines()) == 1
    assert err.startswith(NO_DATABASE)


def test_lookup_with_a_database_says_nothing_more(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lookup", "--demo", "192.0.2.7"]) == 0
    assert capsys.readouterr().err == ""


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


def own_catalog(folder: Path) -> Path:
    """The example catalog made a publisher's own (another organization)."""
    text = CATALOG.read_text(encoding="utf-8").replace('organization = "Example Radio"',
                                                       'organization = "Daily Example"')
    (folder / "mirrors.json").write_bytes((ROOT / "catalog" / "mirrors.json").read_bytes())
    path = folder / "notices.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("shape", "warnings"), [
    ("demo", []),
    ("endpoints without a database", [NO_DATABASE]),
    ("the example catalog in front of a site", [EXAMPLE]),
    ("an own catalog in front of a site", []),
])
def test_serve_says_what_is_amiss_once_and_where_to_open(
    tmp_path: Path, demo_db: Path, origin: Origin, shape: str, warnings: list[str]
) -> None:
    args, env = ["--demo"], clean_environ()
    if shape.startswith("endpoints"):
        args, env = [], clean_environ(FOREWARN_CATALOG=str(CATALOG))
    elif "front" in shape:
        catalog = CATALOG if "example" in shape else own_catalog(tmp_path)
        args, env = ["--upstream", origin.url], clean_environ(
            FOREWARN_CATALOG=str(catalog), FOREWARN_GEOIP_DBS=str(demo_db))
    server = LiveServer(args, tmp_path / "serve.log", env=env)
    server.stop()
    lines = (tmp_path / "serve.log").read_text().splitlines()
    said = [line for line in lines if line.startswith("forewarn: ")]
    assert len(said) == len(warnings) + 1, said
    for line, warning in zip(said, warnings, strict=False):
        assert line.startswith("forewarn: warning: ") and warning in line
    assert said[-1].startswith(f"forewarn: open http://127.0.0.1:{server.port}/")


def test_a_port_in_use_is_one_line_and_exit_1() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([FOREWARN, "serve", "--demo", "--port", str(port)],
                              capture_output=True, text=True, timeout=120, check=False,
                              env=clean_environ())
    assert done.returncode == 1
    assert done.stderr == (f"forewarn: cannot listen on 127.0.0.1:{port}: another server is "
                           "listening there (choose another with --port)\n")


def _stale_install() -> bool:
    planned = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True,
                             check=False)
    return planned.returncode != 0 or "pip install" in planned.stdout


def test_make_run_says_which_address_to_open() -> None:
    """`make run` with PORT=: one line naming the address, and that address serves the demo."""
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve() or _stale_install():
        pytest.skip("runs `make run` only where `make test` set up .venv (no install here)")
    port = free_port()
    process = subprocess.Popen(["make", "run", f"PORT={port}"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env=clean_environ(), start_new_session=True)
    assert process.stdout is not None
    try:
        lines = []
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Booting worker" in line:
                break
        said = [line for line in lines if line.startswith("forewarn: ")]
        assert said == [f"forewarn: open http://127.0.0.1:{port}/ for the demo; Ctrl-C stops "
                        "it"], lines
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def _page(folder: Path) -> Path:
    page = folder / "page.html"
    page.write_text("<!doctype html><html lang=en><body><p>x</p></body></html>")
    return page


CLOSED_PIPE_COMMANDS = {
    "lookup": ["lookup", "--demo", "192.0.2.1", "203.0.113.7"],
    "check": ["check", str(CATALOG)],
    "check --schema": ["check", "--schema"],
    "preview": ["preview", "--demo", "--country", "RU", "--file", "{page}"],
    "preview --link": ["preview", "--link", "--path", "/a"],
    "geoip info": ["geoip", "info", "{db}"],
    "geoip build": ["geoip", "build", str(ROOT / "catalog" / "demo-networks.csv"), "{out}"],
}


@pytest.mark.parametrize("command", CLOSED_PIPE_COMMANDS)
def test_a_closed_pipe_ends_the_command_quietly(
    tmp_path: Path, demo_db: Path, command: str
) -> None:
    """`forewarn ... | head -c 0`: no traceback, the status a Unix tool stopped by SIGPIPE
    has."""
    names = {"page": str(_page(tmp_path)), "db": str(demo_db), "out": str(tmp_path / "o.mmdb")}
    argv = [part.format(**names) for part in CLOSED_PIPE_COMMANDS[command]]
    process = subprocess.Popen([FOREWARN, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=clean_environ(FOREWARN_PREVIEW_TOKEN="t" * 32))
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the command writes anything
    _, err = process.communicate(timeout=120)
    assert err.decode() == ""
    assert process.returncode == EXIT_BROKEN_PIPE == 141


def test_help_into_a_closed_pipe_ends_quietly() -> None:
    """argparse itself ignores a failed write of its help: status 0, nothing said."""
    process = subprocess.Popen([FOREWARN, "--help"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, b"")


def test_the_command_line_loads_without_prometheus_client() -> None:
    """`forewarn serve` points prometheus-client at its multiprocess folder before anything
    imports it (it reads the setting once): nothing the command line imports at its top may."""
    code = "import sys, webapp.cli; print('prometheus_client' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "False\n"
