"""GET /_forewarn/notices.json: the decision as data for apps. Every answer of the preview
matrix's places and languages follows the shipped JSON Schema (checked by jsonschema) and says
what the HTML block shows the same reader (read back with html5lib); the cache headers are a
page's; the ETag follows the notice set; odd queries never cost a reader the notices."""

from __future__ import annotations

import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from werkzeug.test import Client, EnvironBuilder, TestResponse

from geoip.location import Location
from tests.e2e.places import demo_places, shipped_catalog
from tests.support import TODAY
from tests.webapp.block_data import as_shown, block_data
from webapp.catalog.model import load_catalog, parse_catalog
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.preview.as_reader import View, serve_as
from webapp.preview.matrix import OTHER, page_languages
from webapp.preview.places import Place, chosen_countries, matrix_places
from webapp.reader.as_data import DataRenderer
from webapp.reader.forced import FORCED_KEY, Forced
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.links import PageURL
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector
from webapp.resources import NOTICES_JSON_SCHEMA, packaged
from webapp.settings import Settings, load_settings

PAGE = b"<!doctype html><html><head><title>t</title></head><body><p>Story</p></body></html>"
PATH = "/articles/story?x=1&y=%22"
SCHEMA = json.loads(NOTICES_JSON_SCHEMA.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
CATALOG = shipped_catalog()
MATRIX = [(place, lang) for place in matrix_places(CATALOG, chosen_countries(CATALOG, None))
          for lang in page_languages(CATALOG)]


def page_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A page with no language of its own: the forced or asked-for language decides."""
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [PAGE]


@pytest.fixture
def middleware(engine: Engine) -> NoticeMiddleware:
    return NoticeMiddleware(page_app, engine=engine)


def ask(app: Any, query: str, *, forced: Forced | None = None, **headers: str) -> TestResponse:
    overrides: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1"}
    if forced is not None:
        overrides[FORCED_KEY] = forced
    builder = EnvironBuilder(path="/_forewarn/notices.json", query_string=query,
                             headers=headers, environ_overrides=overrides)
    return Client(app).open(builder)


def query(path: str, lang: str) -> str:
    from urllib.parse import urlencode

    return urlencode({"path": path, **({"lang": lang} if lang != OTHER else {})})


def test_the_shipped_schema_is_a_valid_json_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(("place", "lang"), MATRIX, ids=lambda v: v.code if isinstance(
    v, Place) else v)
def test_every_answer_of_the_matrix_follows_the_schema_and_is_what_the_block_shows(
    middleware: NoticeMiddleware, place: Place, lang: str
) -> None:
    answer = ask(middleware, query(PATH, lang), forced=Forced(place.location, TODAY))
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    data = answer.get_json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]
    assert errors == []
    page = serve_as(middleware.pages, PATH, View(place, TODAY, None if lang == OTHER else lang))
    assert answer.headers["X-Forewarn-Notices"] == page.notices
    assert as_shown(data) == block_data(page.body)


def test_the_matrix_covers_places_with_and_without_cautions() -> None:
    """The table above is not vacuous: it holds answers with notices and cautions, and none."""
    engine_catalog = load_catalog(packaged("notices.toml"))
    kinds = [bool(n.text["en"].guard) for n in engine_catalog.notices]
    assert all(kinds) and len(MATRIX) > 20
    assert any(place.country == "DE" for place, _ in MATRIX)


@pytest.mark.parametrize("reader", demo_places(CATALOG), ids=str)
@pytest.mark.parametrize("lang", ["en", "ru", "fa", "be", ""])
def test_a_real_reader_gets_in_json_what_the_fragment_shows(
    middleware: NoticeMiddleware, reader: Any, lang: str
) -> None:
    headers = {"X-Forwarded-For": reader.address, "Accept-Language": "be, ru;q=0.8"}
    answer = ask(middleware, f"path=/a/1&lang={lang}", **headers)
    fragment = Client(middleware).get(f"/_forewarn/fragment?path=/a/1&lang={lang}",
                                      headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert not list(VALIDATOR.iter_errors(answer.get_json()))
    assert as_shown(answer.get_json()) == block_data(fragment.get_data())
    for name in ("X-Forewarn-Notices", "Cache-Control", "Vary"):
        assert answer.headers.get(name) == fragment.headers.get(name), name


def test_each_language_carries_its_own_cautions_with_placeholders_filled(
    middleware: NoticeMiddleware,
) -> None:
    data = ask(middleware, "path=/a/1&lang=en", **{"X-Forwarded-For": "192.0.2.7"}).get_json()
    [notice] = data["notices"]
    assert [text["lang"] for text in notice["languages"]] == ["en", "ru"]
    ru = notice["languages"][1]["guard"]
    assert ru["contact"] == "За связь с Example Radio в России могут преследовать."
    assert data["cautions"]["share"] == [{
        "text": "Sharing, reposting or liking this page from Russia can be prosecuted.",
        "lang": "en", "dir": "ltr"}]
    assert notice["mirrors"]["links"][0] == {
        "kind": "mirror", "label": "mirror.example.net",
        "url": "https://mirror.example.net/a/1", "home": "https://mirror.example.net/"}


def test_each_language_carries_its_summary_in_that_language(middleware: NoticeMiddleware) -> None:
    """Issue 19's follow-up to 16: the one sentence the block shows under each title is in the
    answer, in the language it is shown in (the chosen one first)."""
    data = ask(middleware, "path=/a/1&lang=ru", **{"X-Forwarded-For": "192.0.2.7"}).get_json()
    [notice] = data["notices"]
    assert [(text["lang"], text["summary"]) for text in notice["languages"]] == [
        ("ru", "За репосты и лайки наших материалов в России грозит штраф или срок: не делайте "
               "этого с аккаунтов, связанных с вами."),
        ("en", "In Russia, sharing or liking our materials can bring fines or prison: never do "
               "it from an account linked to you.")]


def test_a_language_without_a_summary_has_none_and_the_block_shows_its_first_paragraph() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "Example Radio", "default_language": "en",
        "notices": [{"id": "n", "everyone": True, "severity": "info", "text": {
            "en": {"title": "T", "summary": "About {organization}.", "body": "One.\n\nTwo."},
            "ru": {"title": "Т", "body": "Раз {organization}.\n\nДва."}}}],
    }, "inline.toml")
    renderer = Renderer(catalog, "/_forewarn")
    # a Russian page: Russian first (no summary), then the catalog's default, English
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location(), "ru", TODAY)
    data = json.loads(DataRenderer(renderer).json(decision, PageURL(), TODAY))
    assert not list(VALIDATOR.iter_errors(data))
    [notice] = data["notices"]
    assert [(text["lang"], text.get("summary")) for text in notice["languages"]] == [
        ("ru", None), ("en", "About Example Radio.")]
    assert "summary" not in notice["languages"][0]
    block = block_data(renderer.block(decision).html.encode())
    assert as_shown(data) == block
    assert [(text["shown"], text["paragraphs"]) for text in block["notices"][0]["languages"]] \
        == [("Раз Example Radio.", ["Два."]), ("About Example Radio.", ["One.", "Two."])]


def test_a_reader_with_no_notice_gets_an_empty_answer(middleware: NoticeMiddleware) -> None:
    answer = ask(middleware, "path=/a/1&lang=en", **{"X-Forwarded-For": "198.51.100.1"})
    assert answer.get_json() == {"version": 1, "notices": [], "cautions": {}}
    assert answer.headers["X-Forewarn-Notices"] == "none"
    assert answer.headers["Cache-Control"] == "private"


def cdn_engine(demo_settings: Settings, per_place: bool) -> Engine:
    settings = load_settings({"country_header": "cloudflare", "trusted_proxies": ["127.0.0.1"],
                              "cdn_caches_per_place": per_place},
                             environ={}, demo_defaults={"catalog": str(demo_settings.catalog),
                                                        "geoip_dbs": [str(p) for p in
                                                                      demo_settings.geoip_dbs]})
    return Engine(settings, clock=lambda: TODAY)


@pytest.mark.parametrize("per_place", [True, False])
@pytest.mark.parametrize("accept", ["", "be, ru;q=0.8"])
@pytest.mark.parametrize("country", ["RU", "BY", "DE", "XX"])
def test_cache_headers_are_exactly_a_pages_when_a_cdn_places_the_reader(
    demo_settings: Settings, country: str, accept: str, per_place: bool
) -> None:
    app = NoticeMiddleware(page_app, engine=cdn_engine(demo_settings, per_place))
    headers = {"CF-IPCountry": country, **({"Accept-Language": accept} if accept else {})}
    answer = ask(app, "path=/a/1&lang=uk", **headers)
    page = Client(app).get("/a/1", headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    for name in ("X-Forewarn-Notices", "Cache-Control", "Vary"):
        assert answer.headers.get(name) == page.headers.get(name), name
    if per_place:  # the CDN keys its cache on the place ("XX" too: unknown is a place)
        assert "CF-IPCountry" in answer.headers["Vary"] and "Cache-Control" not in answer.headers
    else:
        assert answer.headers["Cache-Control"] == "private"


def test_the_etag_follows_the_answer_and_a_match_gets_304(middleware: NoticeMiddleware) -> None:
    russia = {"X-Forwarded-For": "192.0.2.7"}
    first = ask(middleware, "path=/a/1&lang=en", **russia)
    again = ask(middleware, "path=/a/1&lang=en", **russia)
    assert first.headers["ETag"] == again.headers["ETag"] and first.headers["ETag"].startswith('"')
    others = {ask(middleware, "path=/a/1&lang=en", **{"X-Forwarded-For": ip}).headers["ETag"]
              for ip in ("198.51.100.1", "198.51.100.129", "203.0.113.200")}
    assert first.headers["ETag"] not in others and len(others) == 3
    assert ask(middleware, "path=/a/2&lang=en", **russia).headers["ETag"] != first.headers["ETag"]
    cached = ask(middleware, "path=/a/1&lang=en", **russia,
                 **{"If-None-Match": first.headers["ETag"]})
    assert cached.status_code == 304 and cached.get_data() == b""
    assert cached.headers["Cache-Control"] == "private"
    assert cached.headers["X-Forewarn-Notices"] == "ru-undesirable"


@pytest.mark.parametrize("odd", ["path=//evil.example/&lang=<script>", "path=javascript:x",
                                 "lang=xx-YY", "", "path=/a%22%3E%3C&lang=ru&lang=en"])
def test_odd_queries_still_answer_with_the_readers_notices(
    middleware: NoticeMiddleware, odd: str
) -> None:
    answer = ask(middleware, odd, **{"X-Forwarded-For": "192.0.2.7"})
    data = answer.get_json()
    assert answer.status_code == 200 and not list(VALIDATOR.iter_errors(data))
    assert [notice["id"] for notice in data["notices"]] == ["ru-undesirable"]
    urls = [link["url"] for link in data["notices"][0]["mirrors"]["links"]]
    assert all(url.startswith(("https://mirror.example.net/", "http://exampleradio"))
               and "<" not in url and '"' not in url and "evil" not in url for url in urls)


def metric(middleware: NoticeMiddleware, name: str) -> dict[str, float]:
    """The samples of one metric, by their labels."""
    from prometheus_client.parser import text_string_to_metric_families

    text = middleware.engine.metrics.render().decode()
    return {",".join(f"{k}={v}" for k, v in sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples
            if sample.name == name}


def test_answers_are_counted_apart_from_pages_and_previews_not_at_all(
    middleware: NoticeMiddleware,
) -> None:
    for ip in ("192.0.2.7", "198.51.100.1", "198.51.100.1"):
        ask(middleware, "path=/a/1&lang=en", **{"X-Forwarded-For": ip})
    ask(middleware, "path=/a/1", forced=Forced(Place("RU").location, TODAY))
    assert metric(middleware, "forewarn_notices_json_total") == {"outcome=notice": 1.0,
                                                                 "outcome=none": 2.0}
    assert metric(middleware, "forewarn_pages_total") == {}
    assert metric(middleware, "forewarn_cautions_served_total") == {}  # no block was served


def test_check_prints_the_answers_schema_on_request_and_the_catalogs_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from webapp.catalog.schema import catalog_schema_text
    from webapp.cli import main

    assert main(["check", "--schema", "notices-json"]) == 0
    assert json.loads(capsys.readouterr().out) == SCHEMA
    for argv in (["check", "--schema"], ["check", "--schema", "catalog"]):
        assert main(argv) == 0
        assert capsys.readouterr().out == catalog_schema_text()
    with pytest.raises(SystemExit) as raised:
        main(["check", "--schema", "notices"])
    assert raised.value.code == 2
    assert "invalid choice: 'notices'" in capsys.readouterr().err
