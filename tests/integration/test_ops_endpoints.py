"""What the reader-facing port tells anyone about the deployment, under a real `forewarn serve`:
a bare liveness answer for load balancers and the Docker HEALTHCHECK, nothing more. The counts
of readers served per notice (near-live numbers of readers in Russia and Belarus), the files and
their errors need the operator's `ops_token`. On each server `forewarn serve --server` offers,
with two workers whose counts the metrics add up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import urllib3

from tests.integration.servers import SERVERS
from tests.support import ROOT, LiveServer

OPS_TOKEN = "ops-token-97531"
RUSSIA = "192.0.2.10"


def start(demo_db: Path, folder: Path, server: str, **env: str) -> LiveServer:
    return LiveServer(["--workers", "2", "--server", server], folder / "forewarn.log", env={
        "FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
        "FOREWARN_GEOIP_DBS": str(demo_db), "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32", **env})


@pytest.fixture(scope="module", params=SERVERS)
def server_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def without_token(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, server_name: str
                  ) -> Iterator[LiveServer]:
    server = start(demo_db, tmp_path_factory.mktemp("no-ops-token"), server_name)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def with_token(demo_db: Path, tmp_path_factory: pytest.TempPathFactory, server_name: str
               ) -> Iterator[LiveServer]:
    server = start(demo_db, tmp_path_factory.mktemp("ops-token"), server_name,
                   FOREWARN_OPS_TOKEN=OPS_TOKEN)
    yield server
    server.stop()


def get(url: str, token: str | None = None) -> urllib3.BaseHTTPResponse:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return urllib3.request("GET", url, headers=headers, retries=False, timeout=10)


def test_liveness_is_public_and_bare(without_token: LiveServer, with_token: LiveServer) -> None:
    for server, token in ((without_token, None), (with_token, None),
                          (with_token, "wrong-token"), (without_token, OPS_TOKEN)):
        response = get(f"{server.url}/_forewarn/healthz", token)
        assert response.status == 200
        assert json.loads(response.data) == {"status": "ok"}
        assert response.headers["Cache-Control"] == "no-store"


def test_metrics_are_not_there_without_the_ops_token(
    without_token: LiveServer, with_token: LiveServer,
) -> None:
    urllib3.request("GET", f"{without_token.url}/_forewarn/fragment?path=/a",
                    headers={"X-Forwarded-For": RUSSIA})
    for server, token in ((without_token, None), (without_token, OPS_TOKEN),
                          (with_token, None), (with_token, "wrong-token")):
        response = get(f"{server.url}/_forewarn/metrics", token)
        assert response.status == 404
        assert b"forewarn_" not in response.data


def test_the_ops_token_opens_the_details_and_the_metrics(with_token: LiveServer) -> None:
    urllib3.request("GET", f"{with_token.url}/_forewarn/fragment?path=/a",
                    headers={"X-Forwarded-For": RUSSIA})
    health = json.loads(get(f"{with_token.url}/_forewarn/healthz", OPS_TOKEN).data)
    assert health["status"] == "ok" and health["catalog"]["path"].endswith("notices.toml")
    metrics = get(f"{with_token.url}/_forewarn/metrics", OPS_TOKEN)
    assert metrics.status == 200
    assert b'forewarn_notices_served_total{notice="ru-undesirable"}' in metrics.data


def test_the_metrics_add_up_every_workers_count(with_token: LiveServer) -> None:
    """Forty fragments for readers in Russia, eight at a time, each on a connection of its own
    (so both workers serve some): every scrape, whichever worker answers it, counts all forty
    more."""
    served = 'forewarn_notices_served_total{notice="ru-undesirable"}'

    def count() -> float:
        text = get(f"{with_token.url}/_forewarn/metrics", OPS_TOKEN).data.decode()
        return sum(float(line.split()[-1]) for line in text.splitlines()
                   if line.startswith(served))

    before = count()

    def fragment(_: int) -> int:
        return urllib3.request("GET", f"{with_token.url}/_forewarn/fragment?path=/a",
                               headers={"X-Forwarded-For": RUSSIA, "Connection": "close"},
                               retries=False, timeout=10).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(fragment, range(40))) == {200}
    assert [count() - before for _ in range(6)] == [40.0] * 6
