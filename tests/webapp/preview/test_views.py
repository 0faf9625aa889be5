"""The side-by-side preview: which places it shows, its controls, and how it refuses bad input
without ever echoing it."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from markupsafe import escape

from webapp.app import create_app
from webapp.engine import Engine
from webapp.errors import QueryError, SettingsError
from webapp.preview.query import Sites, parse_path
from webapp.settings import load_settings

# The frames' headings: the place as editors say it and its jurisdiction by the catalog's name
RUSSIA = "Russia — Russia and the Russia-controlled parts of Ukraine"
CRIMEA = ("Crimea (Avtonomna Respublika Krym, UA-43) — Russia and the Russia-controlled parts "
          "of Ukraine")
ARTICLE = "/articles/library-winter"
FIGURE = re.compile(r'<figure class="pv-frame[^"]*".*?</figure>', re.S)


def frames(page: str) -> list[dict[str, str]]:
    """Each frame of the page: its heading, its iframe's src, and the text under it."""
    found = []
    for block in FIGURE.findall(page):
        heading = re.search(r'<h2 class="pv-place"[^>]*>(.*?)</h2>', block, re.S)
        src = re.search(r'<iframe src="([^"]*)"', block)
        caption = re.search(r'<p class="pv-ids">(.*?)</p>', block, re.S)
        assert heading and src and caption
        found.append({"label": _text(heading.group(1)), "src": html.unescape(src.group(1)),
                      "ids": _text(caption.group(1))})
    return found


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def get_preview(client: FlaskClient, query: str) -> str:
    response = client.get(f"/_forewarn/preview?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_each_jurisdiction_each_chosen_country_and_unknown_get_a_frame_with_their_notices(
    client: FlaskClient,
) -> None:
    shown = frames(get_preview(client, f"path={ARTICLE}"))
    labels = [frame["label"] for frame in shown]
    assert labels == [RUSSIA, CRIMEA, "Belarus", "Iran", "Germany", "United States", "Ukraine",
                      "Unknown location"]
    under = {frame["label"].split(" (")[0].split(" — ")[0]: frame["ids"].replace(" Open alone", "")
             for frame in shown}
    assert under["Russia"] == under["Crimea"] == "notices: ru-undesirable"
    assert under["Belarus"] == "notices: by-extremist"
    assert under["Iran"] == "notices: ir-hostile-media"
    assert under["Germany"] == under["United States"] == under["Ukraine"] == "notices: none"
    assert under["Unknown location"] == "notices: ru-undesirable"  # critical, unknown = "show"
    assert [frame["src"] for frame in shown][:2] == [
        f"/_forewarn/preview/page?country=RU&path={ARTICLE}",
        f"/_forewarn/preview/page?country=UA&region=UA-43&path={ARTICLE}"]
    assert shown[-1]["src"] == f"/_forewarn/preview/page?path={ARTICLE}"


def test_preview_countries_setting_replaces_the_default_countries(engine: Engine) -> None:
    settings = replace(engine.settings, preview_countries=("KZ", "PL"))
    client = create_app(engine=Engine(settings, clock=engine.clock)).test_client()
    labels = [frame["label"] for frame in frames(get_preview(client, f"path={ARTICLE}"))]
    assert labels == [RUSSIA, CRIMEA, "Belarus", "Iran", "Kazakhstan", "Poland",
                      "Unknown location"]


def test_preview_countries_come_from_the_environment_and_are_checked() -> None:
    settings = load_settings(environ={"FOREWARN_PREVIEW_COUNTRIES": "by, pl"})
    assert settings.preview_countries == ("BY", "PL")
    with pytest.raises(SettingsError,
                       match="FOREWARN_PREVIEW_COUNTRIES: 'SU' is not an ISO 3166-1 country"):
        load_settings(environ={"FOREWARN_PREVIEW_COUNTRIES": "BY,SU"})


def test_the_place_chosen_in_the_form_comes_first_and_is_marked(client: FlaskClient) -> None:
    shown = frames(get_preview(client, f"path={ARTICLE}&country=KZ&date=2026-01-05&lang=ru"))
    assert shown[0]["label"] == "Kazakhstan chosen"
    assert shown[0]["ids"].startswith("notices: ru-undesirable")  # a Russian-language page
    for frame in shown:  # every frame is asked with the same day and page language
        assert "&date=2026-01-05" in frame["src"] and "&lang=ru" in frame["src"]


def test_choosing_a_listed_place_moves_it_first_instead_of_repeating_it(
    client: FlaskClient,
) -> None:
    labels = [f["label"] for f in frames(get_preview(client, "country=UA&region=UA-43"))]
    assert labels[0] == f"{CRIMEA} chosen"
    assert len(labels) == 8 and sum("UA-43" in label for label in labels) == 1


def test_region_list_holds_only_the_chosen_countrys_regions(client: FlaskClient) -> None:
    def regions(page: str) -> list[str]:
        select = re.search(r'<select id="pv-region".*?</select>', page, re.S)
        assert select
        return re.findall(r'<option value="([^"]*)"', select.group(0))

    assert regions(get_preview(client, "path=/")) == [""]  # choose a country first
    ukraine = regions(get_preview(client, "country=UA"))
    assert ukraine[0] == "" and "UA-43" in ukraine and "UA-40" in ukraine
    assert len(ukraine) == 28 and all(code.startswith("UA-") for code in ukraine[1:])
    assert 'value="UA-43" selected' in get_preview(client, "country=UA&region=UA-43")


def test_a_region_left_over_from_another_country_is_dropped_and_said(client: FlaskClient) -> None:
    page = get_preview(client, "country=RU&region=UA-43")
    assert frames(page)[0]["label"] == f"{RUSSIA} chosen"
    assert "UA-43 is not a region of Russia, so the whole country is shown" in page
    assert 'value="RU-MOW"' in page  # the region list is Russia's now


def test_the_page_itself_refuses_a_region_outside_its_country(client: FlaskClient) -> None:
    response = client.get("/_forewarn/preview/page?country=RU&region=UA-43")
    assert response.status_code == 400
    assert "region: is not a region of the country RU" in response.get_data(as_text=True)


def test_as_of_date_shows_a_designation_before_and_after_it_takes_effect(
    client: FlaskClient,
) -> None:
    before = frames(get_preview(client, f"path={ARTICLE}&date=2024-02-19"))
    after = frames(get_preview(client, f"path={ARTICLE}&date=2024-02-20"))
    assert before[0]["ids"].startswith("notices: none")
    assert after[0]["ids"].startswith("notices: ru-undesirable")
    assert 'value="2024-02-19"' in get_preview(client, "date=2024-02-19")


def test_accept_language_chooses_the_notice_language_when_the_page_has_none(
    client: FlaskClient,
) -> None:
    base = f"/_forewarn/preview/page?country=IR&path={ARTICLE}&lang=de"
    plain = client.get(base).get_data(as_text=True)
    english = client.get(base + "&accept_language=en-GB,en;q=0.9").get_data(as_text=True)
    first = re.compile(r'data-notice-id="ir-hostile-media" lang="(\w+)"')
    assert first.findall(plain)[0] == "fa"  # the language of the reader's place
    assert first.findall(english)[0] == "en"
    page = get_preview(client, "accept_language=en-GB,en;q=0.9")
    assert 'value="en-GB,en;q=0.9"' in page
    assert all("accept_language=en-GB,en;q%3D0.9" in f["src"] for f in frames(page))


def test_page_language_control_lists_the_catalogs_languages(client: FlaskClient) -> None:
    page = get_preview(client, "lang=de")
    select = re.search(r'<select id="pv-lang".*?</select>', page, re.S)
    assert select
    options = re.findall(r'<option value="([^"]*)"', select.group(0))
    assert options == ["", "en", "ru", "be", "fa", "de"]
    assert '<option value="de" selected>German (de)</option>' in select.group(0)


@pytest.mark.parametrize(
    ("given", "path"),
    [("http://localhost/articles/library-winter", "/articles/library-winter"),
     ("HTTP://LOCALHOST/articles/library-winter?page=2#top", "/articles/library-winter?page=2")],
)
def test_a_full_url_on_this_site_is_taken_as_its_path(
    client: FlaskClient, given: str, path: str
) -> None:
    page = get_preview(client, f"path={given.replace('?', '%3F').replace('#', '%23')}")
    assert f'What readers see: <code class="pv-path">{escape(path)}</code>' in page


def test_a_url_of_the_upstream_is_taken_as_the_path_below_its_prefix() -> None:
    sites = Sites("news.example", "http://origin.internal:8000/site")
    assert parse_path("http://origin.internal:8000/site/a/1?x=2", sites) == "/a/1?x=2"
    assert parse_path("https://news.example/a/1", sites) == "/a/1"
    for elsewhere in ("http://origin.internal:8000/other/a", "http://origin.internal/site/a",
                      "https://evil.example/a", "http://user@news.example/a"):
        with pytest.raises(QueryError) as refused:
            parse_path(elsewhere, sites)
        assert refused.value.param == "path" and "evil" not in str(refused.value)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("country=XX", "country: must be an ISO 3166-1 country code such as RU"),
        ("country=%EF%BC%B2%EF%BC%B5", "country: must be an ISO 3166-1"),  # fullwidth RU
        ("country=%D0%A0U", "country: must be an ISO 3166-1"),  # Cyrillic Р
        ("region=UA-99", "region: must be an ISO 3166-2 region code such as UA-43"),
        ("asn=0", "asn: must be an autonomous system number"),
        ("date=2024-13-01", "date: must be a day written YYYY-MM-DD"),
        ("date=20240220", "date: must be a day written YYYY-MM-DD"),
        ("lang=%3Cscript%3E", "lang: must be a language code such as ru or pt-BR"),
        ("lang=qq", "lang: must be a language code"),
        ("accept_language=ru%3Cb%3E", "accept_language: must look like"),
        ("accept_language=qq-QQ", "accept_language: names a language that is not ISO 639"),
        ("path=https://evil.example/", "path: must be a URL on this site (localhost)"),
        ("path=//evil.example/", "path: must be a path on this site"),
        ("path=/a%0Ab", "path: must not hold spaces, control characters or backslashes"),
        ("path=/a%E2%80%AEb", "path: must not hold spaces, control characters"),  # RTL override
        ("path=/_forewarn/healthz", "path: must be an article, not Forewarn's own /_forewarn"),
        ("country=RU&country=DE", "country: is given more than once"),
        ("path=/" + "a" * 3000, "path: is longer than 2048 characters"),
        ("utm_source=x", "utm_source: unknown parameter (the preview takes path, country"),
        ("%3Cscript%3E=1", "a parameter: unknown parameter"),
    ],
)
@pytest.mark.parametrize("endpoint", ["preview", "preview/page", "preview/matrix",
                                      "preview/matrix.csv"])
def test_bad_values_get_400_naming_the_parameter_on_every_endpoint(
    client: FlaskClient, endpoint: str, query: str, message: str
) -> None:
    response = client.get(f"/_forewarn/{endpoint}?{query}")
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))


HOSTILE = [
    '"><script>alert(1)</script>',
    "'onmouseover='alert(1)",
    "javascript:alert(1)",
    "\u202egnp.exe",
    "<svg/onload=alert(1)>",
    "x" * 100_000,
]


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("param", ["country", "region", "lang", "date", "accept_language",
                                   "asn", "sig"])
def test_hostile_values_are_refused_and_never_echoed(
    client: FlaskClient, param: str, value: str
) -> None:
    for endpoint in ("preview", "preview/page", "preview/matrix"):
        response = client.get(f"/_forewarn/{endpoint}", query_string={param: value})
        body = response.get_data(as_text=True)
        assert response.status_code == 400 or param == "sig"  # sig is ignored in the demo
        assert value not in body
        assert "<script>alert" not in body and "onload=alert" not in body


def test_a_path_with_markup_is_accepted_but_only_ever_escaped(client: FlaskClient) -> None:
    path = '/a/"><script>alert(1)</script>?q=\'x\''
    page = get_preview(client, f"path={path.replace('?', '%3F')}")
    assert "<script>alert(1)" not in page and "'x'" not in page
    assert str(escape(path)) in page
    for frame in frames(page):
        assert "%3Cscript%3E" in frame["src"] and '"' not in frame["src"]


def test_preview_pages_carry_no_inline_script_or_style_and_a_strict_policy(
    client: FlaskClient,
) -> None:
    for url in ("/_forewarn/preview", "/_forewarn/preview/matrix", "/_forewarn/preview?country=XX"):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert "<script" not in body and "style=" not in body and "<style" not in body
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "style-src 'self'" in policy
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "Set-Cookie" not in response.headers
    css = client.get("/_forewarn/static/preview.css")
    assert css.status_code == 200 and b".pv-grid" in css.data


def test_every_control_has_a_label(client: FlaskClient) -> None:
    page = get_preview(client, "country=UA")
    controls = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', page)
    assert {"pv-path", "pv-country", "pv-region", "pv-lang", "pv-al", "pv-date"} <= set(controls)
    for control in controls:
        assert f'<label for="{control}">' in page
    assert re.search(r'<form method="get" action="/_forewarn/preview"', page)


def test_previews_are_not_counted_as_notices_served_to_readers(client: FlaskClient) -> None:
    get_preview(client, f"path={ARTICLE}")
    client.get(f"/_forewarn/preview/page?country=RU&path={ARTICLE}")
    metrics = client.get("/_forewarn/metrics").get_data(as_text=True)
    assert 'forewarn_notices_served_total{notice="ru-undesirable"}' not in metrics
    client.get(ARTICLE, headers={"X-Forwarded-For": "192.0.2.10"})  # a reader in Russia
    metrics = client.get("/_forewarn/metrics").get_data(as_text=True)
    assert 'forewarn_notices_served_total{notice="ru-undesirable"} 1.0' in metrics
