"""The catalog: the shipped one loads; each kind of mistake is named by file, key path, problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import ROOT
from webapp.catalog.model import load_catalog
from webapp.errors import CatalogError

GOOD = """
schema = 1
organization = "Test Radio"
[jurisdictions.ru]
name = "Russia"
countries = ["RU"]
regions = ["UA-43"]
languages = ["ru"]
[mirrors.m]
links = [{ url = "https://m.example.net/", label = "Mirror" }]
[[notices]]
id = "ru-undesirable"
jurisdictions = ["ru"]
since = 2024-02-20
severity = "critical"
mirrors = "m"
  [notices.text.en]
  title = "Title"
  summary = "What is risky, and what to do."
  body = "First.\\n\\nSecond."
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notices.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_catalog_is_valid() -> None:
    catalog = load_catalog(ROOT / "catalog" / "notices.toml")
    assert catalog.organization == "Example Radio"
    assert set(catalog.jurisdictions["ru"].regions) == {
        "UA-43", "UA-40", "UA-14", "UA-09", "UA-23", "UA-65"
    }
    notice = next(n for n in catalog.notices if n.id == "ru-undesirable")
    assert notice.severity == "critical" and notice.unknown == "show"
    assert {"en", "ru"} <= set(notice.text)
    kinds = {link.kind for link in catalog.mirrors[notice.mirrors or ""].links}
    assert {"mirror", "onion"} <= kinds


def test_a_good_catalog_loads_into_typed_objects(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, GOOD))
    notice = catalog.notices[0]
    assert notice.text["en"].paragraphs == ("First.", "Second.")
    assert catalog.jurisdictions["ru"].countries == ("RU",)


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("since = 2024-02-20", 'since = "2024-02-20"', "notices[0].since", "expected a TOML date"),
        ("since = 2024-02-20", "since = 2024-02-31", "", "not valid TOML"),
        ('countries = ["RU"]', 'countries = ["XX"]', "jurisdictions.ru.countries[0]",
         "'XX' is not ISO 3166-1"),
        ('regions = ["UA-43"]', 'regions = ["UA-99"]', "jurisdictions.ru.regions[0]",
         "'UA-99' is not ISO 3166-2"),
        ('jurisdictions = ["ru"]', 'jurisdictions = ["by"]', "notices[0].jurisdictions[0]",
         "unknown jurisdiction 'by'"),
        ('mirrors = "m"', 'mirrors = "nope"', "notices[0].mirrors", "unknown mirror set"),
        ('severity = "critical"', 'severity = "urgent"', "notices[0].severity", "Input should be"),
        ('severity = "critical"', 'severity = "critical"\ncolour = "red"', "notices[0].colour",
         "unknown key"),
        ('organization = "Test Radio"', "", "organization", "required key is missing"),
        ("[notices.text.en]", "[notices.text.xx-yy-zz]", "notices[0].text.xx-yy-zz",
         "is not a known language code"),
        ("since = 2024-02-20", "since = 2024-02-20\nuntil = 2024-01-01", "notices[0].until",
         "must be after since"),
        ('url = "https://m.example.net/"', 'url = "javascript:alert(1)"',
         "mirrors.m.links[0].url", "must be an http(s) URL"),
        ('id = "ru-undesirable"', 'id = "Bad Id"', "notices[0].id", "lower-case"),
        ("schema = 1", "schema = 2", "schema", "Input should be 1"),
    ],
)
def test_a_bad_catalog_gives_the_documented_error(
    tmp_path: Path, old: str, new: str, key: str, problem: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    error = caught.value
    assert error.path == str(path)
    assert error.key == key
    assert problem in error.message
    assert str(error).startswith(f"{path}: ")
    assert "\n" not in str(error)


def test_a_missing_catalog_is_named(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"nowhere\.toml: cannot read"):
        load_catalog(tmp_path / "nowhere.toml")


def test_duplicate_notice_ids_are_refused(tmp_path: Path) -> None:
    notice = GOOD[GOOD.index("[[notices]]"):]
    with pytest.raises(CatalogError,
                       match=r"notices\[1\] \(ru-undesirable\)\.id: duplicate notice id"):
        load_catalog(write(tmp_path, GOOD + notice))
