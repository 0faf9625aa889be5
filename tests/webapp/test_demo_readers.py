"""The shipped catalog's newer cases end to end, through the real demo server (`forewarn serve
--demo` under gunicorn): a reader in Belarus gets the Belarus notice in English, Belarusian and
Russian with the mirrors of catalog/mirrors.json; a reader of the Persian article anywhere gets the
Persian notice right to left; the editors' preview has a Belarus column."""

from __future__ import annotations

import re
import urllib.request
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient

from tests.support import LiveServer

ARTICLE = "/articles/library-winter"  # an English page
BELARUS = ("203.0.113.200", "2001:db8:5::1")


class Sections(HTMLParser):
    """The notice texts of a page, each language of each notice: (notice id, lang, dir, text),
    the first language of a notice being its section, the others its translations (behind the
    "This notice in" disclosure); and the mirror links."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[list[str]] = []
        self.links: list[tuple[str, str]] = []
        self.html = ""
        self._notice = ""
        self._open: list[str] = []  # the elements open inside the current text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        classes = found.get("class", "").split()
        if tag == "section" and "forewarn-notice" in classes:
            self._notice = found["data-notice-id"]
            self._start(tag, found)
        elif "forewarn-translation" in classes:
            self._start(tag, found)
        elif self._open:
            self._open.append(tag)
        if tag == "a" and found.get("class") == "forewarn-mirror":
            self.links.append((found["data-kind"], found["href"]))

    def _start(self, tag: str, found: dict[str, str]) -> None:
        self.sections.append([self._notice, found["lang"], found["dir"], ""])
        self._open = [tag]

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        # a notice's own text, not the disclosure labels or a translation inside it
        if self._open and "summary" not in self._open and "nav" not in self._open:
            self.sections[-1][3] += data


def get(server: LiveServer, path: str, address: str) -> tuple[dict[str, str], Sections]:
    request = urllib.request.Request(server.url + path, headers={"X-Forwarded-For": address})
    with urllib.request.urlopen(request, timeout=10) as response:
        parser = Sections()
        parser.html = response.read().decode("utf-8")
        parser.feed(parser.html)
        return dict(response.headers), parser


@pytest.mark.parametrize("address", BELARUS)
def test_a_reader_in_belarus_gets_the_notice_in_english_belarusian_and_russian(
    live_demo: LiveServer, address: str
) -> None:
    headers, page = get(live_demo, ARTICLE, address)
    assert headers["X-Forewarn-Notices"] == "by-extremist"
    assert "private" in headers["Cache-Control"]
    assert [(s[0], s[1], s[2]) for s in page.sections] == [
        ("by-extremist", "en", "ltr"), ("by-extremist", "be", "ltr"),
        ("by-extremist", "ru", "ltr")]
    # the English first, in its section; the Belarusian and the Russian behind its disclosure
    sections = re.findall(r'<section class="forewarn-notice[^>]*lang="(\w+)"', page.html)
    assert sections == ["en"]
    english, belarusian, russian = (s[3] for s in page.sections)
    # the designation date, written for each language
    assert "since December 23, 2021" in english
    assert "З 23 снежня 2021\u202fг." in belarusian
    assert "С 23 декабря 2021\u202fг." in russian
    assert "Рэспубліканскі спіс экстрэмісцкіх матэрыялаў" in belarusian


def test_the_belarus_mirrors_come_from_the_mirror_list_deep_linked(live_demo: LiveServer) -> None:
    headers, page = get(live_demo, ARTICLE, BELARUS[0])
    assert page.links == [
        ("mirror", f"https://d1x2example.cloudfront.example.com{ARTICLE}"),
        ("onion", "http://exampleradio5xq2mirrorsb7vf4ncm3o2hjkdw6ylhq7trzcqwmvf3vnpad.onion"
                  f"{ARTICLE}"),
        ("ipfs", f"https://example-radio.ipfs.example.org{ARTICLE}"),
    ]
    assert headers["Onion-Location"] == page.links[1][1]


def test_a_reader_in_belarus_on_the_russian_article_reads_russian_first(
    live_demo: LiveServer,
) -> None:
    headers, page = get(live_demo, "/articles/radio-volunteers", BELARUS[0])
    # Belarus's own notice first, then Russia's (for readers of Russian pages anywhere)
    assert headers["X-Forewarn-Notices"] == "by-extremist, ru-undesirable"
    assert [(s[0], s[1]) for s in page.sections] == [
        ("by-extremist", "ru"), ("by-extremist", "be"), ("by-extremist", "en"),
        ("ru-undesirable", "ru"), ("ru-undesirable", "en")]


@pytest.mark.parametrize(("address", "place"), [("198.51.100.1", "Germany"),
                                                ("198.51.100.70", "US")])
def test_a_reader_of_the_persian_article_anywhere_gets_the_persian_notice_right_to_left(
    live_demo: LiveServer, address: str, place: str
) -> None:
    headers, page = get(live_demo, "/articles/river-teahouse", address)
    assert headers["X-Forewarn-Notices"] == "ir-hostile-media", place
    # in Persian, right to left; the English (the catalog's default) behind the disclosure
    assert [(s[0], s[1], s[2]) for s in page.sections] == [("ir-hostile-media", "fa", "rtl"),
                                                           ("ir-hostile-media", "en", "ltr")]
    assert "رسانه‌های فارسی‌زبان" in page.sections[0][3]


def test_the_preview_shows_what_a_reader_in_belarus_gets(client: FlaskClient) -> None:
    html = client.get(f"/_forewarn/preview?path={ARTICLE}").get_data(as_text=True)
    assert ">Belarus</h2>" in html  # the place, its jurisdiction named like it said once
    caption = html.split(">Belarus</h2>", 1)[1].split("</figcaption>", 1)[0]
    assert re.search(r"notices: <code[^>]*>by-extremist</code>", caption), caption
    page = client.get(f"/_forewarn/preview/page?country=BY&path={ARTICLE}")
    assert page.headers["X-Forewarn-Notices"] == "by-extremist"
    assert 'lang="be" dir="ltr"' in page.get_data(as_text=True)
