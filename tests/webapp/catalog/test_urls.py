"""Every URL a catalog or mirror list holds (more_url, mirror links, onion and IPFS gateways) is an
http(s) URL with a host, percent-encoded to plain ASCII at load, so that nothing in it can run
script on the publisher's site or make a reader's page an error; `forewarn check` refuses the
rest with one line. The renderer refuses anything else even when a catalog was never checked."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from geoip.location import Location
from tests.support import TODAY
from tests.webapp.catalog.test_check import GOOD_RU, run
from tests.webapp.catalog.test_mirror_list import alternative, mirror_list
from tests.webapp.catalog.test_mirror_list import write as write_mirror_list
from webapp.catalog.model import MirrorLink, MirrorSet, NoticeText, load_catalog
from webapp.errors import CatalogError
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.links import PageURL
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector

SCRIPTS = ["javascript:alert(document.domain)", "JavaScript:alert(1)", " javascript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
           "//evil.example/", "/safety/russia", "https:///no-host", "file:///etc/passwd"]
CONTROLS = ["http://abc.onion/a\r\nSet-Cookie: x=1", "http://abc.onion/a\nb",
            "http://abc.onion/a\tb", "http://abc.onion/a b", "http://abc.onion/\x00"]
ONION = "http://exampleradio5xq2mirrorsb7vf4ncm3o2hjkdw6ylhq7trzcqwmvf3vnpad.onion"


def with_more_url(url: str) -> str:
    return GOOD_RU.replace('body = "First.\\n\\nSecond."',
                           f'body = "First."\n  more_url = {json.dumps(url)}')


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notices.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("url", SCRIPTS)
def test_a_more_url_that_is_not_http_is_refused_at_load_and_by_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str,
) -> None:
    path = write(tmp_path, with_more_url(url))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert caught.value.key == "notices[0].text.en.more_url"
    assert "must be an http(s) URL with a host" in caught.value.message
    code, out, err = run(capsys, "check", "--strict", str(path))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "notices[0] (ru-undesirable).text.en.more_url" in err


@pytest.mark.parametrize("url", SCRIPTS)
def test_a_mirror_link_that_is_not_http_is_refused(tmp_path: Path, url: str) -> None:
    path = write(tmp_path, GOOD_RU.replace("https://m.example.net/", url.replace('"', "'")))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert caught.value.key == "mirrors.m.links[0].url"


@pytest.mark.parametrize("url", CONTROLS)
def test_a_url_with_a_control_character_or_space_is_refused(tmp_path: Path, url: str) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, with_more_url(url)))
    assert caught.value.key == "notices[0].text.en.more_url"
    assert "\n" not in str(caught.value) and "\r" not in str(caught.value)


def test_non_ascii_urls_are_percent_encoded_at_load(tmp_path: Path) -> None:
    text = with_more_url("https://пример.рф/безопасность?город=Москва#верх").replace(
        "https://m.example.net/", f"{ONION}/новости/")
    catalog = load_catalog(write(tmp_path, text))
    more_url = catalog.notices[0].text["en"].more_url
    assert more_url == ("https://xn--e1afmkfd.xn--p1ai/%D0%B1%D0%B5%D0%B7%D0%BE%D0%BF%D0%B0%D1%81"
                        "%D0%BD%D0%BE%D1%81%D1%82%D1%8C?%D0%B3%D0%BE%D1%80%D0%BE%D0%B4=%D0%9C%D0"
                        "%BE%D1%81%D0%BA%D0%B2%D0%B0#%D0%B2%D0%B5%D1%80%D1%85")
    assert catalog.mirrors["m"].links[0].url == (
        f"{ONION}/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/")


def test_a_mirror_list_url_is_checked_and_encoded_the_same_way(tmp_path: Path) -> None:
    site = ("example.net", [alternative("tor", "eotk", f"{ONION}/новости/")])
    catalog = load_catalog(write_mirror_list(tmp_path, mirror_list(site)))
    encoded = f"{ONION}/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
    assert catalog.mirrors["m"].links[0].url == encoded
    bad = ("example.net", [alternative("tor", "eotk", f"{ONION}/a\r\nb")])
    with pytest.raises(CatalogError) as caught:
        load_catalog(write_mirror_list(tmp_path, mirror_list(bad)))
    assert caught.value.path.endswith("mirrors.json")
    assert caught.value.key == "sites[0].available_alternatives[0].url"


def renderer_for(catalog_path: Path, **changes: object) -> tuple[Renderer, Selector]:
    """A renderer for a catalog changed after loading, as if no check had run."""
    catalog = load_catalog(catalog_path)
    notice = catalog.notices[0]
    text = replace(notice.text["en"], more_url=changes.get("more_url", notice.text["en"].more_url))
    mirrors = {"m": MirrorSet(links=(MirrorLink(str(changes.get("link", ONION + "/")), "Tor",
                                                "onion"),), deep_links=True)}
    catalog = replace(catalog, notices=(replace(notice, text={**notice.text, "en": text}),),
                      mirrors=mirrors)
    index = JurisdictionIndex(catalog)
    return Renderer(catalog, "/_forewarn"), Selector(catalog, index)


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,x",
                                 "JAVASCRIPT:alert(1)", "vbscript:x"])
def test_the_renderer_refuses_a_script_url_that_got_past_the_check(
    tmp_path: Path, url: str,
) -> None:
    assert isinstance(NoticeText("t", "b", url), NoticeText)  # the model alone does not check
    renderer, selector = renderer_for(write(tmp_path, GOOD_RU), more_url=url, link=url)
    decision = selector.decide(Location("RU"), "en", TODAY)
    assert decision.notice_ids == ("ru-undesirable",)
    html, onion = renderer.block_bytes(decision, PageURL("/a/1"), TODAY)
    assert html and b"ru-undesirable" in html  # the notice itself is still there
    assert (url.split(":")[0].lower() + ":").encode() not in html.lower()
    assert onion is None
