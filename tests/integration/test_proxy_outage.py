"""The proxy shape when Forewarn cannot answer: Forewarn is the site there, so the buffering front
(deploy/nginx/forewarn-proxy.conf, real nginx) has no article to give: the reader gets nginx's
error page, never the article without its notice."""

from __future__ import annotations

from pathlib import Path

import pytest
import urllib3

from tests.integration.outage import FAILURES, ForewarnSlot, Mode
from tests.integration.servers import NginxFront, find_binary, missing_reason
from tests.integration.upstream import Origin
from tests.support import ROOT

RUSSIA = "192.0.2.10"


@pytest.mark.parametrize("mode", [mode for mode in FAILURES if mode != "hanging"])
def test_behind_its_front_a_forewarn_that_cannot_answer_serves_no_article(
    demo_db: Path, tmp_path: Path, mode: Mode
) -> None:
    # ("hanging" is left out: the front would wait its 30 s proxy_read_timeout, then give 504.)
    if find_binary("nginx") is None:
        pytest.skip(missing_reason("nginx"))
    origin = Origin()
    env = {"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
           "FOREWARN_GEOIP_DBS": str(demo_db), "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32"}
    slot = ForewarnSlot(tmp_path, env, ["--upstream", origin.url, "--workers", "1"])
    try:
        slot.set("up")
        (tmp_path / "nginx").mkdir()
        front = NginxFront(tmp_path / "nginx", origin, slot)  # type: ignore[arg-type]
        try:
            url = f"{front.url}/articles/plain"
            headers = {"X-Forwarded-For": RUSSIA}
            served = urllib3.request("GET", url, headers=headers, retries=False, timeout=10)
            assert served.status == 200 and b'data-forewarn="ru-undesirable"' in served.data
            slot.set(mode)
            failed = urllib3.request("GET", url, headers=headers, retries=False, timeout=10)
            assert failed.status in (500, 502)
            assert b"<article>" not in failed.data
        finally:
            front.stop()
    finally:
        slot.stop()
        origin.stop()
