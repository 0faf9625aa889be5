"""atheris fuzz target: parsing any TOML-ish bytes as a catalog either gives a Catalog or one
CatalogError; nothing else may escape. Run by `make fuzz` (time-bounded)."""

from __future__ import annotations

import contextlib
import sys
import tomllib

import atheris

with atheris.instrument_imports():
    from webapp.catalog.model import parse_catalog
    from webapp.errors import CatalogError


def one_input(data: bytes) -> None:
    try:
        document = tomllib.loads(data.decode("utf-8", errors="replace"))
    except tomllib.TOMLDecodeError:
        return
    with contextlib.suppress(CatalogError):
        parse_catalog(document, "fuzz.toml")


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
