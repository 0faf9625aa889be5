"""Fill the placeholders of a catalog text for one language: ``{since}`` becomes the notice's
designation date as that language writes dates (Babel, CLDR's long format), ``{organization}``
the catalog's organization. Anything else in braces stays as written (forewarn check warns)."""

from __future__ import annotations

import re

from babel.dates import format_date

from webapp.catalog.model import Catalog, Notice

PLACEHOLDERS = ("since", "organization")
_PLACEHOLDER = re.compile(r"\{(since|organization)\}")


def filler(catalog: Catalog, notice: Notice, lang: str) -> dict[str, str]:
    """The values of the placeholders in ``notice``'s texts in ``lang``."""
    since = format_date(notice.since, format="long", locale=lang) if notice.since else ""
    return {"organization": catalog.organization, "since": since}


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each known placeholder replaced by its value."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)
