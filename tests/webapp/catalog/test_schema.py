"""`forewarn check --schema`: the catalog's JSON Schema from the same models, for editors. The
shipped catalog validates against it (with the jsonschema package, as Taplo sees TOML: dates as
strings), wrong catalogs do not, and the shipped schema file is the current one."""

from __future__ import annotations

import json
import tomllib
from datetime import date
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from tests.support import ROOT
from webapp.catalog.model import parse_catalog
from webapp.catalog.schema import SCHEMA_NAME, catalog_schema
from webapp.cli import main
from webapp.errors import CatalogError

SHIPPED = ROOT / "catalog" / "notices.toml"


def as_editors_see_it(value: Any) -> Any:
    """TOML data the way Taplo hands it to a JSON Schema: dates become ISO strings."""
    if isinstance(value, dict):
        return {key: as_editors_see_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_editors_see_it(item) for item in value]
    return value.isoformat() if isinstance(value, date) else value


def shipped() -> dict[str, Any]:
    return tomllib.loads(SHIPPED.read_text(encoding="utf-8"))


def errors(document: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(catalog_schema(), format_checker=FormatChecker())
    return [error.message for error in validator.iter_errors(as_editors_see_it(document))]


def test_check_schema_prints_the_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--schema"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    printed = json.loads(out)
    assert printed == catalog_schema()
    Draft202012Validator.check_schema(printed)
    assert printed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert printed["title"] == "Forewarn notice catalog"


def test_the_shipped_schema_file_is_current_and_the_catalog_points_at_it() -> None:
    path = ROOT / "catalog" / SCHEMA_NAME
    assert json.loads(path.read_text(encoding="utf-8")) == catalog_schema(), (
        "regenerate: forewarn check --schema > catalog/notices.schema.json")
    assert SHIPPED.read_text(encoding="utf-8").startswith(f"#:schema ./{SCHEMA_NAME}\n")


def test_the_shipped_catalog_is_valid_against_the_schema() -> None:
    assert errors(shipped()) == []


def test_every_key_has_a_description_for_completion_help() -> None:
    schema = catalog_schema()
    objects = [schema, *schema["$defs"].values()]
    missing = [f"{obj.get('title')}.{name}" for obj in objects
               for name, prop in obj["properties"].items() if not prop.get("description")]
    assert missing == []
    assert "path" not in schema["properties"]  # internal, not a key editors write


def change(edit: Any) -> dict[str, Any]:
    document = shipped()
    edit(document)
    return document


WRONG = [
    ("unknown key", lambda d: d["notices"][0].update(colour="red"), "colour"),
    ("severity not one of three", lambda d: d["notices"][0].update(severity="urgent"), "urgent"),
    ("since not a date", lambda d: d["notices"][0].update(since="yesterday"), "yesterday"),
    ("since not a real date", lambda d: d["notices"][0].update(since="2024-02-31"), "2024-02-31"),
    ("organization missing", lambda d: d.pop("organization"), "organization"),
    ("show zero", lambda d: d["mirrors"]["main"].update(show=0), "0"),
    ("links and source", lambda d: d["mirrors"]["by"].update(links=[]), "links"),
    ("a link without url", lambda d: d["mirrors"]["main"]["links"][0].pop("url"), "url"),
    ("title not text", lambda d: d["notices"][0]["text"]["en"].update(title=1), "1"),
    ("schema 2", lambda d: d.update(schema=2), "1"),
]


@pytest.mark.parametrize(("what", "edit", "named"), WRONG, ids=[w[0] for w in WRONG])
def test_a_wrong_catalog_is_invalid_against_the_schema_and_refused_at_load(
    what: str, edit: Any, named: str
) -> None:
    document = change(edit)
    found = errors(document)
    assert found, what
    assert any(named in message for message in found), found
    with pytest.raises(CatalogError):
        parse_catalog(document, str(SHIPPED))
