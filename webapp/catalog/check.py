"""What `forewarn check` says about a catalog beyond "it loads": warnings about things that load but
are probably mistakes (a notice missing a language its readers read, a misspelt placeholder, a
mirror set nothing uses), printed one per line, failures with ``--strict``, logged at serve time."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TextIO

from webapp.catalog.model import Catalog, Notice, load_catalog

log = logging.getLogger("forewarn")
PLACEHOLDERS = ("since", "organization")  # what webapp/reader/render.py fills in
_BRACED = re.compile(r"\{([^{}\s]*)\}")


@dataclass(frozen=True)
class CatalogWarning:
    """Something in a loadable catalog that is probably a mistake: where, and what."""

    path: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.key}: {self.message}"


def catalog_warnings(catalog: Catalog) -> tuple[CatalogWarning, ...]:
    """Every warning about ``catalog``, in file order."""
    found: list[CatalogWarning] = []
    for i, notice in enumerate(catalog.notices):
        found += _notice_warnings(catalog, f"notices[{i}]", notice)
    used = {notice.mirrors for notice in catalog.notices}
    for sid, mirror_set in catalog.mirrors.items():
        if sid not in used:
            found.append(CatalogWarning(catalog.path, f"mirrors.{sid}",
                                        "mirror set not used by any notice"))
        elif not mirror_set.links:
            found.append(CatalogWarning(catalog.path, f"mirrors.{sid}", "mirror set has no links"))
    return tuple(found)


def _notice_warnings(catalog: Catalog, where: str, notice: Notice) -> list[CatalogWarning]:
    found = []
    for jid in notice.jurisdictions:
        for lang in catalog.jurisdictions[jid].languages:
            if lang not in notice.text:
                found.append(CatalogWarning(
                    catalog.path, f"{where}.text",
                    f"no text in {lang!r}, a language of jurisdiction {jid!r}: readers there get "
                    "the notice only in the page's language"))
    for lang, text in notice.text.items():
        for name, value in (("title", text.title), ("body", text.body)):
            found += _placeholder_warnings(catalog.path, f"{where}.text.{lang}.{name}", value,
                                           notice)
    return found


def _placeholder_warnings(path: str, where: str, text: str, notice: Notice) -> list[CatalogWarning]:
    found = []
    known = ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    for name in dict.fromkeys(_BRACED.findall(text)):
        if name not in PLACEHOLDERS:
            found.append(CatalogWarning(path, where, f"unknown placeholder {{{name}}} is shown "
                                                     f"as it is (known: {known})"))
        elif name == "since" and notice.since is None:
            found.append(CatalogWarning(path, where, "{since} but the notice has no since date: "
                                                     "it would be empty"))
    return found


def fallback_warnings(catalog: Catalog, folder: Path, prefix: str,
                      day: date | None = None) -> tuple[CatalogWarning, ...]:
    """Warnings about the fallback blocks exported into ``folder`` (`forewarn export fallback`,
    or a server's ``fallback_dir``): missing, or older than the catalog or than ``day``."""
    from webapp.fallback import catalog_sha256, fallback_blocks, stale_reasons

    day = day or datetime.now(UTC).date()
    today = fallback_blocks(catalog, prefix, day, catalog_sha256(Path(catalog.path)))
    return tuple(CatalogWarning(str(folder), file, reason)
                 for file, reason in stale_reasons(today, folder))


def load_and_log(path: Path) -> Catalog:
    """Load the catalog for serving: warnings are logged (once per load), never fatal."""
    catalog = load_catalog(path)
    for warning in catalog_warnings(catalog):
        log.warning("catalog: %s", warning)
    return catalog


def report(path: Path, strict: bool, out: TextIO, err: TextIO,
           fallback_dir: Path | None = None, prefix: str = "/_forewarn") -> int:
    """`forewarn check`: each warning on a line of ``err``, a summary on ``out``; exit 1 when
    ``strict`` and there are warnings (a broken catalog raises CatalogError). With
    ``fallback_dir``, the fallback blocks exported there are checked against the catalog too."""
    catalog = load_catalog(path)
    warnings = catalog_warnings(catalog)
    if fallback_dir is not None:
        warnings += fallback_warnings(catalog, fallback_dir, prefix)
    for warning in warnings:
        print(f"forewarn: warning: {warning}", file=err)
    if strict and warnings:
        print(f"forewarn: {path}: {len(warnings)} warnings, failing (--strict)", file=err)
        return 1
    summary = f", {len(warnings)} warnings" if warnings else ""
    print(f"{path}: OK: {len(catalog.notices)} notices, {len(catalog.jurisdictions)} "
          f"jurisdictions, {len(catalog.mirrors)} mirror sets{summary}", file=out)
    return 0
