"""What the variant edge caches' tests share: Forewarn's settings behind an edge that keys on
the variant, a catalog copy a test may change, Forewarn's counters read through its ops token,
and waiting for a reload to show."""

from __future__ import annotations

import re
import shutil
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from tests.integration.pages import Page, read
from tests.integration.servers import EdgeServer
from tests.support import ROOT

OPS_TOKEN = "variant-cache-test-ops-token"


def copy_catalog(folder: Path) -> Path:
    """The shipped catalog and its mirror list in ``folder``, to be changed by a test."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("notices.toml", "mirrors.json"):
        shutil.copy(ROOT / "catalog" / name, folder / name)
    return folder / "notices.toml"


def forewarn_env(catalog: Path, demo_db: Path, **extra: str) -> dict[str, str]:
    return {"FOREWARN_CATALOG": str(catalog), "FOREWARN_GEOIP_DBS": str(demo_db),
            "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32", "FOREWARN_CDN_CACHES_PER_PLACE": "true",
            "FOREWARN_RELOAD_SECONDS": "0.2", "FOREWARN_OPS_TOKEN": OPS_TOKEN, **extra}


def counter(base: str, name: str) -> float:
    """The sum of Forewarn's counter ``name`` (e.g. ``forewarn_lookups_total``) over its labels,
    or of one labelled series (``name{reason="place"}``), read from ``base``'s metrics."""
    request = urllib.request.Request(base + "/_forewarn/metrics",
                                     headers={"Authorization": f"Bearer {OPS_TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read().decode()
    series = re.escape(name) + ("" if "{" in name else r"(?:\{[^}]*\})?")
    return sum(float(value) for value in re.findall(rf"^{series} (\S+)$", text, re.MULTILINE))


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def cdn_read(edge: EdgeServer, path: str, country: str, region: str | None = None,
             **headers: str) -> Page:
    """A reader as the CDN in front of Varnish sends them: its own country and region headers."""
    sent = {"CF_IPCountry": country, **({"CF_Region_Code": region} if region else {}), **headers}
    return read(edge, path, **sent)
