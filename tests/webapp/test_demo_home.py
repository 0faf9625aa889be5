"""The demo's home page says who gets which notice, and it cannot drift: every network of
catalog/demo-networks.csv is on it, each claim is checked against what the running demo serves
to a reader there, and the command it shows names the address it runs at."""

from __future__ import annotations

import csv
import ipaddress
import re
import urllib.request

import html5lib
import pytest

from tests.support import ROOT, LiveServer
from webapp.demo import ARTICLES

Row = tuple[list[str], str, list[str]]  # networks, place, notices per article


def home(server: LiveServer) -> str:
    with urllib.request.urlopen(server.url + "/", timeout=10) as response:
        return str(response.read().decode("utf-8"))


def table(page: str) -> list[Row]:
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    rows = []
    for tr in tree.iter("tr"):
        cells = ["".join(cell.itertext()).strip() for cell in tr if cell.tag in ("td", "th")]
        networks = [code.text or "" for code in tr[0].iter("code")]
        if tr.find("td") is not None:
            rows.append((networks, cells[1], cells[2:]))
    return rows


def served(server: LiveServer, address: str, slug: str) -> str:
    request = urllib.request.Request(f"{server.url}/articles/{slug}",
                                     headers={"X-Forwarded-For": address})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(response.headers["X-Forewarn-Notices"])


def shown(cell: str) -> str:
    """A table cell as the header writes it: "a b" -> "a, b"."""
    return ", ".join(cell.split()) if cell != "none" else "none"


@pytest.fixture(scope="module")
def rows(live_demo: LiveServer) -> list[Row]:
    return table(home(live_demo))


def test_every_network_of_the_demo_csv_is_listed_once(rows: list[Row]) -> None:
    lines = (ROOT / "catalog" / "demo-networks.csv").read_text().splitlines()
    networks = [row["network"] for row in csv.DictReader(line for line in lines
                                                         if not line.startswith("#"))]
    listed = [network for row in rows for network in row[0]]
    assert sorted(listed) == sorted(networks)
    places = {network: place for nets, place, _ in rows for network in nets}
    assert places["203.0.113.128/25"] == "Belarus"
    assert places["203.0.113.0/25"] == "Crimea (Avtonomna Respublika Krym, UA-43)"


def test_each_reader_gets_on_each_article_what_the_home_page_says(
    live_demo: LiveServer, rows: list[Row]
) -> None:
    for networks, place, cells in rows:
        addresses = [str(next(ipaddress.ip_network(n).hosts())) for n in networks] or [
            "10.1.2.3"]  # "any other address": one no database places
        for address in addresses:
            got = [served(live_demo, address, article.slug) for article in ARTICLES]
            assert got == [shown(cell) for cell in cells], (place, address)


def test_the_command_shown_names_the_running_address(live_demo: LiveServer) -> None:
    page = home(live_demo)
    assert ":8080" not in page or live_demo.port == 8080
    command = re.search(r"curl [^<]*", page)
    assert command is not None
    address = re.search(r"X-Forwarded-For: ([0-9.]+)", command.group(0))
    assert address is not None
    assert command.group(0).endswith(f"{live_demo.url}/articles/library-winter")
    assert served(live_demo, address.group(1), "library-winter") == "ru-undesirable"
    intro = page.split("<h1>", 1)[1].split('class="article-list"', 1)[0]
    assert "Belarus" in intro and "Crimea" in intro
