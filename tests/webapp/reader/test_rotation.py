"""Rotation: a mirror set with ``show = N`` offers N of its links, the same ones all day to every
reader, others the next day, every link in turn, in catalog order."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from typing import Any

import pytest

from geoip.location import Location
from webapp.catalog.model import Catalog, parse_catalog
from webapp.errors import CatalogError
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.links import PageURL, offered
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector

DAY = date(2026, 11, 24)
HOSTS = [f"m{i}.example.com" for i in range(5)]


def catalog(show: Any = 2, **mirror_set: Any) -> Catalog:
    links = [{"url": f"https://{host}/", "label": host} for host in HOSTS]
    return parse_catalog({
        "schema": 1, "organization": "Test Radio",
        "mirrors": {"m": {"links": links, "show": show, **mirror_set}},
        "notices": [{"id": "n", "everyone": True, "mirrors": "m",
                     "text": {"en": {"title": "T", "body": "B"}}}],
    }, "inline.toml")


def shown(cat: Catalog, day: date, host: str | None = None) -> list[str]:
    offer = offered("m", cat.mirrors["m"], host, day)
    return [link.label for link, _href in offer.links]


def block_hosts(cat: Catalog, day: date, path: str) -> list[str]:
    """The mirror hosts in the block a reader gets, rendered as the middleware renders it."""
    renderer = Renderer(cat, "/_forewarn")
    decision = Selector(cat, JurisdictionIndex(cat)).decide(Location("DE"), "en", day)
    html = renderer.block(decision, PageURL(path), day).html
    return [host for host in HOSTS if f"https://{host}/" in html]


@pytest.mark.parametrize(("show", "problem"), [
    (0, "greater than or equal to 1"), (-1, "greater than or equal to 1"),
    ("2", "valid integer"), (True, "valid integer"), (1.5, "valid integer"),
])
def test_show_must_be_a_whole_number_of_at_least_one(show: Any, problem: str) -> None:
    with pytest.raises(CatalogError) as caught:
        catalog(show=show)
    assert caught.value.key == "mirrors.m.show"
    assert problem in caught.value.message


def test_the_same_links_all_day_for_every_reader_and_page() -> None:
    cat = catalog()
    first = block_hosts(cat, DAY, "/a/1")
    assert len(first) == 2
    assert block_hosts(cat, DAY, "/b/2") == first  # each call renders afresh: no cache involved
    assert shown(cat, DAY) == first


def test_other_links_the_next_day_even_from_a_warm_cache() -> None:
    cat = catalog()
    renderer = Renderer(cat, "/_forewarn")
    decision = Selector(cat, JurisdictionIndex(cat)).decide(Location("DE"), "en", DAY)
    today = renderer.block(decision, PageURL("/a"), DAY).html
    tomorrow = renderer.block(decision, PageURL("/a"), DAY + timedelta(days=1)).html
    assert today != tomorrow
    for day in (DAY + timedelta(days=n) for n in range(30)):
        assert shown(cat, day) != shown(cat, day + timedelta(days=1))


def test_every_link_has_its_days_and_the_load_spreads_evenly() -> None:
    cat = catalog(show=2)
    counts = Counter(label for n in range(100) for label in shown(cat, DAY + timedelta(days=n)))
    assert counts == {host: 40 for host in HOSTS}  # 100 days x 2 links / 5 links
    # within a few days every link has been offered
    first_days = {label for n in range(3) for label in shown(cat, DAY + timedelta(days=n))}
    assert first_days == set(HOSTS)


def test_the_links_keep_catalog_order() -> None:
    cat = catalog(show=3)
    for n in range(10):
        labels = shown(cat, DAY + timedelta(days=n))
        assert len(labels) == 3
        assert labels == sorted(labels, key=HOSTS.index)


def test_a_set_no_longer_than_show_is_offered_whole() -> None:
    assert shown(catalog(show=5), DAY) == HOSTS
    assert shown(catalog(show=9), DAY) == HOSTS
    assert shown(catalog(show=None), DAY) == HOSTS


def test_the_mirror_a_reader_came_through_is_left_out_before_choosing() -> None:
    cat = catalog(show=2)
    for n in range(10):
        day = DAY + timedelta(days=n)
        via = shown(cat, day)[0]
        labels = shown(cat, day, host=via)
        assert via not in labels and len(labels) == 2
        assert offered("m", cat.mirrors["m"], via, day).via == via

