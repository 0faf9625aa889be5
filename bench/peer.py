"""The peer's banners: for each place the catalog names, the block Forewarn itself renders there,
written as an nginx ``map`` from the geoip2 module's country and region to that block. So the
peer (nginx + sub_filter) and Forewarn serve the same bytes to the same readers, and what the
benchmark compares is the machinery, not the banner."""

from __future__ import annotations

from collections.abc import Iterator

from bench.article import PATH
from geoip.location import UNKNOWN, Location
from webapp.engine import Engine
from webapp.reader.links import PageURL

UNKNOWN_COUNTRY = "XX"  # geo.conf's default for an address in no network
# nginx reads no single configuration token longer than 4096 bytes, and a block in three
# languages is longer: each banner is cut into PARTS map values ($bench_banner_0 ...), which
# peer.conf's sub_filter writes one after the other.
PARTS = 4
TOKEN_BYTES = 4000


def banners(engine: Engine, page_lang: str = "en") -> dict[str, str]:
    """nginx map keys (``"UA:43"`` exact, ``"~^RU:"`` for a whole country) to blocks."""
    entries: dict[str, str] = {}
    for place, location in _places(engine):
        decision = engine.decide(location, page_lang)
        entries[place] = engine.block(decision, PageURL(PATH)).html
    return entries


def banners_conf(entries: dict[str, str]) -> str:
    """One ``map`` per part of the banners: exact keys first (nginx tries them before any
    regular expression)."""
    ordered = sorted(entries.items(), key=lambda item: item[0].startswith("~"))
    parts = {key: _cut(key, html) for key, html in ordered}
    lines = []
    for index in range(PARTS):
        lines += [f'map "$bench_country:$bench_region" $bench_banner_{index} {{',
                  '    default "";']
        lines += [f"    {_quote(key)} {cut[index]};" for key, cut in parts.items()
                  if index < len(cut)]
        lines.append("}")
    return "\n".join(lines) + "\n"


def _cut(key: str, html: str) -> list[str]:
    """``html`` as quoted nginx strings of at most TOKEN_BYTES bytes each."""
    pieces: list[str] = []
    start = 0
    for end in range(1, len(html) + 1):
        if len(_quote(html[start:end]).encode()) > TOKEN_BYTES:
            pieces.append(_quote(html[start:end - 1]))
            start = end - 1
    pieces.append(_quote(html[start:]))
    if len(pieces) > PARTS:
        raise ValueError(f"the banner for {key} needs {len(pieces)} nginx map values; "
                         f"bench/peer.py writes {PARTS}")
    return pieces


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
