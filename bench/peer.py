"""The peer's banners: for each place the catalog names, the block Forewarn itself renders there,
written as an nginx ``map`` from the geoip2 module's country and region to that block. So the
peer (nginx + sub_filter) and Forewarn serve the same bytes to the same readers, and what the
benchmark compares is the machinery, not the banner."""

from __future__ import annotations

from collections.abc import Iterator

from bench.article import PATH
from geoip.location import UNKNOWN, Location
from webapp.engine import Engine
from webapp.links import Request

UNKNOWN_COUNTRY = "XX"  # geo.conf's default for an address in no network


def banners(engine: Engine, page_lang: str = "en") -> dict[str, str]:
    """nginx map keys (``"UA:43"`` exact, ``"~^RU:"`` for a whole country) to blocks."""
    entries: dict[str, str] = {}
    for place, location in _places(engine):
        decision = engine.decide(location, page_lang)
        entries[place] = engine.block(decision, Request(PATH)).html
    return entries


def banners_conf(entries: dict[str, str]) -> str:
    """The ``map`` block: exact keys first (nginx tries them before any regular expression)."""
    lines = ['map "$bench_country:$bench_region" $bench_banner {', '    default "";']
    ordered = sorted(entries.items(), key=lambda item: item[0].startswith("~"))
    for key, html in ordered:
        lines.append(f"    {_quote(key)} {_quote(html)};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _places(engine: Engine) -> Iterator[tuple[str, Location]]:
    for jurisdiction in engine.catalog.jurisdictions.values():
        for country in jurisdiction.countries:
            yield f"~^{country}:", Location(country)
        for region in jurisdiction.regions:
            country, _, suffix = region.partition("-")
            yield f"{country}:{suffix}", Location(country, (region,))
    yield f"{UNKNOWN_COUNTRY}:", UNKNOWN


def _quote(text: str) -> str:
    """An nginx single-quoted string. nginx would read ``$name`` inside as a variable, and has
    no escape for it: such text is refused rather than served differently."""
    if "$" in text:
        raise ValueError(f"a '$' cannot be written into an nginx map value: {text[:60]!r}")
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
