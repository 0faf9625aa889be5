"""Mirror sets read from bypass-mirrors v2 JSON files: kinds and labels as readers get them, the
site chosen, and each kind of bad file refused with one line naming the file, key path, problem."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from webapp.catalog.model import MirrorLink, load_catalog
from webapp.errors import CatalogError

ONION = "http://exampleradio5xq2mirrorsb7vf4ncm3o2hjkdw6ylhq7trzcqwmvf3vnpad.onion/"
CATALOG = """
schema = 1
organization = "Test Radio"
[mirrors.m]
source = "mirrors.json"
{site}
[[notices]]
id = "n"
everyone = true
mirrors = "m"
  [notices.text.en]
  title = "Title"
  body = "Body."
"""


def alternative(proto: str, kind: str, url: str) -> dict[str, Any]:
    return {"proto": proto, "type": kind, "created_at": "2025-01-02 03:04:05.678901", "url": url}


def mirror_list(*sites: tuple[str, list[dict[str, Any]]], version: Any = 2) -> dict[str, Any]:
    return {"version": version,
            "sites": [{"main_domain": domain, "available_alternatives": copy.deepcopy(alternatives)}
                      for domain, alternatives in sites]}


SITE = ("example.net", [
    alternative("https", "mirror", "https://d111.cloudfront.example.com/"),
    alternative("tor", "eotk", ONION),
    alternative("https", "ipfs", "https://example-radio.ipfs.example.org/"),
    alternative("http", "proxy", "http://proxy.example.org:8080/news/"),
])


def write(tmp_path: Path, document: Any, site: str | None = None) -> Path:
    text = document if isinstance(document, str) else json.dumps(document)
    (tmp_path / "mirrors.json").write_text(text, encoding="utf-8")
    catalog = tmp_path / "notices.toml"
    catalog.write_text(CATALOG.format(site=f'site = "{site}"' if site else ""), encoding="utf-8")
    return catalog


def test_the_shipped_catalog_reads_its_mirror_list() -> None:
    catalog = load_catalog(ROOT / "catalog" / "notices.toml")
    links = catalog.mirrors["by"].links
    assert [link.kind for link in links] == ["mirror", "onion", "ipfs"]
    assert catalog.mirrors["by"].deep_links is True


def test_alternatives_become_links_of_our_kinds_labelled_by_host(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, mirror_list(SITE)))
    assert catalog.mirrors["m"].links == (
        MirrorLink("https://d111.cloudfront.example.com/", "d111.cloudfront.example.com",
                   "mirror"),
        MirrorLink(ONION, ONION.split("/")[2], "onion"),
        MirrorLink("https://example-radio.ipfs.example.org/", "example-radio.ipfs.example.org",
                   "ipfs"),
        MirrorLink("http://proxy.example.org:8080/news/", "proxy.example.org", "mirror"),
    )


def test_the_formats_own_tools_version_string_and_extra_keys_are_accepted(
    tmp_path: Path,
) -> None:
    document = mirror_list(SITE, version="2.0")
    document["sites"][0]["available_alternatives"][0]["updated_at"] = "2025-02-03 04:05:06"
    assert len(load_catalog(write(tmp_path, document)).mirrors["m"].links) == 4


def test_a_tor_address_given_as_https_is_still_an_onion(tmp_path: Path) -> None:
    site = ("example.net", [alternative("https", "mirror", "https://abc.onion/")])
    assert load_catalog(write(tmp_path, mirror_list(site))).mirrors["m"].links[0].kind == "onion"


@pytest.mark.parametrize("site", ["example.org", "WWW.Example.org", "example.org."])
def test_site_picks_one_of_several_by_main_domain(tmp_path: Path, site: str) -> None:
    other = ("example.org", [alternative("https", "mirror", "https://org-mirror.example.com/")])
    catalog = load_catalog(write(tmp_path, mirror_list(SITE, other), site=site))
    assert [link.url for link in catalog.mirrors["m"].links] == ["https://org-mirror.example.com/"]


def bad_alternative(index: int, **change: Any) -> dict[str, Any]:
    document = mirror_list(SITE)
    document["sites"][0]["available_alternatives"][index].update(change)
    return document


def without(key: str) -> dict[str, Any]:
    document = mirror_list(SITE)
    del document["sites"][0]["available_alternatives"][1][key]
    return document


@pytest.mark.parametrize(
    ("document", "key", "problem"),
    [
        (bad_alternative(2, url="javascript:alert(1)"), "sites[0].available_alternatives[2].url",
         "must be an http(s) URL"),
        (bad_alternative(2, url=""), "sites[0].available_alternatives[2].url",
         "must be an http(s) URL"),
        (bad_alternative(0, proto="ftp"), "sites[0].available_alternatives[0].proto",
         "'http', 'https' or 'tor'"),
        (bad_alternative(3, type="vpn"), "sites[0].available_alternatives[3].type",
         "Input should be"),
        (bad_alternative(1, url="https://not-an-onion.example.com/"),
         "sites[0].available_alternatives[1].url", "needs a .onion address"),
        (bad_alternative(0, url=["https://a.example.com/"]),
         "sites[0].available_alternatives[0].url", "valid string"),
        (without("url"), "sites[0].available_alternatives[1].url", "required key is missing"),
        (mirror_list(SITE, version=3), "version", "Input should be"),
        ({"sites": []}, "version", "required key is missing"),
        (mirror_list(), "sites", "no sites in the file"),
        ('{"version": 2, "sites": [', "", "not valid JSON"),
        ('["https://a.example.com/"]', "", "expected a JSON object"),
    ],
)
def test_a_bad_mirror_list_names_the_file_the_key_path_and_the_problem(
    tmp_path: Path, document: Any, key: str, problem: str
) -> None:
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, document))
    error = caught.value
    assert (error.path, error.key) == (str(tmp_path / "mirrors.json"), key)
    assert problem in error.message
    assert "\n" not in str(error)


def test_invalid_json_says_where(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"not valid JSON: .* at line 2 column"):
        load_catalog(write(tmp_path, '{"version": 2,\n "sites": [}'))


@pytest.mark.parametrize(
    ("catalog_text", "key", "problem"),
    [
        (CATALOG.format(site=""), "mirrors.m.site", "lists several sites (example.net, b.example)"),
        (CATALOG.format(site='site = "c.example"'), "mirrors.m.site", "no site 'c.example'"),
        (CATALOG.format(site="").replace("mirrors.json", "gone.json"), "mirrors.m.source",
         "cannot read"),
        (CATALOG.format(site='links = [{ url = "https://a.example.com/", label = "A" }]'),
         "mirrors.m", "either links or source, not both"),
        (CATALOG.format(site="").replace('source = "mirrors.json"', 'site = "example.net"'),
         "mirrors.m.site", "only used with source"),
    ],
)
def test_a_mirror_set_that_cannot_be_read_is_named_in_the_catalog(
    tmp_path: Path, catalog_text: str, key: str, problem: str
) -> None:
    write(tmp_path, mirror_list(SITE, ("b.example", [])))
    (tmp_path / "notices.toml").write_text(catalog_text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog(tmp_path / "notices.toml")
    assert (caught.value.path, caught.value.key) == (str(tmp_path / "notices.toml"), key)
    assert problem in caught.value.message


def test_a_device_or_huge_file_is_refused_not_read_forever(tmp_path: Path) -> None:
    (tmp_path / "notices.toml").write_text(
        CATALOG.format(site="").replace('"mirrors.json"', '"/dev/zero"'), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"/dev/zero: larger than 16 MiB"):
        load_catalog(tmp_path / "notices.toml")
