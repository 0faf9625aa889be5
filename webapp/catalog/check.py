"""What `forewarn check` says about a catalog beyond "it loads": warnings about things that load but
are probably mistakes (a notice missing a language its readers read, a misspelt placeholder, a
mirror set nothing uses), printed one per line, failures with ``--strict``, logged at serve time."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from webapp.catalog.model import Catalog, Notice, load_catalog, notice_labels
from webapp.errors import CatalogError

log = logging.getLogger("forewarn")
PLACEHOLDERS = ("since", "organization")  # what webapp/reader/render.py fills in
_BRACED = re.compile(r"\{([^{}\s]*)\}")


@dataclass(frozen=True)
class CatalogWarning:
    """Something in a loadable catalog that is probably a mistake: where (``shown_key`` with a
    notice's id beside its index), and what."""

    path: str
    key: str
    message: str
    shown_key: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.shown_key or self.key}: {self.message}"


def catalog_warnings(catalog: Catalog) -> tuple[CatalogWarning, ...]:
    """Every warning about ``catalog``, in file order."""
    label = notice_labels([notice.id for notice in catalog.notices])
    return tuple(replace(warning, shown_key=label(warning.key))
                 for warning in _warnings(catalog))


def _warnings(catalog: Catalog) -> list[CatalogWarning]:
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
    return found


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


def load_and_log(path: Path) -> Catalog:
    """Load the catalog for serving: warnings are logged (once per load), never fatal."""
    catalog = load_catalog(path)
    for warning in catalog_warnings(catalog):
        log.warning("catalog: %s", warning)
    return catalog


def report(path: Path, strict: bool, out: TextIO, err: TextIO) -> int:
    """`forewarn check`: every error, or else every warning, on a line of ``err``, and a summary
    on ``out``; exit 1 on errors, and with ``strict`` on warnings too."""
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        for problem in error.problems:
            print(f"forewarn: {problem}", file=err)
        return error.exit_status
    warnings = catalog_warnings(catalog)
    for warning in warnings:
        print(f"forewarn: warning: {warning}", file=err)
    if strict and warnings:
        print(f"forewarn: {path}: {counted(len(warnings), 'warning')}, failing (--strict)",
              file=err)
        return 1
    summary = f", {counted(len(warnings), 'warning')}" if warnings else ""
    print(f"{path}: OK: {counted(len(catalog.notices), 'notice')}, "
          f"{counted(len(catalog.jurisdictions), 'jurisdiction')}, "
          f"{counted(len(catalog.mirrors), 'mirror set')}{summary}", file=out)
    return 0


def counted(count: int, noun: str) -> str:
    """``1 warning``, ``2 warnings``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
