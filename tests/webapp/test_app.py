"""The demo app and Forewarn's endpoints, through Flask's test client."""

from __future__ import annotations

from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from webapp.app import create_app
from webapp.demo import ARTICLES
from webapp.engine import Engine

RUSSIA, GERMANY, CRIMEA = "192.0.2.10", "198.51.100.1", "203.0.113.7"


def test_home_lists_every_demo_article_with_a_preview_link(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    for article in ARTICLES:
        assert f'href="/articles/{article.slug}"' in html
        assert f'href="/_forewarn/preview?path=/articles/{article.slug}"' in html


@pytest.mark.parametrize(
    ("slug", "address", "notices"),
    [
        ("library-winter", CRIMEA, "ru-undesirable"),
        ("library-winter", GERMANY, "none"),
        ("radio-volunteers", GERMANY, "ru-undesirable"),  # Russian-language page
        ("river-teahouse", "198.51.100.129", "ir-hostile-media"),
    ],
)
def test_demo_articles_carry_the_readers_notices(
    client: FlaskClient, slug: str, address: str, notices: str
) -> None:
    response = client.get(f"/articles/{slug}", headers={"X-Forwarded-For": address})
    assert response.status_code == 200
    assert response.headers["X-Forewarn-Notices"] == notices
    assert (b'class="forewarn"' in response.data) == (notices != "none")


def test_healthz_reports_catalog_and_databases_without_reader_data(client: FlaskClient) -> None:
    response = client.get("/_forewarn/healthz", headers={"X-Forwarded-For": RUSSIA})
    assert response.status_code == 200
    health = response.get_json()
    assert health["status"] == "ok"
    assert health["catalog"]["notices"] == 3
    assert health["catalog"]["path"].endswith("notices.toml")
    assert health["geoip"][0]["type"] == "Forewarn-City"
    assert RUSSIA not in response.get_data(as_text=True)


def test_stylesheet_is_served_where_the_block_links_it(client: FlaskClient) -> None:
    response = client.get("/_forewarn/static/forewarn.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b".forewarn-notice" in response.data


def test_static_does_not_leave_its_folder(client: FlaskClient) -> None:
    assert client.get("/_forewarn/static/..%2fcli.py").status_code == 404


@pytest.mark.parametrize(
    ("address", "lang", "notices"),
    [(RUSSIA, "en", "ru-undesirable"), (GERMANY, "en", "none"), (GERMANY, "ru", "ru-undesirable")],
)
def test_fragment_is_the_block_for_this_reader(
    client: FlaskClient, address: str, lang: str, notices: str
) -> None:
    response = client.get(f"/_forewarn/fragment?path=/a/1&lang={lang}",
                          headers={"X-Forwarded-For": address})
    assert response.headers["X-Forewarn-Notices"] == notices
    assert "private" in response.headers["Cache-Control"]
    assert response.headers["Content-Length"] == str(len(response.data))
    if notices == "none":
        assert response.data == b""
    else:
        assert response.data.startswith(b'<aside class="forewarn"')


@pytest.mark.parametrize(
    ("query", "notices", "lang"),
    [
        ("country=RU", "ru-undesirable", "en"),
        ("region=UA-43", "ru-undesirable", "en"),
        ("country=UA&region=UA-43", "ru-undesirable", "en"),
        ("country=DE", "none", None),
        ("country=DE&lang=ru", "ru-undesirable", "ru"),
        ("", "ru-undesirable", "en"),  # unknown location
        ("country=RU&date=2024-02-19", "none", None),  # before the designation
    ],
)
def test_preview_page_is_the_article_as_served_there(
    client: FlaskClient, query: str, notices: str, lang: str | None
) -> None:
    response = client.get(f"/_forewarn/preview/page?path=/articles/library-winter&{query}")
    assert response.status_code == 200
    assert response.headers["X-Forewarn-Notices"] == notices
    assert response.headers["Cache-Control"] == "no-store"
    if lang:
        assert f'data-notice-id="ru-undesirable" lang="{lang}"'.encode() in response.data


def test_preview_shows_russia_crimea_germany_and_unknown_side_by_side(client: FlaskClient) -> None:
    html = client.get("/_forewarn/preview?path=/articles/library-winter").get_data(as_text=True)
    for query in ("country=RU&amp;", "country=UA&amp;region=UA-43&amp;", "country=DE&amp;"):
        assert f'src="/_forewarn/preview/page?{query}path=/articles/library-winter"' in html
    assert 'src="/_forewarn/preview/page?path=/articles/library-winter"' in html  # unknown
    assert html.count("<iframe") >= 5


@pytest.mark.parametrize(
    "query",
    ["country=XX", "region=UA-99", "country=DE&region=UA-43", "date=yesterday", "lang=%3Cscript%3E",
     "path=https://evil.example/", "path=//evil.example/"],
)
def test_preview_refuses_bad_values_without_reflecting_them(
    client: FlaskClient, query: str
) -> None:
    if not query.startswith("path="):
        query = f"path=/&{query}"
    response = client.get(f"/_forewarn/preview/page?{query}")
    assert response.status_code == 400
    assert b"<script>" not in response.data and b"evil.example" not in response.data


def test_preview_is_absent_without_demo_or_token(engine: Engine) -> None:
    settings = replace(engine.settings, demo=False, preview_token=None)
    client = create_app(engine=_engine_with(engine, settings)).test_client()
    assert client.get("/_forewarn/preview").status_code == 404
    assert client.get("/articles/library-winter").status_code == 404  # no demo articles either


def test_preview_needs_the_exact_token(engine: Engine) -> None:
    settings = replace(engine.settings, demo=False, preview_token="s3cret-token")
    client = create_app(engine=_engine_with(engine, settings)).test_client()
    wrong = client.get("/_forewarn/preview", headers={"Authorization": "Bearer wrong"})
    assert wrong.status_code == 404
    ok = client.get("/_forewarn/preview/page?country=RU",
                    headers={"Authorization": "Bearer s3cret-token"})
    assert ok.status_code == 404  # no article at / outside the demo, but preview answered
    assert ok.headers["Cache-Control"] == "no-store"


def _engine_with(engine: Engine, settings: object) -> Engine:
    return Engine(settings, clock=engine.clock)  # type: ignore[arg-type]


def test_no_cookie_is_ever_set(client: FlaskClient) -> None:
    for path in ("/", "/articles/library-winter", "/_forewarn/healthz", "/_forewarn/preview"):
        assert "Set-Cookie" not in client.get(path, headers={"X-Forwarded-For": RUSSIA}).headers


def test_metrics_count_notices_and_skips_without_reader_data(client: FlaskClient) -> None:
    for address in ("203.0.113.7", "203.0.113.8", "198.51.100.1"):
        client.get("/articles/library-winter", headers={"X-Forwarded-For": address})
    client.get("/static/demo.css", headers={"X-Forwarded-For": "203.0.113.7"})
    response = client.get("/_forewarn/metrics")
    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"].startswith("text/plain")
    assert 'forewarn_notices_served_total{notice="ru-undesirable"} 2.0' in text
    assert 'forewarn_pages_total{outcome="none"} 1.0' in text
    assert 'forewarn_lookups_total{result="located"} 3.0' in text
    assert 'forewarn_splice_skipped_total{reason="not-html"} 1.0' in text
    assert "203.0.113" not in text and "198.51.100" not in text
