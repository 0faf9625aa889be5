"""Fixtures for the edge-include tests: Forewarn as operators run it behind a cache, and each
edge server (Varnish, nginx) with its own origin. Every process is stopped at the end of the
session; a failed test's report carries the servers' logs."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from tests.integration.origin import Origin
from tests.integration.servers import EdgeServer, Nginx, Varnish, find_binary, missing_reason
from tests.support import ROOT, LiveServer

EDGES: dict[str, tuple[type[EdgeServer], str]] = {
    # edge name -> (server, the binary it needs)
    "varnish": (Varnish, "varnishd"),
    "nginx": (Nginx, "nginx"),
}


@pytest.fixture(scope="session")
def fallback_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the edges' Forewarn writes the fallback blocks (`fallback_dir`), and the edges
    read them."""
    return tmp_path_factory.mktemp("fallback")


@pytest.fixture(scope="session")
def forewarn_server(request: pytest.FixtureRequest) -> str:
    """The HTTP server `forewarn serve --server` runs the endpoints on: gunicorn, unless a test
    module asks for each (``parametrize("forewarn_server", SERVERS, indirect=True)``)."""
    return str(getattr(request, "param", "gunicorn"))


@pytest.fixture(scope="session")
def forewarn(demo_db: Path, fallback_dir: Path, tmp_path_factory: pytest.TempPathFactory,
             forewarn_server: str) -> Iterator[LiveServer]:
    """A plain `forewarn serve` (not --demo) that trusts only the edge's address, 127.0.0.1,
    and writes the fallback blocks at start."""
    server = LiveServer(["--workers", "2", "--server", forewarn_server],
                        tmp_path_factory.mktemp(f"forewarn-{forewarn_server}") / "forewarn.log",
                        env=forewarn_env(demo_db, fallback_dir))
    yield server
    server.stop()


def forewarn_env(demo_db: Path, fallback_dir: Path) -> dict[str, str]:
    """The settings of Forewarn behind an edge, as the environment gives them."""
    return {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
            "FOREWARN_GEOIP_DBS": str(demo_db),
            "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32",
            "FOREWARN_FALLBACK_DIR": str(fallback_dir)}


@pytest.fixture(scope="session", params=list(EDGES))
def edge(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
    forewarn_server: str,
) -> Iterator[EdgeServer]:
    """Varnish with deploy/varnish/default.vcl, then nginx with deploy/nginx/, each in front of
    an origin whose articles carry the include in that server's syntax (and one per Forewarn
    server: ``forewarn_server`` is here so that each gets its own)."""
    server_class, binary = EDGES[request.param]
    if find_binary(binary) is None:
        pytest.skip(missing_reason(binary))
    forewarn: LiveServer = request.getfixturevalue("forewarn")  # not started for a skip
    origin = Origin("esi" if request.param == "varnish" else "ssi")
    try:
        server = server_class(tmp_path_factory.mktemp(request.param), origin, forewarn,
                              request.getfixturevalue("fallback_dir"))
    except BaseException:
        origin.stop()
        raise
    try:
        yield server
    finally:
        try:
            server.stop()
        finally:
            origin.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.failed:
        edge_server = getattr(item, "funcargs", {}).get("edge")
        if isinstance(edge_server, EdgeServer):
            report.sections.append((f"{edge_server.name} logs", edge_server.logs()))
            report.sections.append(("forewarn log", edge_server.forewarn.log_path.read_text()))
    return report
