"""Which readers get the same page: the catalog's places partitioned into variants, one per
distinct notice set, and the key an edge cache keeps one copy of each page per.

An edge that keys its cache on the reader's country and region keeps hundreds of copies of every
article, most of them the same page with no notice. ``Partition`` works out, once per catalog,
which places get the same block on every page language, every day and with every
Accept-Language: those share a variant. `forewarn export nginx|varnish` writes the variant's
computation for the edge (webapp/edge_map.py), which sends the key it computed in
``X-Forewarn-Variant``; Forewarn vouches for it (answers the same key, ``Vary:
X-Forewarn-Variant``) only when its own decision gives that key, so a page under a key from a
map exported from another catalog, or from an Accept-Language the edge read otherwise, is
answered right but not kept. (A copy already kept under the edge's key is still served to such
a reader: with a map older than the catalog, copies made before the change until they expire;
with a language read otherwise, the notice in the language the edge read.)

A key is ``<variant>[.<language>]@<fingerprint>``:

- the variant: named after the first of the places it holds (in catalog order, places in
  several jurisdictions after those in one, then ``none``, placed in no jurisdiction, then
  ``unknown``): ``ru``, or ``ru+crimea`` for a place in two; for the shipped catalog ``ru``,
  ``by``, ``ir``, ``none`` and ``unknown`` (the places nobody can tell get Russia's notice too,
  but ordered by the page's language: on a Persian page Iran's comes first);
- the language the reader's Accept-Language picks among the variant's notice texts, else the
  variant's ``fallback`` (the place's language, as the Selector falls back to), where it can
  change the page (a notice without the page's language): the export folds it into the key only
  for those variants;
- the partition's fingerprint, which changes whenever exporting again would give another map.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import pycountry
from babel import negotiate_locale

from geoip.location import Location
from webapp.catalog.model import Catalog
from webapp.reader.jurisdiction import UNKNOWN, JurisdictionIndex
from webapp.reader.selection import (
    Decision,
    Selector,
    Shown,
    placed,
    preferred_languages,
    primary_subtag,
)

NONE = "none"
UNKNOWN_ATOM = "?"  # the edge's country says "unknown" (XX, T1, not a country)
OTHER_LANGUAGE = "zxx"  # ISO 639 "no linguistic content": a page language no notice is in
MIXED = "*"  # the notices' languages are not all the one a key could name: never vouched for


@dataclass(frozen=True, slots=True)
class Variant:
    """Places whose readers get the same block on every page, day and Accept-Language.

    ``languages`` are the texts a reader's Accept-Language chooses among where it can (a notice
    without the page's language); ``negotiated_on`` the page languages (primary subtags, None
    for none, OTHER_LANGUAGE for any other) on which it can."""

    name: str
    members: tuple[tuple[str, ...], ...]
    languages: tuple[str, ...]
    negotiated_on: frozenset[str | None]
    # What its readers get where their Accept-Language picks none of ``languages``: the place's
    # language (the Selector's fallback), else the catalog's default.
    fallback: str = ""

    def folds(self, page_languages: tuple[str | None, ...], known: frozenset[str]) -> bool:
        """Whether the key carries the reader's language on pages in ``page_languages``."""
        if len(self.languages) < 2:
            return False
        return any(_page_key(lang, known) in self.negotiated_on for lang in page_languages)


@dataclass(frozen=True)
class PlaceTables:
    """What the edge maps: jurisdiction ids per country, per full region code, per ASN."""

    countries: dict[str, tuple[str, ...]]
    regions: dict[str, tuple[str, ...]]
    asns: dict[int, tuple[str, ...]]


def class_name(jurisdictions: tuple[str, ...]) -> str:
    """``("ru",)`` -> ``"ru"``, ``()`` -> ``"none"``, ``("ru", "by")`` -> ``"ru+by"``."""
    return "+".join(jurisdictions) or NONE


def atom(ids: tuple[str, ...]) -> str:
    """One table entry as the edge writes it: the ids joined by ``+``, "" for none."""
    return "+".join(ids)


class Partition:
    """The variants of one catalog, the edge's tables and the fingerprint of both."""

    def __init__(self, catalog: Catalog, index: JurisdictionIndex) -> None:
        self.default_language = catalog.default_language
        self.known_languages = frozenset(_known(catalog))
        self.tables = _tables(catalog, index)
        selector = Selector(catalog, index)  # its own: probing must not fill the live memory
        classes: dict[tuple[str, ...], Location] = {}
        self.combinations: dict[tuple[str, str, str], tuple[str, ...]] = {}
        for atoms, location in _probes(self.tables):
            jurisdictions, _located = placed(index, location)
            self.combinations[atoms] = jurisdictions
            classes.setdefault(jurisdictions, location)
        self.variants = _merge(catalog, selector, classes)
        self._by_members = {member: v for v in self.variants for member in v.members}
        self.fingerprint = _fingerprint(self)

    def variant(self, jurisdictions: tuple[str, ...]) -> Variant | None:
        return self._by_members.get(jurisdictions)

    def key(self, decision: Decision, page_lang: str | None, accept_language: str | None,
            sent: str | None = None) -> str:
        """This reader's key for this page. It has the reader's language when the page needs it
        (a notice without the page's language, in more than one language), or when the edge's
        key ``sent`` has one; equal to ``sent`` exactly when Forewarn vouches for the edge's."""
        variant = self.variant(decision.jurisdictions)
        name = variant.name if variant else class_name(decision.jurisdictions)
        lang = primary_subtag(page_lang)
        negotiated = [s for s in decision.shown if lang not in s.notice.text]
        needs = any(len(s.notice.text) > 1 for s in negotiated)
        part = ""
        if needs or (sent is not None and has_language(sent)):
            among = variant.languages if variant else _texts(negotiated)
            fallback = variant.fallback if variant else self.default_language
            chosen = self.reader_language(accept_language, among, fallback)
            decided = all(len(s.notice.text) == 1 or s.languages[0] == chosen for s in negotiated)
            part = "." + (chosen if decided else MIXED)
        return f"{name}{part}@{self.fingerprint}"

    def reader_language(self, accept_language: str | None, among: tuple[str, ...],
                        fallback: str | None = None) -> str:
        """The language of ``among`` the reader's Accept-Language picks as the Selector does
        (Babel's negotiation, best quality first), in the catalog's spelling; ``fallback`` (the
        variant's, else the default language) when it picks none."""
        preferred = preferred_languages(accept_language)
        found = negotiate_locale(list(preferred), list(among), sep="-") if preferred else None
        if not found:
            return fallback or self.default_language
        lower = found.lower()
        return next((lang for lang in among if lang.lower() == lower), found)


def has_language(key: str) -> bool:
    return "." in key.partition("@")[0]


def mismatch(sent: str, computed: str) -> str:
    """Why the edge's key is not Forewarn's: "place" (another variant or another map: export
    again) or "language" (the edge read the reader's Accept-Language otherwise)."""
    sent_name, _, sent_print = sent.partition("@")
    name, _, fingerprint = computed.partition("@")
    same_place = sent_print == fingerprint and sent_name.partition(".")[0] == name.partition(".")[0]
    return "language" if same_place else "place"


def _tables(catalog: Catalog, index: JurisdictionIndex) -> PlaceTables:
    countries: dict[str, list[str]] = defaultdict(list)
    regions: dict[str, list[str]] = defaultdict(list)
    asns: dict[int, list[str]] = defaultdict(list)
    for jid, jur in catalog.jurisdictions.items():  # catalog order, as the index answers
        for code in jur.countries:
            countries[code].append(jid)
        for code in jur.regions:
            regions[code].append(jid)
        for number in jur.asns:
            asns[number].append(jid)
    return PlaceTables({k: tuple(v) for k, v in countries.items()},
                       {k: tuple(v) for k, v in regions.items()},
                       {k: tuple(v) for k, v in asns.items()})


def _probes(tables: PlaceTables) -> Iterator[tuple[tuple[str, str, str], Location]]:
    """A location for every combination of table entries an edge can see: a country (listed,
    any other, or unknown), one of that country's listed regions or none, an ASN or none."""
    asn_options: dict[str, int | None] = {"": None}
    for listed, ids in tables.asns.items():
        asn_options.setdefault(atom(ids), listed)
    by_country: dict[str, list[str]] = defaultdict(list)
    for code in tables.regions:
        by_country[code.split("-")[0]].append(code)
    other = next(c.alpha_2 for c in pycountry.countries
                 if c.alpha_2 not in tables.countries and c.alpha_2 not in by_country)
    for country in dict.fromkeys([*tables.countries, *by_country, other]):
        country_atom = atom(tables.countries.get(country, ()))
        for region in (None, *by_country.get(country, ())):
            region_atom = atom(tables.regions[region]) if region else ""
            for asn_atom, number in asn_options.items():
                yield ((country_atom, region_atom, asn_atom),
                       Location(country, (region,) if region else (), number))
    for asn_atom, number in asn_options.items():
        yield (UNKNOWN_ATOM, "", asn_atom), Location(None, (), number)


def _merge(catalog: Catalog, selector: Selector,
           classes: dict[tuple[str, ...], Location]) -> tuple[Variant, ...]:
    """Classes with the same decisions everywhere, as one variant each."""
    pages, days, accepts = _grid(catalog)
    groups: dict[object, list[tuple[str, ...]]] = {}
    found: dict[tuple[str, ...], tuple[list[str], set[str | None]]] = {}
    fallbacks: dict[tuple[str, ...], set[str]] = {}
    for jurisdictions in sorted(classes, key=lambda j: _order(catalog, j)):
        location = classes[jurisdictions]
        signature = []
        texts: list[str] = []
        negotiated: set[str | None] = set()
        fallen: set[str] = set()  # the first languages readers whom no language picks get
        for page in pages:
            for day in days:
                base = selector.decide(location, page, day)
                signature.append(base.key)
                signature += [selector.decide(location, page, day, accept_language=lang).key
                              for lang in accepts]
                for item in base.shown:
                    if primary_subtag(page) not in item.notice.text:
                        negotiated.add(_page_key(page, _known(catalog)))
                        texts += item.notice.text
                        if len(item.notice.text) > 1:
                            fallen.add(item.languages[0])
        groups.setdefault(tuple(signature), []).append(jurisdictions)
        found[jurisdictions] = (texts, negotiated)
        fallbacks[jurisdictions] = fallen
    variants = []
    for members in groups.values():
        texts = [lang for member in members for lang in found[member][0]]
        negotiated = set().union(*(found[member][1] for member in members))
        # Members share every decision, so their fallbacks too; when the notices fall back to
        # different languages no one key names them (Partition.key then says MIXED).
        fallen = fallbacks[members[0]]
        fallback = next(iter(fallen)) if len(fallen) == 1 else catalog.default_language
        variants.append(Variant(class_name(members[0]), tuple(members),
                                tuple(dict.fromkeys(texts)), frozenset(negotiated), fallback))
    return tuple(variants)


def _grid(catalog: Catalog) -> tuple[list[str | None], list[date], list[str]]:
    """Page languages, one day in each stretch between notices' ``since``/``until``, and
    reader languages: where two places' decisions could differ, if anywhere."""
    pages: list[str | None] = [*catalog.page_languages(), None, OTHER_LANGUAGE]
    bounds = sorted({d for n in catalog.notices for d in (n.since, n.until) if d is not None})
    days = [bounds[0] - timedelta(days=1), *bounds] if bounds else [date(2000, 1, 1)]
    accepts = list(dict.fromkeys(lang for n in catalog.notices for lang in n.text))
    return pages, days, accepts


def _order(catalog: Catalog, jurisdictions: tuple[str, ...]) -> tuple[int, ...]:
    """Single jurisdictions in catalog order, then places in several, then none, unknown."""
    position = {jid: i for i, jid in enumerate(catalog.jurisdictions)}
    if jurisdictions == (UNKNOWN,):
        return (3,)
    if not jurisdictions:
        return (2,)
    return (0 if len(jurisdictions) == 1 else 1, *(position[j] for j in jurisdictions))


def _texts(shown: list[Shown]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lang for item in shown for lang in item.notice.text))


def _known(catalog: Catalog) -> set[str]:
    return {p for p in map(primary_subtag, catalog.page_languages()) if p}


def _page_key(lang: str | None, known: frozenset[str] | set[str]) -> str | None:
    primary = primary_subtag(lang)
    return primary if primary is None or primary in known else OTHER_LANGUAGE


def _fingerprint(partition: Partition) -> str:
    """Short SHA-256 of everything an exported map holds."""
    tables = partition.tables
    described = {
        "default": partition.default_language,
        "countries": tables.countries,
        "regions": tables.regions,
        "asns": {str(k): v for k, v in tables.asns.items()},
        "combinations": {"|".join(k): class_name(v) for k, v in
                         sorted(partition.combinations.items())},
        "variants": [[v.name, v.languages, v.fallback] for v in partition.variants],
    }
    text = json.dumps(described, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()[:10]
