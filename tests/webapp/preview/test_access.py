"""Who may see the preview outside the demo: the Bearer token, or a short-lived signed link whose
signature travels in every URL of the preview (no cookie); everyone else gets 404."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from werkzeug.test import Client

from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.preview.access import (
    FRAME_TTL,
    MAX_TTL,
    Access,
    FrameSigner,
    LinkSigner,
    check_access,
    frame_scope,
)

TOKEN = "editor-token-1234"
ENDPOINTS = ("preview", "preview/page", "preview/matrix", "preview/matrix.csv")
ARTICLE = (b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A</title></head>'
           b"<body><main><h1>A story</h1></main></body></html>")


def article(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """A site that forbids being framed, as many do."""
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("X-Frame-Options", "DENY"),
                              ("Content-Security-Policy",
                               "default-src 'self'; frame-ancestors 'none'")])
    return [ARTICLE]


@pytest.fixture
def site(engine: Engine) -> Client:
    """A publisher's app behind the middleware, not the demo, with a preview token."""
    settings = replace(engine.settings, demo=False, preview_token=TOKEN)
    return Client(NoticeMiddleware(article, engine=Engine(settings, clock=engine.clock)))


def signed(ttl: int = 3600, age: float = 0, token: str = TOKEN) -> str:
    return LinkSigner(token, clock=lambda: time.time() - age).sign(ttl)


def test_a_link_works_for_its_lifetime_then_expires() -> None:
    now = [1_800_000_000.0]
    signer = LinkSigner(TOKEN, clock=lambda: now[0])
    sig = signer.sign(600)
    assert sig.startswith("600.")
    now[0] += 600
    assert signer.check(sig) is Access.LINK
    now[0] += 1
    assert signer.check(sig) is Access.EXPIRED


@pytest.mark.parametrize(
    "sig",
    [
        signed(token="another-token"),  # made with another token (or before it was changed)
        signed()[:-2] + ("AA" if not signed().endswith("AA") else "BB"),  # tampered
        "999999999." + signed().split(".", 1)[1],  # a longer life written in
        signed(age=-3600),  # from the future
        "",
        "not-a-signature",
        "<script>",
        "x" * 500,
    ],
    # named, not shown: a signature holds the time, and parallel workers must collect the
    # same tests
    ids=["other-token", "tampered", "longer-life", "from-the-future", "empty",
         "not-a-signature", "markup", "long"],
)
def test_anything_but_a_genuine_link_is_denied(sig: str) -> None:
    assert LinkSigner(TOKEN).check(sig) is Access.DENIED


def test_links_live_at_most_a_week() -> None:
    with pytest.raises(ValueError, match="ttl must be 1 to 604800 seconds"):
        LinkSigner(TOKEN).sign(MAX_TTL + 1)


def test_access_rules() -> None:
    assert check_access(True, None, "", None) is Access.OPEN
    assert check_access(False, None, f"Bearer {TOKEN}", signed()) is Access.DENIED  # no token set
    assert check_access(False, TOKEN, f"Bearer {TOKEN}", None) is Access.BEARER
    assert check_access(False, TOKEN, f"Bearer {TOKEN}x", None) is Access.DENIED
    assert check_access(False, TOKEN, f"bearer {TOKEN}", None) is Access.DENIED
    assert check_access(False, TOKEN, "", signed()) is Access.LINK
    assert check_access(False, TOKEN, "", signed(ttl=60, age=61)) is Access.EXPIRED


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_without_token_or_link_every_preview_endpoint_is_absent(
    site: Client, endpoint: str
) -> None:
    for headers, query in (({}, ""), ({"Authorization": "Bearer wrong"}, ""),
                           ({}, f"sig={signed(token='guess')}"), ({}, "sig=garbage"),
                           ({"Authorization": TOKEN}, "")):
        response = site.get(f"/_forewarn/{endpoint}?{query}", headers=headers)
        assert response.status_code == 404
        assert b"preview" not in response.data.lower()  # nothing says a preview is here


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_bearer_token_opens_every_endpoint(site: Client, endpoint: str) -> None:
    response = site.get(f"/_forewarn/{endpoint}?path=/articles/1",
                        headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert b"sig=" not in response.data  # nothing to carry: the header comes with each request


def test_an_expired_link_says_so_but_still_answers_404(site: Client) -> None:
    response = site.get(f"/_forewarn/preview?sig={signed(ttl=60, age=120)}")
    assert response.status_code == 404
    assert b"This preview link has expired" in response.data


def test_a_signed_link_carries_its_signature_through_views_forms_and_downloads(
    site: Client,
) -> None:
    """The preview's own pages carry the link's signature; a framed article (and its "open
    alone" link) carries a frame's own, never the link's (issue 15, item 10)."""
    sig = signed()
    page = site.get(f"/_forewarn/preview?path=/articles/1&sig={sig}&country=RU")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    urls = [html.unescape(u) for u in re.findall(r'(?:src|href)="(/_forewarn/preview[^"]*)"', text)]
    places = text.count('<figure class="pv-frame')
    assert places == 8  # ru (Russia, Crimea), by, ir, DE, US, UA, unknown
    assert len(urls) == 3 + 2 * places  # navigation, then a frame and an "open" link per place
    for url in urls:
        framed = url.startswith("/_forewarn/preview/page")
        assert (f"sig={sig}" in url) is not framed, url
        assert "sig=" in url, url
        assert site.get(url).status_code == 200, url
    assert f'<input type="hidden" name="sig" value="{sig}">' in text
    matrix = site.get(f"/_forewarn/preview/matrix?sig={sig}").get_data(as_text=True)
    assert f'<input type="hidden" name="sig" value="{sig}">' in matrix
    rows = [html.unescape(u) for u in re.findall(r'<th scope="row"><a href="([^"]+)"', matrix)]
    assert rows and all(f"sig={sig}" in row for row in rows)
    assert site.get(rows[0]).status_code == 200
    assert "Set-Cookie" not in page.headers


def test_a_changed_token_voids_old_links(engine: Engine) -> None:
    sig = signed()
    settings = replace(engine.settings, demo=False, preview_token="a-new-token")
    client = Client(NoticeMiddleware(article, engine=Engine(settings, clock=engine.clock)))
    assert client.get(f"/_forewarn/preview?sig={sig}").status_code == 404


def frame_url(sig_for: str | None = None, clock: Any = time.time, **params: str) -> str:
    """A framed page's URL with a frame signature for ``sig_for`` (default: these params)."""
    sig = FrameSigner(TOKEN, clock).sign(sig_for or frame_scope(params.items()))
    return f"/_forewarn/preview/page?{urlencode({**params, 'sig': sig})}"


def test_a_frame_signature_opens_its_one_page_for_minutes(site: Client) -> None:
    place = {"country": "RU", "path": "/articles/1"}
    assert site.get(frame_url(**place)).status_code == 200
    for other in ({"country": "IR", "path": "/articles/1"}, {"country": "RU", "path": "/other"},
                  {**place, "lang": "ru"}, {**place, "date": "2026-01-01"}):
        scope = frame_scope(place.items())
        assert site.get(frame_url(sig_for=scope, **other)).status_code == 404, other
    old = frame_url(clock=lambda: time.time() - FRAME_TTL - 1, **place)
    response = site.get(old)
    assert response.status_code == 404 and b"has expired" in response.data
    sig = dict(parse_qsl(urlsplit(frame_url(**place)).query))["sig"]
    assert site.get(f"/_forewarn/preview?sig={sig}").status_code == 404  # not a link's


def test_a_links_signature_does_not_open_a_framed_page(site: Client) -> None:
    """The article's own scripts and referrer policy see a framed page's URL."""
    url = f"/_forewarn/preview/page?country=RU&path=/articles/1&sig={signed()}"
    assert site.get(url).status_code == 404


def test_the_framed_copy_drops_the_sites_frame_ban_for_the_preview_only(site: Client) -> None:
    framed = site.get(frame_url(country="RU", path="/articles/1"))
    assert framed.status_code == 200
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert framed.headers["Content-Security-Policy"] == (
        "default-src 'self'; frame-ancestors 'self'")
    assert framed.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert framed.headers["Referrer-Policy"] == "no-referrer"  # the URL holds the signature
    readers = site.get("/articles/1")
    assert readers.headers["X-Frame-Options"] == "DENY"  # readers get the site's own rules
