"""Where the files Forewarn ships live once installed: the Jinja2 templates (the checkout's
templates/, installed as ``webapp.templates``), the static files served under the prefix (and
the JSON Schema of notices.json among them), the interface words' gettext catalogs
(webapp/locale), and the shipped catalog folder (the checkout's catalog/, installed as
``webapp.shipped_catalog``)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

STATIC_DIR = Path(__file__).with_name("static")
# The JSON Schema of /_forewarn/notices.json: served beside the caution script, printed by
# `forewarn check --schema notices-json`.
NOTICES_JSON_SCHEMA = STATIC_DIR / "notices-json.schema.json"
# forewarn.pot and <lang>/LC_MESSAGES/forewarn.po: the words of the block that are not the catalog's
LOCALE_DIR = Path(__file__).with_name("locale")


def templates_dir() -> Path:
    """The installed templates folder (the checkout's templates/ in an editable install)."""
    return Path(str(files("webapp.templates")))


def packaged(name: str) -> Path:
    """A file shipped in the catalog folder: the catalog, its mirror list and schema, the demo's
    network CSV."""
    return Path(str(files("webapp.shipped_catalog").joinpath(name)))
