"""The notice block follows the HTML block contract (docs/architecture.md) and escapes all."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from babel.messages.pofile import read_po
from markupsafe import escape

from geoip.location import Location
from tests.support import TODAY
from webapp.catalog.messages import shipped_languages
from webapp.catalog.model import parse_catalog
from webapp.engine import Engine
from webapp.reader.guard import kinds_of
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.links import PageURL
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector
from webapp.resources import LOCALE_DIR


class Elements(HTMLParser):
    """Collects (tag, attributes) of every start tag."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Elements()
    parser.feed(html)
    return parser.found


def test_block_has_the_contract_structure(engine: Engine) -> None:
    html = engine.block(engine.decide(Location(country="RU"), "en")).html
    found = elements(html)
    tag, aside = found[0]
    assert tag == "aside" and aside["class"] == "forewarn"
    assert aside["data-forewarn"] == "ru-undesirable"
    assert ("link", {"rel": "stylesheet", "href": "/_forewarn/static/forewarn.css"}) in found
    # one section per notice, in its first language; the other languages inside it
    sections = [attrs for tag, attrs in found if tag == "section"]
    assert [(s["lang"], s["dir"]) for s in sections] == [("en", "ltr")]
    for section in sections:
        assert section["class"] == "forewarn-notice forewarn-critical"
        assert section["data-notice-id"] == "ru-undesirable"
        assert section["role"] == "region" and section["aria-label"]
    translations = [attrs for tag, attrs in found
                    if attrs.get("class") == "forewarn-translation"]
    assert [(t["lang"], t["dir"]) for t in translations] == [("ru", "ltr")]
    mirrors = [attrs for tag, attrs in found
               if tag == "a" and attrs.get("class") == "forewarn-mirror"]
    assert {m["data-kind"] for m in mirrors} == {"mirror", "onion"}
    assert all(m["rel"] == "noreferrer noopener" for m in mirrors)
    assert "Example Radio признано" in html


def disclosed(html: str) -> tuple[str, str]:
    """What a reader sees with every disclosure closed, and what the disclosures hold."""
    shown = re.sub(r"<details\b.*?</details>", "", html, flags=re.S)
    hidden = "".join(re.findall(r"<details\b.*?</details>", html, flags=re.S))
    return shown, hidden


def test_a_notice_shows_severity_title_and_summary_and_discloses_the_rest(engine: Engine) -> None:
    html = engine.block(engine.decide(Location(country="BY"), "en")).html
    shown, hidden = disclosed(html)
    notice = engine.catalog.notices[1]
    assert notice.id == "by-extremist"
    assert '<span class="forewarn-severity">Danger</span>' in shown
    assert ('<h2 class="forewarn-title">In Belarus, Example Radio is on the “extremist” lists'
            '</h2>') in shown
    assert f'<p class="forewarn-summary">{notice.text["en"].summary}</p>' in shown
    # the full text, the "read more" link, the other languages and the Tor field: on demand
    assert "forewarn-body" not in shown and "forewarn-body" in hidden
    assert "https://example.net/safety/belarus" not in shown
    assert "<input" not in shown and 'readonly="" dir="ltr"' in hidden
    for lang in ("be", "ru"):
        assert notice.text[lang].title.replace("{organization}", "Example Radio") in hidden
        assert notice.text[lang].summary in hidden
    assert ('<summary><span class="forewarn-languages-label">This notice in:</span> '
            '<span lang="be" dir="ltr">Беларуская</span>, <span lang="ru" dir="ltr">Русский</span>'
            '</summary>') in html
    # the mirror links stay in sight
    assert shown.count('class="forewarn-mirror"') == 3


def test_without_a_summary_the_first_paragraph_stands_in_once() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "X",
        "notices": [{"id": "n", "everyone": True, "severity": "info", "text": {"en": {
            "title": "T", "body": "First {organization}.\n\nSecond."}}}],
    }, "inline.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location(), None, TODAY)
    shown, hidden = disclosed(Renderer(catalog, "/_forewarn").block(decision).html)
    assert '<p class="forewarn-summary">First X.</p>' in shown
    assert "First X." not in hidden and '<p class="forewarn-body">Second.</p>' in hidden


def test_notices_sharing_mirrors_list_each_address_once(engine: Engine) -> None:
    # A reader in Belarus on a Russian page: the Belarus set, then the main set, whose onion
    # mirror the Belarus list has too.
    html = engine.block(engine.decide(Location(country="BY"), "ru")).html
    hrefs = re.findall(r'class="forewarn-mirror" data-kind="\w+" rel="[^"]*" href="([^"]+)"', html)
    belarus = [link.url for link in engine.catalog.mirrors["by"].links]
    main = [link.url for link in engine.catalog.mirrors["main"].links]
    assert hrefs == list(dict.fromkeys(belarus + main))
    assert len(hrefs) == len(belarus) + len(main) - 1
    assert html.count("<nav ") == 1 and html.count('<input type="text" readonly') == 1


def test_block_has_no_inline_script_or_style(engine: Engine) -> None:
    """The contract since issue 19: no inline script or style; the scripts a block loads are
    Forewarn's own caution script and (stop 26) its keeper, by src, with nothing between their
    tags."""
    html = engine.block(engine.decide(Location(country="RU"), "ru")).html
    assert "<style" not in html
    scripts = [attrs for tag, attrs in elements(html) if tag == "script"]
    assert scripts == [{"src": "/_forewarn/static/guard.js", "defer": ""},
                       {"src": "/_forewarn/static/keep.js", "defer": ""}]
    assert re.findall(r"<script[^>]*>(.*?)</script>", html, re.S) == ["", ""]
    assert all("style" not in attrs for _tag, attrs in elements(html))
    assert not re.search(r"\son\w+=", html)  # no event handler attributes


def test_persian_text_is_right_to_left(engine: Engine) -> None:
    html = engine.block(engine.decide(Location(country="IR"), "fa")).html
    sections = [attrs for tag, attrs in elements(html) if tag == "section"]
    assert [(s["lang"], s["dir"]) for s in sections] == [("fa", "rtl")]


def test_catalog_text_is_escaped() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "X",
        "notices": [{"id": "n", "everyone": True, "text": {"en": {
            "title": 'A "quoted" <b>title</b>', "body": "<script>alert(1)</script> & more"}}}],
    }, "inline.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location(), None, TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision).html
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert 'aria-label="A &#34;quoted&#34; &lt;b&gt;title&lt;/b&gt;"' in html


def test_no_notice_renders_nothing(engine: Engine) -> None:
    assert engine.block(engine.decide(Location(country="DE"), "en")).html == ""


def test_the_block_is_rendered_once_per_notice_set_and_languages(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = engine.renderer._template
    renders: list[object] = []
    original = template.render
    monkeypatch.setattr(template, "render", lambda **kw: renders.append(kw) or original(**kw))
    first = engine.block(engine.decide(Location(country="RU"), "en"), PageURL("/a/1"))
    again = engine.block(engine.decide(Location(regions=("UA-43",)), "en"), PageURL("/b/2"))
    assert len(renders) == 1
    assert first.html.replace("a/1", "b/2") == again.html  # only the deep links differ


def kind_tags(section: str) -> dict[str, list[str]]:
    """data-kind -> the kind tags inside that link, for each mirror link of a section."""
    links = re.findall(r'<a class="forewarn-mirror" data-kind="(\w+)"[^>]*>(.*?)</a>', section)
    return {kind: re.findall(r'<span class="forewarn-kind">([^<]*)</span>', inner)
            for kind, inner in links}


@pytest.mark.parametrize(("place", "page_lang", "lang", "mirror", "onion"), [
    ("RU", "ru", "ru", "Зеркало", "Tor"), ("IR", "fa", "fa", "نسخهٔ آینه", "تور")])
def test_each_mirror_link_says_what_kind_it_is_in_the_blocks_language(
    engine: Engine, place: str, page_lang: str, lang: str, mirror: str, onion: str
) -> None:
    html = engine.block(engine.decide(Location(country=place), page_lang)).html
    assert re.match(rf'<aside [^>]*lang="{lang}"', html)
    nav = re.search(r"<nav .*?</nav>", html, re.S)
    assert nav is not None
    assert kind_tags(nav.group(0)) == {"mirror": [mirror], "onion": [onion]}


def test_a_link_of_a_kind_without_words_has_no_tag() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "R",
        "jurisdictions": {"ru": {"name": "R", "countries": ["RU"]}},
        "mirrors": {"m": {"links": [
            {"url": "https://m.example/", "label": "Mirror", "kind": "mirror"},
            {"url": "http://x.onion/", "label": "Onion", "kind": "onion"},
            {"url": "https://p.example/", "label": "Psiphon", "kind": "psiphon"}]}},
        "notices": [{"id": "n", "jurisdictions": ["ru"], "mirrors": "m",
                     "text": {"en": {"title": "T", "body": "B"}}}]}, "test.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location("RU"), "en", TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision, PageURL("/a"), TODAY).html
    assert kind_tags(html) == {"mirror": ["Web mirror"], "onion": ["Tor"], "psiphon": []}
    assert "<bdi>Psiphon</bdi>" in html


def po_words(lang: str) -> dict[str, str]:
    """The words of a shipped .po, read straight from the file with Babel's reader."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "forewarn.po").open("rb") as file:
        return {m.id: m.string for m in read_po(file) if m.id}


SEVERITY_WORDS = {"critical": "Danger", "warning": "Caution", "info": "Note"}


@pytest.mark.parametrize("severity", list(SEVERITY_WORDS))
@pytest.mark.parametrize("lang", [lang for lang in shipped_languages() if lang != "en"])
def test_a_notice_in_a_shipped_language_is_framed_by_that_languages_words(
    lang: str, severity: str
) -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "R",
        "mirrors": {"m": {"links": [
            {"url": "https://m.example/", "label": "m.example", "kind": "mirror"},
            {"url": "http://x.onion/", "label": "x.onion", "kind": "onion"}]}},
        "notices": [{"id": "n", "languages": [lang], "mirrors": "m", "severity": severity,
                     "text": {"en": {"title": "T", "summary": "S", "body": "B"},
                              lang: {"title": "T", "summary": "S", "body": "B",
                                     "more_url": "https://e.example/"}}}],
    }, "test.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location(), lang, TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision, PageURL("/a"), TODAY).html
    words = {msgid: escape(word) for msgid, word in po_words(lang).items()}
    # issue 16's compact block: the severity, and the disclosures' summaries
    assert f'<span class="forewarn-severity">{words[SEVERITY_WORDS[severity]]}</span>' in html
    assert f'<summary>{words["Full notice"]}</summary>' in html
    assert (f'<span class="forewarn-languages-label">{words["This notice in:"]}</span> '
            '<span lang="en" dir="ltr">English</span></summary>') in html
    assert f'<summary>{words["Tor address"]}</summary>' in html
    assert not {"Danger", "Caution", "Note", "Full notice", "This notice in:"} & set(
        re.findall(r">([^<>]+)<", html))
    assert f'aria-label="{words["Reader safety notice"]}" lang="{lang}"' in html
    assert f'rel="noreferrer noopener">{words["Read more"]}</a>' in html
    assert f'<nav class="forewarn-mirrors" aria-label="{words["Other ways in"]}">' in html
    assert kind_tags(html) == {"mirror": [words["Web mirror"]], "onion": [words["Tor"]]}
    assert words["Tor address (select and copy into Tor Browser)"] in html
    assert ">Read more<" not in html and "Other ways in" not in html


def test_the_catalogs_words_frame_its_notices() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "R", "interface": {"ru": {"Read more": "Читать дальше"}},
        "notices": [{"id": "n", "everyone": True, "text": {
            "en": {"title": "T", "body": "B"},
            "ru": {"title": "Т", "body": "Б", "more_url": "https://e.example/"}}}],
    }, "test.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location(), "ru", TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision).html
    assert ">Читать дальше</a>" in html and "Подробнее" not in html
    assert 'aria-label="Предупреждение для читателей" lang="ru"' in html  # the package's word


def test_the_catalogs_words_are_escaped() -> None:
    catalog = parse_catalog({
        "schema": 1, "organization": "R",
        "interface": {"en": {"Read more": '<script>alert("x")</script>',
                             "Reader safety notice": 'A "notice" & <b>'}},
        "notices": [{"id": "n", "everyone": True, "text": {"en": {
            "title": "T", "body": "B", "more_url": "https://e.example/"}}}],
    }, "test.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location(), "en", TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision).html
    assert "<script>" not in html and "<b>" not in html
    assert ">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a>" in html
    assert 'aria-label="A &#34;notice&#34; &amp; &lt;b&gt;"' in html


@pytest.mark.parametrize(("lang", "between"), [("fa", "، "), ("zh", "、"), ("ru", ", ")])
def test_the_other_languages_are_listed_as_the_shown_language_lists(
    lang: str, between: str
) -> None:
    # A reader in Ukraine on a page in ``lang``: Ukrainian (the place's) and English (the
    # default) behind "This notice in:", named in themselves, between them the .po's separator.
    catalog = parse_catalog({
        "schema": 1, "organization": "R",
        "jurisdictions": {"ua": {"name": "U", "countries": ["UA"], "languages": ["uk"]}},
        "notices": [{"id": "n", "jurisdictions": ["ua"], "severity": "info", "text": {
            code: {"title": "T", "body": "B"} for code in ("en", lang, "uk")}}],
    }, "test.toml")
    decision = Selector(catalog, JurisdictionIndex(catalog)).decide(Location("UA"), lang, TODAY)
    html = Renderer(catalog, "/_forewarn").block(decision).html
    names = re.search(r'forewarn-languages-label">[^<]*</span> (.*?)</summary>', html)
    assert names is not None
    listed = re.split(r"<[^>]+>", names.group(1))
    assert [part for part in listed if part] in (["Українська", between, "English"],
                                                 ["English", between, "Українська"])


def test_the_remembered_kinds_of_cautions_are_the_decisions(engine: Engine) -> None:
    for country in ("RU", "BY", "IR", "DE", None):
        for lang in ("en", "ru", "be", "fa", None):
            decision = engine.decide(Location(country), lang)
            for _ in range(2):  # the second time from memory
                assert engine.renderer.kinds(decision) == kinds_of(decision)
