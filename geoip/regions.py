"""Turn a subdivision's name into its ISO 3166-2 code, for databases (DB-IP) that name regions
without codes: "Crimea" or "Autonomous Republic of Crimea" in UA is "UA-43".

Names are compared after folding case, accents, punctuation and the generic words ("oblast",
"region", "city", ...) away, against pycountry's names and a few English names it does not
have. Each country's table is built once, on first use; a name that matches nothing is None.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry

_GENERIC = re.compile(
    r"\b(autonomous|republic|respublika|avtonomna|of|the|oblast|oblast'|oblast’|region|"
    r"province|city|municipality|krai|kray|okrug|governorate|voblasts|horad|gorod|misto)\b"
)
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")

# English names DB-IP and others use that pycountry's (local, transliterated) names do not give
# after folding. The places Forewarn's own catalog is about come first.
ALIASES: dict[str, dict[str, str]] = {
    "UA": {
        "crimea": "UA-43", "krym": "UA-43", "sevastopol": "UA-40", "sebastopol": "UA-40",
        "donetsk": "UA-14", "luhansk": "UA-09", "lugansk": "UA-09",
        "zaporizhzhia": "UA-23", "zaporizhia": "UA-23", "zaporozhye": "UA-23",
        "kherson": "UA-65", "kyiv": "UA-30", "kiev": "UA-30",
        "kharkiv": "UA-63", "odesa": "UA-51", "odessa": "UA-51", "lviv": "UA-46",
        "dnipropetrovsk": "UA-12", "mykolaiv": "UA-48",
    },
    "RU": {"moscow": "RU-MOW", "saint petersburg": "RU-SPE", "st petersburg": "RU-SPE"},
}


def fold(name: str) -> str:
    """"Avtonomna Respublika Krym" -> "krym"; "Donetsk Oblast" -> "donetsk"."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = _NOT_WORD.sub(" ", text.replace("’", "'").replace("'", ""))
    text = _GENERIC.sub(" ", text)
    return " ".join(text.split())


@cache
def _table(country: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for subdivision in pycountry.subdivisions.get(country_code=country) or ():
        key = fold(subdivision.name)
        if key:
            table.setdefault(key, subdivision.code)
    table.update(ALIASES.get(country, {}))
    return table


def region_code(country: str, name: str) -> str | None:
    """The ISO 3166-2 code of the subdivision of ``country`` called ``name``, or None."""
    if not name or len(name) > 200:
        return None
    return _table(country).get(fold(name))
