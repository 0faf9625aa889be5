"""Mirror links a reader can use: deep links to the same article, never the mirror they came
through, Onion-Location, and texts in a language they read (page, then Accept-Language)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from werkzeug.test import Client

from geoip.location import Location
from tests.support import TODAY
from webapp.catalog.model import parse_catalog
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.links import PageURL
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector

PAGE = b"<!doctype html><html lang='en'><body><p>Story</p></body></html>"
MIRROR = "https://mirror.example.net/"


def page_app(content_type: str = "text/html; charset=utf-8") -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", content_type)])
        return [PAGE]
    return app


def get(engine: Engine, path: str, address: str = "192.0.2.10", host: str = "news.example",
        content_type: str = "text/html; charset=utf-8") -> Any:
    client = Client(NoticeMiddleware(page_app(content_type), engine=engine))
    return client.get(path, headers={"X-Forwarded-For": address, "Host": host},
                      environ_base={"REMOTE_ADDR": "127.0.0.1"})


def test_mirror_links_point_at_the_same_article(engine: Engine) -> None:
    body = get(engine, "/articles/one?page=2").get_data(as_text=True)
    assert f'href="{MIRROR}articles/one?page=2"' in body
    assert '.onion/articles/one?page=2"' in body
    assert 'readonly="" dir="ltr" value="http://' in body  # the onion address, selectable


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ('/a"><script>alert(1)</script>', "a%22%3E%3Cscript%3Ealert(1)%3C/script%3E"),
        ("/a b?q=<x>&y='1'", "a%20b?q=%3Cx%3E&amp;y=%271%27"),
        ("/caf\u00e9", "caf%C3%A9"),
    ],
)
def test_nothing_from_the_path_reaches_the_page_unencoded(path: str, expected: str) -> None:
    assert PageURL(*path.partition("?")[::2]).escaped == expected
    assert "<" not in expected and '"' not in expected


@pytest.mark.parametrize("path", ["//evil.example/x", "evil", "https://evil.example/"])
def test_a_fragment_path_that_is_not_a_local_path_links_to_the_home_page(path: str) -> None:
    assert PageURL.from_environ({}, path=path).path == "/"


def test_the_fragment_deep_links_to_its_path_parameter(engine: Engine) -> None:
    client = Client(NoticeMiddleware(page_app(), engine=engine))
    response = client.get("/_forewarn/fragment?path=/articles/two%3Fx%3D1",
                          headers={"X-Forwarded-For": "192.0.2.10"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert f'href="{MIRROR}articles/two?x=1"' in response.get_data(as_text=True)


def test_middleware_and_fragment_give_a_non_latin_path_the_same_deep_links(
    engine: Engine,
) -> None:
    """PEP 3333 gives PATH_INFO as the request's bytes read as latin-1; the fragment's path= is
    text. Both must come out as the reader's UTF-8 percent-encoded path, & left alone in the
    header."""
    news = "/a/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"
    page = get(engine, f"{news}?x=1&y=2")
    client = Client(NoticeMiddleware(page_app(), engine=engine))
    fragment = client.get(f"/_forewarn/fragment?path={news}%3Fx%3D1%26y%3D2",
                          headers={"X-Forwarded-For": "192.0.2.10"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    for response in (page, fragment):
        assert f'href="{MIRROR}{news[1:]}?x=1&amp;y=2"' in response.get_data(as_text=True)
        assert response.headers["Onion-Location"].endswith(f".onion{news}?x=1&y=2")


def test_the_mirror_the_reader_came_through_is_not_offered_again(engine: Engine) -> None:
    body = get(engine, "/articles/one", host="MIRROR.example.net:443").get_data(as_text=True)
    assert f'href="{MIRROR}' not in body
    # the notice says so, in the block's language (the page's: English)
    assert ('<p class="forewarn-via">You are reading this page through a mirror: '
            '<span dir="ltr">mirror.example.net</span>') in body
    assert ".onion/articles/one" in body  # the other ways in stay


def test_onion_location_once_on_pages_with_an_onion_mirror(engine: Engine) -> None:
    response = get(engine, "/articles/one?x=1")
    assert response.headers.getlist("Onion-Location") == [
        response.get_data(as_text=True).split('data-kind="onion" rel="noreferrer noopener" '
                                              'href="', 1)[1].split('"', 1)[0]]
    assert response.headers["Onion-Location"].endswith(".onion/articles/one?x=1")
    assert "Onion-Location" not in get(engine, "/a", address="198.51.100.1").headers  # no notice
    assert "Onion-Location" not in get(engine, "/a", content_type="text/css").headers


CATALOG = {
    "schema": 1, "organization": "Example Radio", "default_language": "en",
    "jurisdictions": {"ru": {"name": "Russia", "countries": ["RU"], "languages": []}},
    "notices": [{
        "id": "n", "jurisdictions": ["ru"], "since": date(2024, 2, 20),
        "text": {
            "en": {"title": "{organization} since {since}", "body": "Body."},
            "ru": {"title": "{organization} с {since}", "body": "Текст."},
            "uk": {"title": "{organization} з {since}", "body": "Текст."},
        },
    }],
}


@pytest.mark.parametrize(
    ("page_lang", "accept", "first", "used"),
    [
        ("ru", "en", "ru", False),  # the page's language comes first
        (None, "ru-RU,ru;q=0.9,en;q=0.8", "ru", True),
        ("fr", "de, uk;q=0.5, ru;q=0.4", "uk", True),  # French page, no French text
        (None, "de, fr", "en", False),  # nothing the reader reads: the catalog's default
        (None, None, "en", False),
        (None, "ru;q=0, en", "en", True),  # q=0 means "not this one"
    ],
)
def test_text_language_negotiation(
    page_lang: str | None, accept: str | None, first: str, used: bool
) -> None:
    catalog = parse_catalog(CATALOG, "inline.toml")
    selector = Selector(catalog, JurisdictionIndex(catalog))
    decision = selector.decide(Location("RU"), page_lang, TODAY, accept_language=accept)
    assert decision.shown[0].languages[0] == first
    assert decision.used_accept_language is used


@pytest.mark.parametrize(
    ("lang", "title"),
    [("en", "Example Radio since February 20, 2024"),
     ("ru", "Example Radio с 20 февраля 2024\u202fг."),  # Babel: a narrow no-break space
     ("uk", "Example Radio з 20 лютого 2024\u202fр.")],
)
def test_dates_and_names_in_texts_are_written_for_the_language(lang: str, title: str) -> None:
    catalog = parse_catalog(CATALOG, "inline.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location("RU"), lang, TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision).html
    assert f'<h2 class="forewarn-title">{title}</h2>' in html
