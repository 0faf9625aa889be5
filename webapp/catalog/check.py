"""What `forewarn check` says about a catalog beyond "it loads": warnings about things that load but
are probably mistakes (a notice missing a language its readers read, a serious notice without a
short summary, a misspelt placeholder, a mirror set nothing uses, a language with none of the
block's words of its own) and about fallback blocks exported from an older catalog or for another
day, printed one per line, failures with ``--strict``, logged at serve time; and, per language a
notice is written in, which of the block's words fall back to English."""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from webapp.catalog.interface import InterfaceWords
from webapp.catalog.messages import message_ids
from webapp.catalog.model import (
    Catalog,
    Notice,
    NoticeText,
    catalog_files,
    load_catalog,
    notice_labels,
)
from webapp.catalog.placeholders import PLACEHOLDERS, fill, filler
from webapp.errors import CatalogError
from webapp.settings import GUARD_KINDS

log = logging.getLogger("forewarn")
GUARD_LENGTH = 200  # characters: longer is no longer "one short sentence" beside a button
SUMMARY_LIMIT = 200  # characters a reader reads before the article, as shown (placeholders filled)
SUMMARY_NEEDED = ("critical", "warning")  # severities whose readers must get the gist at a glance
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
    return [*found, *_interface_warnings(catalog)]


def text_languages(catalog: Catalog) -> dict[str, str]:
    """Each language a notice is written in, and the key of its first text in that language."""
    found: dict[str, str] = {}
    for i, notice in enumerate(catalog.notices):
        for lang in notice.text:
            found.setdefault(lang, f"notices[{i}].text.{lang}")
    return found


def _interface_warnings(catalog: Catalog) -> list[CatalogWarning]:
    """A language with none of the block's words of its own; words a .po file gives that are
    none of the block's (a file for another version of Forewarn?)."""
    words = InterfaceWords(catalog)
    found = []
    for lang, where in text_languages(catalog).items():
        coverage = words.coverage(lang)
        if not coverage.own:
            found.append(CatalogWarning(
                catalog.path, where, f"none of the block's own words in {lang!r}: readers get "
                f"all {coverage.total} in English; give them in [interface.{lang}] or a .po file "
                "(docs/languages.md)"))
    known = set(message_ids())
    for lang, given in catalog.interface.items():
        for msgid in given.keys() - known:
            found.append(CatalogWarning(catalog.path, f"interface.{lang}",
                                        f'"{msgid}" is not one of the block\'s words: unused'))
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
        fields = (("title", text.title), ("summary", text.summary or ""), ("body", text.body))
        for name, value in fields:
            found += _placeholder_warnings(catalog.path, f"{where}.text.{lang}.{name}", value,
                                           notice)
        found += _summary_warnings(catalog, f"{where}.text.{lang}", notice, lang, text)
    return found + _guard_warnings(catalog.path, where, notice)


def _guard_warnings(path: str, where: str, notice: Notice) -> list[CatalogWarning]:
    """A caution is one short sentence, filled like the title, and given in every language of
    the notice once given in one (else readers of the others get it in another language)."""
    found = []
    given = {lang: dict(text.guard.texts()) for lang, text in notice.text.items() if text.guard}
    for lang, texts in given.items():
        for kind, value in texts.items():
            key = f"{where}.text.{lang}.guard.{kind}"
            if len(value) > GUARD_LENGTH:
                found.append(CatalogWarning(path, key, f"{len(value)} characters: a caution is "
                                                       f"one short sentence (at most "
                                                       f"{GUARD_LENGTH})"))
            found += _placeholder_warnings(path, key, value, notice)
    for kind in GUARD_KINDS:
        having = [lang for lang, texts in given.items() if kind in texts]
        for lang in notice.text if having else ():
            if lang not in having:
                found.append(CatalogWarning(
                    path, f"{where}.text.{lang}.guard",
                    f"no {kind} caution in {lang!r} (there is one in {having[0]!r}): readers "
                    f"of {lang!r} get it in {having[0]!r}"))
    return found


def _summary_warnings(catalog: Catalog, where: str, notice: Notice, lang: str,
                      text: NoticeText) -> list[CatalogWarning]:
    """A critical or warning notice needs a summary in each language it has a title in (else
    the body's first paragraph stands in, however long); no summary may pass the limit."""
    if text.summary is None:
        if notice.severity not in SUMMARY_NEEDED:
            return []
        return [CatalogWarning(catalog.path, where, f"no summary: a {notice.severity} notice "
                               "shows its title and a one-sentence summary on every page; "
                               "without one the body's first paragraph is shown")]
    length = len(fill(text.summary, filler(catalog, notice, lang)))
    if length <= SUMMARY_LIMIT:
        return []
    return [CatalogWarning(catalog.path, f"{where}.summary", f"{length} characters as shown: "
                           f"keep it to one sentence of at most {SUMMARY_LIMIT}")]


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


# The fallback export's manifest (written by webapp/fallback.py), as this check reads it.
FALLBACK_MANIFEST = "manifest.json"
FALLBACK_FORMAT = 1


def catalog_sha256(path: Path) -> str:
    """The SHA-256 of the catalog file and the mirror lists and .po files it names, in that
    order: what a fallback export records, to tell later whether the catalog changed since."""
    digest = hashlib.sha256()
    for file in (path, *catalog_files(path)):
        digest.update(file.read_bytes())
    return digest.hexdigest()


def fallback_warnings(catalog: Catalog, folder: Path, prefix: str,
                      day: date | None = None) -> tuple[CatalogWarning, ...]:
    """Warnings about the fallback blocks exported into ``folder`` (`forewarn export fallback`,
    or a server's ``fallback_dir``): missing, made from another version of the catalog or for
    another prefix, made on a day after which a notice began, ended or a mirror list rotated,
    or a file changed since. Decided from the manifest and the catalog, without rendering."""
    day = day or datetime.now(UTC).date()

    def warn(key: str, message: str) -> tuple[CatalogWarning, ...]:
        again = f"run `forewarn export fallback --dir {folder}`"
        return (CatalogWarning(str(folder), key, f"{message}; {again}"),)

    try:
        found = json.loads((folder / FALLBACK_MANIFEST).read_text(encoding="utf-8"))
        exported = date.fromisoformat(found["day"])
        entries = found["languages"]
        if found["format"] != FALLBACK_FORMAT or not isinstance(entries, dict):
            raise ValueError(f"not a format {FALLBACK_FORMAT} manifest")
    except FileNotFoundError:
        return warn(FALLBACK_MANIFEST, "missing: no fallback blocks have been exported here")
    except (OSError, ValueError, KeyError, TypeError) as error:
        return warn(FALLBACK_MANIFEST, f"cannot be read: {error}")
    if found.get("catalog", {}).get("sha256") != catalog_sha256(Path(catalog.path)):
        return warn(FALLBACK_MANIFEST, f"exported at {found.get('written_at')} from an older "
                                       f"version of {catalog.path}: edges serve old blocks")
    if found.get("prefix") != prefix:
        return warn(FALLBACK_MANIFEST, f"exported for the prefix {found.get('prefix')!r}, "
                                       f"Forewarn serves under {prefix!r}")
    if _changed_between(catalog, exported, day):
        return warn(FALLBACK_MANIFEST, f"exported for {exported.isoformat()}: by "
                                       f"{day.isoformat()} a notice began or ended, or a mirror "
                                       "list rotated")
    return tuple(warning for entry in entries.values()
                 for warning in _file_warnings(folder, entry, warn))


def _changed_between(catalog: Catalog, first: date, second: date) -> bool:
    """Whether what readers get can differ between two days: a notice's ``since`` or ``until``
    falls between them, or a mirror set rotates its links daily."""
    if first == second:
        return False
    low, high = sorted((first, second))
    if any(mirror_set.show is not None for mirror_set in catalog.mirrors.values()):
        return True
    return any(low < edge <= high for notice in catalog.notices
               for edge in (notice.since, notice.until) if edge is not None)


def _file_warnings(folder: Path, entry: Any,
                   warn: Callable[[str, str], tuple[CatalogWarning, ...]]
                   ) -> tuple[CatalogWarning, ...]:
    name = str(entry.get("file", "")) if isinstance(entry, dict) else ""
    if not name or Path(name).name != name:
        return warn(FALLBACK_MANIFEST, f"names no usable file: {entry!r}")
    try:
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    except OSError:
        return warn(name, "missing")
    if digest != entry.get("sha256"):
        return warn(name, "changed since the export")
    return ()


def load_and_log(path: Path) -> Catalog:
    """Load the catalog for serving: warnings are logged (once per load), never fatal."""
    catalog = load_catalog(path)
    for warning in catalog_warnings(catalog):
        log.warning("catalog: %s", warning)
    return catalog


def report(path: Path, strict: bool, out: TextIO, err: TextIO,
           fallback_dir: Path | None = None, prefix: str = "/_forewarn") -> int:
    """`forewarn check`: every error, or else every warning, on a line of ``err``; then, on
    ``out``, how many interface words each language of the notices has of its own and a summary;
    exit 1 on errors, and with ``strict`` on warnings too (then nothing on ``out``). With
    ``fallback_dir``, the fallback blocks exported there are checked against the catalog too."""
    try:
        catalog = load_catalog(path)
    except CatalogError as error:
        for problem in error.problems:
            print(f"forewarn: {problem}", file=err)
        return error.exit_status
    warnings = catalog_warnings(catalog)
    if fallback_dir is not None:
        warnings += fallback_warnings(catalog, fallback_dir, prefix)
    for warning in warnings:
        print(f"forewarn: warning: {warning}", file=err)
    if strict and warnings:
        print(f"forewarn: {path}: {counted(len(warnings), 'warning')}, failing (--strict)",
              file=err)
        return 1
    words = InterfaceWords(catalog)
    for lang in text_languages(catalog):
        print(f"{path}: interface words in {words.coverage(lang).describe()}", file=out)
    summary = f", {counted(len(warnings), 'warning')}" if warnings else ""
    print(f"{path}: OK: {counted(len(catalog.notices), 'notice')}, "
          f"{counted(len(catalog.jurisdictions), 'jurisdiction')}, "
          f"{counted(len(catalog.mirrors), 'mirror set')}{summary}", file=out)
    return 0


def counted(count: int, noun: str) -> str:
    """``1 warning``, ``2 warnings``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"
