"""The preview's signature must not leak through the articles it frames. An article that asks for
`<meta name="referrer" content="unsafe-url">` and loads a third party's image makes Chromium send
that third party the frame's full URL as Referer. Whatever signature that URL carries must be
good for nothing but the one framed page and place, and only for minutes; the editor's link
(good for the whole preview, for up to a week) must never be in it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import urllib3
from playwright.sync_api import Page

from tests.support import ROOT, LiveServer, ThreadedApp
from webapp.preview.access import LinkSigner

TOKEN = "referrer-preview-token-2468"


class ThirdParty(ThreadedApp):
    """Another origin (its own port): records the Referer of every request it gets."""

    def __init__(self) -> None:
        self.referers: list[str] = []
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        self.referers.append(environ.get("HTTP_REFERER", ""))
        start_response("200 OK", [("Content-Type", "image/gif"), ("Cache-Control", "no-store")])
        return [b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"]


class LeakyOrigin(ThreadedApp):
    """A site whose article hands its full URL to a third party."""

    def __init__(self, third_party: str) -> None:
        self.third_party = third_party
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        page = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<meta name="referrer" content="unsafe-url"><title>Leaky</title></head>'
                f'<body><h1>Leaky</h1><img src="{self.third_party}/pixel.gif?{time.time()}" '
                f'alt=""></body></html>')
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]


@pytest.fixture(scope="module")
def leaky_site(demo_db: Path, tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[LiveServer, ThirdParty]]:
    third = ThirdParty()
    origin = LeakyOrigin(third.url)
    server = LiveServer(["--upstream", origin.url, "--workers", "2"],
                        tmp_path_factory.mktemp("referrer") / "forewarn.log",
                        env={"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
                             "FOREWARN_GEOIP_DBS": str(demo_db),
                             "FOREWARN_PREVIEW_TOKEN": TOKEN})
    yield server, third
    server.stop()
    origin.stop()
    third.stop()


def test_a_framed_article_cannot_leak_a_signature_good_for_the_preview(
    page: Page, leaky_site: tuple[LiveServer, ThirdParty],
) -> None:
    server, third = leaky_site
    link_sig = LinkSigner(TOKEN).sign(7 * 24 * 3600)
    page.goto(f"{server.url}/_forewarn/preview?path=/articles/leaky&sig={link_sig}")
    page.wait_for_load_state("networkidle")
    for _ in range(100):  # the frames load lazily; the first ones are in view
        if third.referers:
            break
        page.wait_for_timeout(50)
    assert third.referers, "the framed articles loaded nothing from the third party"
    http = urllib3.PoolManager(retries=False, timeout=10)
    for referer in third.referers:
        assert link_sig not in referer
        leaked = parse_qs(urlsplit(referer).query).get("sig", [])
        for sig in leaked:  # whatever the third party got opens nothing else
            assert http.request("GET", f"{server.url}/_forewarn/preview?sig={sig}").status == 404
            other = f"{server.url}/_forewarn/preview/page?country=IR&path=/secret&sig={sig}"
            assert http.request("GET", other).status == 404
        if leaked:  # and it does open the one page it was made for
            assert http.request("GET", referer).status == 200
    assert any("sig=" in referer for referer in third.referers)  # frames do carry their own
