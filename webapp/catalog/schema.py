"""The catalog's JSON Schema, generated from the same models that validate it at load, for
editors' tooling (Taplo / Even Better TOML: completion, hover help, checks while typing)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from webapp.catalog.messages import message_ids
from webapp.catalog.model import Catalog

SCHEMA_NAME = "notices.schema.json"  # shipped beside the shipped catalog


class _TomlSchema(GenerateJsonSchema):
    """TOML has no null: an optional key is left out, never set to null, so the schema says so."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        result = super().default_schema(schema)
        if result.get("default", ...) is None:
            del result["default"]
        return result


def catalog_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a catalog file, with titles and descriptions."""
    schema = TypeAdapter(Catalog).json_schema(schema_generator=_TomlSchema)
    schema["$defs"]["MirrorSet"]["not"] = {"required": ["links", "source"]}  # one or the other
    # The words of [interface.xx] are the block's message ids: editors complete them.
    schema["properties"]["interface"]["additionalProperties"] = {
        "type": "object", "propertyNames": {"enum": list(message_ids())},
        "additionalProperties": {"type": "string", "minLength": 1}}
    head = {"$schema": _TomlSchema.schema_dialect, "title": "Forewarn notice catalog",
            "description": DESCRIPTION}
    result: dict[str, Any] = _one_line_descriptions(
        {**head, **{key: value for key, value in schema.items() if key not in head}})
    return result


DESCRIPTION = ("The notices Forewarn adds to article pages, who gets them (jurisdictions, page "
               "languages, everyone) and the mirror links under them. Checked by `forewarn check`.")


def _one_line_descriptions(node: Any) -> Any:
    """Docstrings wrap; editors wrap descriptions themselves."""
    if isinstance(node, dict):
        return {key: " ".join(value.split()) if key == "description" and isinstance(value, str)
                else _one_line_descriptions(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_one_line_descriptions(item) for item in node]
    return node


def catalog_schema_text() -> str:
    """The schema as `forewarn check --schema` prints it (and the shipped file holds it)."""
    return json.dumps(catalog_schema(), indent=2, ensure_ascii=False) + "\n"
