"""`forewarn export nginx|varnish`: the catalog's variants (webapp/reader/variant.py) compiled
into the edge's own language, so that an edge cache keeps one copy of each page per variant and
sends Forewarn the key it keeps it under.

nginx: ``map`` blocks from the geoip2 module's ``$forewarn_country``, ``$forewarn_region`` (the
part after the dash, as MaxMind writes it) and, when the catalog lists ASNs, ``$forewarn_asn``,
to ``$forewarn_variant``. Varnish: a subroutine ``forewarn_variant`` setting
``req.http.X-Forewarn-Variant`` from the CDN headers Forewarn itself reads (``country_header``,
``region_header``, ``asn_header``). Both read ``Accept-Language`` only for the variants whose
page can depend on it, picking the first of the reader's languages (in the order written) that
the variant's notices are written in, as Forewarn's negotiation does for headers in quality
order; where they differ, Forewarn does not vouch for the key and the page is not kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pycountry

from webapp.catalog.model import load_catalog
from webapp.errors import UsageError
from webapp.reader.cdn import CdnHeaders, cdn_headers
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.variant import UNKNOWN_ATOM, Partition, Variant, atom
from webapp.settings import Settings

UNMAPPED = "unmapped"  # a combination no place gives: a key Forewarn never vouches for
_WS = "[[:space:]]*"
_Q0 = f"(?!{_WS};{_WS}q{_WS}={_WS}0(?:[.]0*)?{_WS}(?:,|$))"


def language_pattern(languages: Iterable[str]) -> str:
    """A regular expression (PCRE, case-insensitive) whose group 1 is the first entry of an
    Accept-Language value, in the order written, naming one of ``languages`` (exactly, or its
    primary subtag followed by more), not refused with ``q=0``."""
    ordered = sorted(languages, key=lambda lang: -lang.count("-"))  # full tags before primaries
    end = f"(?={_WS}(?:;|,|$))"
    alternatives = "|".join(f"{lang}{end}" if "-" in lang else f"{lang}(?={_WS}(?:;|,|$)|-)"
                            for lang in ordered)
    return f"^(?:[^,]*,)*?{_WS}({alternatives})[^;,]*+{_Q0}[^,]*(?:,|$)"


def folded(partition: Partition, page_languages: tuple[str, ...] | None) -> list[Variant]:
    """The variants whose key carries the reader's language, for pages in ``page_languages``
    (None: every language the catalog knows)."""
    pages = page_languages or tuple(sorted(partition.known_languages))
    return [v for v in partition.variants if v.folds(pages, partition.known_languages)]


def nginx_map(partition: Partition, page_languages: tuple[str, ...] | None,
              heading: Iterable[str]) -> str:
    """The map file for ``include`` in nginx's ``http {}``, ``heading`` as its first comments."""
    tables = partition.tables
    lines = [f"# {line}" if line else "#" for line in heading]
    lines += ["", "# The catalog's entry for the reader's country (?: not a country, as for "
              "Forewarn)", "map $forewarn_country $forewarn_place_country {",
              f'    default "{UNKNOWN_ATOM}";']
    lines += _rows((code, atom(tables.countries.get(code, ()))) for code in _countries())
    lines += ["}", "", "# ... for the first-level region (MaxMind writes 43 for UA-43)",
              'map "$forewarn_country-$forewarn_region" $forewarn_place_region {',
              '    default "";']
    lines += _rows(pair for code, ids in tables.regions.items()
                   for pair in ((code, atom(ids)), (f"{code.split('-')[0]}-{code}", atom(ids))))
    lines.append("}")
    asn = "$forewarn_place_asn" if tables.asns else ""
    if tables.asns:
        lines += ["", "# ... for the network", "map $forewarn_asn $forewarn_place_asn {",
                  '    default "";']
        lines += _rows((str(number), atom(ids)) for number, ids in tables.asns.items())
        lines.append("}")
    lines += ["", "# The variant of each combination", f'map "$forewarn_place_country|'
              f'$forewarn_place_region|{asn}" $forewarn_place {{', f'    default "{UNMAPPED}";']
    lines += _rows(("|".join(atoms), _variant_of(partition, jurisdictions).name)
                   for atoms, jurisdictions in sorted(partition.combinations.items()))
    lines.append("}")
    folds = folded(partition, page_languages)
    languages = _language_sets(folds)
    for (among, fallback), number in languages.items():
        lines += ["", f"# The reader's language among {', '.join(among)}, else {fallback}",
                  f"map $http_accept_language $forewarn_language_raw_{number} {{",
                  '    default "";', f'    "~*{language_pattern(among)}" $1;', "}",
                  f"map $forewarn_language_raw_{number} $forewarn_language_{number} {{",
                  f"    default {fallback};"]
        lines += _rows((lang, lang) for lang in among)
        lines.append("}")
    lines += ["", "# The key: the variant, the reader's language where it can change the page, "
              "the map's fingerprint", "map $forewarn_place $forewarn_variant {",
              f'    default "{UNMAPPED}@{partition.fingerprint}";']
    for variant in partition.variants:
        part = f".${{forewarn_language_{languages[_language_set(variant)]}}}" \
            if variant in folds else ""
        lines.append(f'    "{variant.name}" "{variant.name}{part}@{partition.fingerprint}";')
    return "\n".join([*lines, "}", ""])


def varnish_vcl(partition: Partition, page_languages: tuple[str, ...] | None,
                headers: CdnHeaders, heading: Iterable[str]) -> str:
    """A VCL file defining ``sub forewarn_variant``, which sets ``req.http.X-Forewarn-Variant``
    from the CDN's headers ``headers``; for ``include`` before the VCL that calls it."""
    tables = partition.tables
    country, region = f"req.http.{headers.country}", f"req.http.{headers.region}"
    lines = [f"# {line}" if line else "#" for line in heading]
    lines += ["", "sub forewarn_variant {", f'    set req.http.X-Fw-Country = "{UNKNOWN_ATOM}";',
              '    set req.http.X-Fw-Region = "";', '    set req.http.X-Fw-Asn = "";']
    branches = [(f'{country} ~ "(?i)^{code}$"', ids) for code, ids in tables.countries.items()]
    others = "|".join(code for code in _countries() if code not in tables.countries)
    branches.append((f'{country} ~ "(?i)^({others})$"', ()))
    lines += _chain(branches, "X-Fw-Country", "    ")
    if headers.region and tables.regions:
        lines += [f"    if ({region} ~ \"-\") {{", f"        set req.http.X-Fw-Full = {region};",
                  "    } else {", f'        set req.http.X-Fw-Full = {country} + "-" + {region};',
                  "    }"]
        lines += _chain([(f'req.http.X-Fw-Full ~ "(?i)^{code}$" && {country} ~ '
                          f'"(?i)^{code.split("-")[0]}$"', ids)
                         for code, ids in tables.regions.items()], "X-Fw-Region", "    ")
    if headers.asn and tables.asns:
        lines += _chain([(f'req.http.{headers.asn} ~ "(?i)^(AS)?{number}$"', ids)
                         for number, ids in tables.asns.items()], "X-Fw-Asn", "    ")
    folds = folded(partition, page_languages)
    languages = _language_sets(folds)
    for (among, fallback), number in languages.items():
        lines += _vcl_language(among, number, fallback)
    lines += ['    set req.http.X-Fw-Place = req.http.X-Fw-Country + "|" + req.http.X-Fw-Region '
              '+ "|" + req.http.X-Fw-Asn;',
              f'    set req.http.X-Forewarn-Variant = "{UNMAPPED}@{partition.fingerprint}";']
    for atoms, jurisdictions in sorted(partition.combinations.items()):
        variant = _variant_of(partition, jurisdictions)
        value = (f'"{variant.name}." + req.http.X-Fw-Language-{languages[_language_set(variant)]} '
                 f'+ "@{partition.fingerprint}"' if variant in folds else
                 f'"{variant.name}@{partition.fingerprint}"')
        lines += [f'    if (req.http.X-Fw-Place == "{"|".join(atoms)}") {{',
                  f"        set req.http.X-Forewarn-Variant = {value};", "    }"]
    lines += [f"    unset req.http.{name};" for name in
              ("X-Fw-Country", "X-Fw-Region", "X-Fw-Asn", "X-Fw-Full", "X-Fw-Place",
               "X-Fw-Language-Raw", *(f"X-Fw-Language-{n}" for n in languages.values()))]
    return "\n".join([*lines, "}", ""])


def _vcl_language(among: tuple[str, ...], number: int, default: str) -> list[str]:
    pattern = language_pattern(among)
    lines = [f'    set req.http.X-Fw-Language-{number} = "{default}";',
             f'    if (req.http.Accept-Language ~ "(?i){pattern}") {{',
             f"        set req.http.X-Fw-Language-Raw = regsub(req.http.Accept-Language, "
             f'"(?i){pattern}.*$", "\\1");']
    lines += [f'        if (req.http.X-Fw-Language-Raw ~ "(?i)^{lang}$") {{ '
              f'set req.http.X-Fw-Language-{number} = "{lang}"; }}' for lang in among]
    return [*lines, "    }"]


def _chain(branches: list[tuple[str, tuple[str, ...]]], header: str, indent: str) -> list[str]:
    lines = []
    for i, (condition, ids) in enumerate(branches):
        keyword = "if" if i == 0 else "} elsif"
        lines += [f"{indent}{keyword} ({condition}) {{",
                  f'{indent}    set req.http.{header} = "{atom(ids)}";']
    return [*lines, f"{indent}}}"] if lines else []


def _language_sets(variants: list[Variant]) -> dict[tuple[tuple[str, ...], str], int]:
    """Each distinct set of languages a folded variant picks among, with the language its
    readers get when they name none, numbered from 1."""
    found: dict[tuple[tuple[str, ...], str], int] = {}
    for variant in variants:
        found.setdefault(_language_set(variant), len(found) + 1)
    return found


def _language_set(variant: Variant) -> tuple[tuple[str, ...], str]:
    return variant.languages, variant.fallback


def _variant_of(partition: Partition, jurisdictions: tuple[str, ...]) -> Variant:
    variant = partition.variant(jurisdictions)
    assert variant is not None, jurisdictions  # every probed class is in a variant
    return variant


def _countries() -> list[str]:
    """Every ISO 3166-1 code Forewarn takes for a country (pycountry's), sorted."""
    return sorted(country.alpha_2 for country in pycountry.countries)


def _rows(pairs: Iterable[tuple[str, str]]) -> list[str]:
    return [f'    "{key}" "{value}";' for key, value in pairs]


def edge_map_text(edge: str, settings: Settings, page_languages: tuple[str, ...] | None,
                  day: date) -> str:
    """What `forewarn export nginx|varnish` writes for ``settings``' catalog."""
    catalog = load_catalog(settings.catalog)
    partition = Partition(catalog, JurisdictionIndex(catalog))
    digest = hashlib.sha256(Path(settings.catalog).read_bytes()).hexdigest()[:12]
    heading = [
        f"Written by `forewarn export {edge}` on {day.isoformat()} from {settings.catalog} "
        f"(SHA-256 {digest}...).",
        "Do not edit: export again when the catalog changes. Forewarn vouches for a key only",
        "while its own catalog gives the same one (the fingerprint after @ says which map);",
        "a page under any other key is answered but private, and counted in",
        "forewarn_edge_variant_mismatches_total{reason=\"place\"}.",
        f"Variants: {', '.join(v.name for v in partition.variants)}; "
        f"fingerprint: {partition.fingerprint}.",
        f"Pages in: {', '.join(page_languages or ['any language the catalog knows'])}; "
        "the reader's language is in the key of: "
        f"{', '.join(v.name for v in folded(partition, page_languages)) or 'none'}.",
    ]
    if edge == "nginx":
        return nginx_map(partition, page_languages, heading)
    headers = cdn_headers(settings.country_header, settings.region_header, settings.asn_header)
    if headers is None:
        raise UsageError("export varnish: Varnish reads the country from the CDN's header: set "
                         "country_header (and region_header) as Forewarn reads them")
    return varnish_vcl(partition, page_languages, headers, heading)
