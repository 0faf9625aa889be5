"""The caution's data in the block: the block loads guard.js, and carries in data-forewarn-guard
the cautions (each notice's in the first of its shown languages that has one), the dialog's
words and the site's selectors, only when a notice the reader got has a guard text; the cautions
served are counted by kind, nothing else."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import html5lib

from geoip.location import Location
from tests.support import TODAY
from tests.webapp.test_notices_json import page_app
from webapp.catalog.model import Catalog, Guard, parse_catalog
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.preview.as_reader import View, serve_as
from webapp.preview.places import Place
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector

NS = "{http://www.w3.org/1999/xhtml}"


def aside_of(html: str) -> Any:
    """The block's aside element as html5lib builds it."""
    return next(html5lib.parse(html).iter(NS + "aside"))


def guard_of(html: str) -> dict[str, Any]:
    return dict(json.loads(aside_of(html).get("data-forewarn-guard")))


def test_a_guarded_notice_brings_its_cautions_words_selectors_and_the_script(
    engine: Engine,
) -> None:
    html = engine.block(engine.decide(Location(country="RU"), "en")).html
    aside = aside_of(html)
    scripts = [child.attrib for child in aside if child.tag == NS + "script"]
    assert scripts == [{"src": "/_forewarn/static/guard.js", "defer": ""},  # at the block's end,
                       {"src": "/_forewarn/static/keep.js", "defer": ""}]  # before keep.js
    assert aside[-1].tag == NS + "script"
    guard = guard_of(html)
    assert guard["cautions"] == {
        "share": [{"text": "Sharing, reposting or liking this page from Russia can be "
                           "prosecuted.", "lang": "en", "dir": "ltr"}],
        "comment": [{"text": "Commenting on this page from Russia can be prosecuted.",
                     "lang": "en", "dir": "ltr"}],
        "contact": [{"text": "Contacting Example Radio from Russia can be prosecuted.",
                     "lang": "en", "dir": "ltr"}],
    }
    assert set(guard["words"]) == {"en"} and guard["words"]["en"]["share"] == "Share anyway?"
    assert 'a[href*="vk.com/share"]' in guard["selectors"]["share"]
    assert set(guard["selectors"]) == {"share"}  # no default selectors for comment, contact


def test_every_guarded_notice_speaks_for_itself_in_the_notices_order(engine: Engine) -> None:
    """A reader in Belarus on a Russian page gets both notices, Belarus's own first (issue 16);
    each caution is there, in that order."""
    guard = guard_of(engine.block(engine.decide(Location(country="BY"), "ru")).html)
    texts = [(c["lang"], c["text"].split(" ")[-2]) for c in guard["cautions"]["comment"]]
    assert texts == [("ru", "могут"), ("ru", "могут")]
    assert "в Беларуси" in guard["cautions"]["comment"][0]["text"]
    assert "в России" in guard["cautions"]["comment"][1]["text"]


def test_persian_cautions_are_right_to_left(engine: Engine) -> None:
    guard = guard_of(engine.block(engine.decide(Location(country="IR"), "fa")).html)
    assert {(c["lang"], c["dir"]) for c in guard["cautions"]["share"]} == {("fa", "rtl")}
    assert guard["words"]["fa"]["confirm"] == "ادامه"


def without_guard(catalog: Catalog, langs: tuple[str, ...]) -> Catalog:
    notices = tuple(replace(n, text={lang: replace(t, guard=None) if lang in langs else t
                                     for lang, t in n.text.items()}) for n in catalog.notices)
    return replace(catalog, notices=notices)


def render(catalog: Catalog, location: Location, lang: str,
           selectors: tuple[tuple[str, str], ...] = ()) -> str:
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(location, lang, TODAY)
    return Renderer(catalog, "/_fw", guard_selectors=selectors).block(decision).html


def test_a_language_without_a_caution_falls_to_the_next_shown_one(engine: Engine) -> None:
    html = render(without_guard(engine.catalog, ("en",)), Location(country="RU"), "en")
    assert [c["lang"] for c in guard_of(html)["cautions"]["share"]] == ["ru"]
    assert set(guard_of(html)["words"]) == {"ru"}


def test_no_guard_text_no_guard_script_and_no_attribute(engine: Engine) -> None:
    html = render(without_guard(engine.catalog, ("en", "ru", "be", "fa")),
                  Location(country="RU"), "en")
    assert "guard.js" not in html and "data-forewarn-guard" not in html
    assert html.count("<script") == 1 and "/static/keep.js" in html  # only the block's keeper
    assert 'data-forewarn="ru-undesirable"' in html


def test_the_sites_selectors_travel_for_the_kinds_a_caution_has() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "X",
        "notices": [{"id": "n", "everyone": True, "text": {"en": {
            "title": "T", "body": "B", "guard": {"comment": "Careful."}}}}],
    }, "inline.toml")
    selectors = (("share", "a.share"), ("comment", "#comments form"), ("comment", ".reply"))
    guard = guard_of(render(catalog, Location(), "en", selectors))
    assert guard["selectors"] == {"comment": ["#comments form", ".reply"]}
    assert list(guard["cautions"]) == ["comment"]
    assert catalog.notices[0].text["en"].guard == Guard(comment="Careful.")


def test_cautions_served_are_counted_by_kind_and_previews_are_not(engine: Engine) -> None:
    from tests.webapp.test_notices_json import metric

    middleware = NoticeMiddleware(page_app, engine=engine)
    from werkzeug.test import Client

    for address in ("192.0.2.7", "198.51.100.1", "198.51.100.129"):
        Client(middleware).get("/a/1", headers={"X-Forwarded-For": address},
                               environ_base={"REMOTE_ADDR": "127.0.0.1"})
    serve_as(middleware.pages, "/a/1", View(Place("RU"), TODAY))
    # Russia and Iran got a guarded notice (the page has no language: Germany got none).
    assert metric(middleware, "forewarn_cautions_served_total") == {
        "kind=share": 2.0, "kind=comment": 2.0, "kind=contact": 2.0}


def test_the_fallback_blocks_carry_the_sites_selectors(engine: Engine, tmp_path: Any) -> None:
    """What an edge serves while Forewarn is down cautions at the same controls."""
    from webapp.fallback import export

    export(engine.catalog, "/_forewarn", tmp_path, TODAY,
           guard_selectors=(("share", ".my-share"), ("comment", "#comments")))
    guard = guard_of((tmp_path / "en.html").read_text(encoding="utf-8"))
    assert guard["selectors"] == {"share": [".my-share"], "comment": ["#comments"]}
