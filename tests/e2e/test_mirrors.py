"""A reader who follows a mirror link lands on the same article on the mirror. The navigation is
intercepted and answered inside the test (no outside traffic); what is checked is the URL the
browser asked for and what it sent with it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from tests.e2e.conftest import ReaderFactory
from tests.e2e.places import Place, demo_places, expected_notices, shipped_catalog
from tests.support import LiveServer
from webapp.catalog.model import Catalog

# A query too: a deep link keeps it (percent-encoded where needed).
ARTICLE = "/articles/library-winter?page=2"
WITH_MIRRORS = [
    place for place in demo_places(shipped_catalog())
    if any(n.mirrors for n in expected_notices(shipped_catalog(), place, "en", date.today()))
]


def deep_links(catalog: Catalog, place: Place) -> tuple[set[str], int]:
    """Every mirror of the notices this reader gets, pointing at the same article, and how many
    of them a reader is offered: each address once (two notices may share a mirror), fewer when
    a set shows only ``show`` links a day."""
    links: set[str] = set()
    offered = 0
    for notice in expected_notices(catalog, place, "en", date.today()):
        mirrors = catalog.mirrors[notice.mirrors] if notice.mirrors else None
        if mirrors is None:
            continue
        new = {link.url.rstrip("/") + ARTICLE if mirrors.deep_links else link.url
               for link in mirrors.links} - links
        links |= new
        show = getattr(mirrors, "show", None)
        offered += min(show, len(new)) if show else len(new)
    return links, offered


@pytest.mark.parametrize("place", WITH_MIRRORS, ids=str)
def test_each_mirror_link_opens_the_same_article_on_the_mirror(
    place: Place, reader: ReaderFactory, live_demo: LiveServer, catalog: Catalog,
    screenshot: Callable[..., Path],
) -> None:
    visitor = reader(place.address)
    page = visitor.page
    page.goto(live_demo.url + ARTICLE)
    links = page.locator("aside.forewarn a.forewarn-mirror")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    expected, offered = deep_links(catalog, place)
    assert set(hrefs) <= expected and len(hrefs) == offered, (hrefs, expected)
    screenshot(page, f"{place}-before.png")
    for index, href in enumerate(hrefs):
        if index:
            page.goto(live_demo.url + ARTICLE)
        link = page.locator("aside.forewarn a.forewarn-mirror").nth(index)
        assert "noreferrer" in (link.get_attribute("rel") or "").split()
        link.click()
        page.wait_for_url(lambda url, href=href: url == href)  # exact, not a glob
        assert page.locator("body").inner_text().startswith("A stand-in for the mirror")
        followed = visitor.traffic.followed[-1]
        assert followed.url == href
        assert "referer" not in followed.headers, "the mirror is not told where the reader was"
    assert [f.url for f in visitor.traffic.followed] == hrefs
    assert visitor.traffic.left == [], "nothing but the demo and the stand-in mirror was asked"
