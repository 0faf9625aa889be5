"""The fallback blocks: what a reader at an unknown place gets on a page in each of the catalog's
languages, exported as static files for an edge (nginx SSI, Varnish ESI) to include when
Forewarn cannot answer a fragment, and checked for staleness against the catalog.

A reader the edge cannot ask Forewarn about is, for Forewarn's purposes, a reader at an unknown
place: the catalog already says what such a reader must see (the notices with
``unknown = "show"``, and those for the page's language), and that block depends on the page's
language and the day only, never on the reader. So it can be decided ahead of time, one file per
language, and served by the edge with no Forewarn at all.

Files written into the folder (each atomically: a temporary file, then a rename):

- ``<lang>.html`` for each language a notice is written in or aimed at, and ``none.html`` for a
  page with no language or another one: the block, marked ``data-forewarn-fallback="<day>"``;
- ``forewarn.css``: the stylesheet the block links to, for when Forewarn cannot serve it either;
- ``keep.js`` and ``guard.js``: the scripts a block loads, likewise (a deferred script that
  never comes would also hold back the page's own DOMContentLoaded);
- ``fallback.vcl``: the same blocks as a VCL subroutine for Varnish, which reads it when it loads
  its VCL (``std.fileread`` would keep a file's first contents across VCL reloads: seen on
  Varnish 7.1.1);
- ``manifest.json``, last: the day, the catalog's SHA-256, each language's file and notice ids.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from geoip.location import UNKNOWN
from webapp.catalog.check import (
    FALLBACK_FORMAT,
    FALLBACK_MANIFEST,
    catalog_sha256,
    fallback_warnings,
)
from webapp.catalog.model import Catalog
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.render import Renderer
from webapp.reader.selection import Selector
from webapp.resources import STATIC_DIR
from webapp.settings import DEFAULT_GUARD_SELECTORS

log = logging.getLogger("forewarn")

NO_LANGUAGE = "none"  # the file for a page without a language, or in one no notice concerns
MANIFEST = FALLBACK_MANIFEST  # read by `forewarn check` (webapp/catalog/check.py)
VCL_FILE = "fallback.vcl"
STYLESHEET = "forewarn.css"
SCRIPTS = ("keep.js", "guard.js")  # the scripts a block may load (static/)
MARKER = "data-forewarn-fallback"
_BLOCK_START = '<aside class="forewarn" '  # DESIGN.md "Injected HTML": how every block begins
_LANG_FILE = re.compile(r"^[a-z]{2,3}$")  # what an edge may turn a page's lang= into


@dataclass(frozen=True)
class Fallback:
    """One page language's block (``lang`` is ``none`` for no language or another one)."""

    lang: str
    notice_ids: tuple[str, ...]
    html: str

    @property
    def file(self) -> str:
        return f"{self.lang}.html"


@dataclass(frozen=True)
class Fallbacks:
    """Every language's fallback block for one catalog version and one day."""

    day: date
    catalog_path: str
    catalog_sha256: str
    prefix: str
    blocks: tuple[Fallback, ...]  # the catalog's languages, then ``none``

    def for_lang(self, lang: str | None) -> Fallback:
        """The block an edge serves for a page in ``lang`` (a language tag, or None)."""
        primary = (lang or "").strip().replace("_", "-").split("-")[0].lower()
        by_lang = {block.lang: block for block in self.blocks}
        return by_lang.get(primary) or by_lang[NO_LANGUAGE]


def fallback_blocks(
    catalog: Catalog, prefix: str, day: date, sha256: str, *,
    guard_selectors: tuple[tuple[str, str], ...] = DEFAULT_GUARD_SELECTORS,
) -> Fallbacks:
    """Decide and render each language's block for a reader at an unknown place on ``day``
    (with the site's ``guard_selectors`` in its caution data, as the server renders it)."""
    selector = Selector(catalog, JurisdictionIndex(catalog))
    renderer = Renderer(catalog, prefix, guard_selectors=guard_selectors)
    blocks = []
    for lang in (*catalog.page_languages(), None):
        decision = selector.decide(UNKNOWN, lang, day)
        html = renderer.block(decision, None, day).html
        blocks.append(Fallback(lang or NO_LANGUAGE, decision.notice_ids, _marked(html, day)))
    return Fallbacks(day, catalog.path, sha256, prefix, tuple(blocks))


def _marked(html: str, day: date) -> str:
    """The block with its fallback marker: readers' pages and edge logs can tell it apart."""
    if not html:
        return html
    if not html.startswith(_BLOCK_START):
        raise ValueError(f"a notice block must start with {_BLOCK_START!r}")
    return html.replace(_BLOCK_START, f'{_BLOCK_START}{MARKER}="{day.isoformat()}" ', 1)


def write_fallbacks(fallbacks: Fallbacks, folder: Path) -> None:
    """Write every file into ``folder`` (created if missing), each atomically, the manifest
    last: an edge reading the folder meanwhile sees old or new files, never half of one."""
    folder.mkdir(parents=True, exist_ok=True)
    for block in fallbacks.blocks:
        if not _LANG_FILE.match(block.lang) and block.lang != NO_LANGUAGE:
            raise ValueError(f"{block.lang!r} cannot be a fallback file name")
        write_atomically(folder / block.file, block.html)
    stylesheet = (STATIC_DIR / STYLESHEET).read_text(encoding="utf-8")
    write_atomically(folder / STYLESHEET, stylesheet)
    scripts = {name: (STATIC_DIR / name).read_text(encoding="utf-8") for name in SCRIPTS}
    for name, text in scripts.items():
        write_atomically(folder / name, text)
    write_atomically(folder / VCL_FILE, to_vcl(fallbacks, stylesheet, scripts))
    write_atomically(folder / MANIFEST,
                     json.dumps(manifest(fallbacks), indent=2, ensure_ascii=False) + "\n")


def manifest(fallbacks: Fallbacks) -> dict[str, Any]:
    return {
        "format": FALLBACK_FORMAT,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "day": fallbacks.day.isoformat(),
        "catalog": {"path": fallbacks.catalog_path, "sha256": fallbacks.catalog_sha256},
        "prefix": fallbacks.prefix,
        "languages": {
            block.lang: {"file": block.file, "notices": list(block.notice_ids),
                         "sha256": _sha256(block.html)}
            for block in fallbacks.blocks
        },
        "stylesheet": STYLESHEET,
        "scripts": list(SCRIPTS),
        "vcl": VCL_FILE,
    }


def to_vcl(fallbacks: Fallbacks, stylesheet: str, scripts: dict[str, str]) -> str:
    """The blocks as VCL: ``forewarn_fallback_block`` sets ``resp.body`` to the block for
    ``req.http.X-Forewarn-Fallback-Lang``; ``forewarn_fallback_stylesheet`` to forewarn.css;
    ``forewarn_fallback_script`` to the script ``req.url`` names (``scripts``: name -> text)."""
    lines = [
        f"# Written by `forewarn export fallback` for {fallbacks.day.isoformat()} from "
        f"{fallbacks.catalog_path}",
        f"# (SHA-256 {fallbacks.catalog_sha256}). Do not edit: export again, then load the VCL "
        "again (varnishreload).",
        "sub forewarn_fallback_block {",
    ]
    blocks = [block for block in fallbacks.blocks if block.lang != NO_LANGUAGE]
    for i, block in enumerate(blocks):
        keyword = "if" if i == 0 else "} elsif"
        lines.append(f'    {keyword} (req.http.X-Forewarn-Fallback-Lang == "{block.lang}") {{')
        lines.append(f"        set resp.body = {_vcl_string(block.html)};")
    lines.append("    } else {" if blocks else "    {")
    lines.append(f"        set resp.body = {_vcl_string(fallbacks.for_lang(None).html)};")
    lines += ["    }", "}", "", "sub forewarn_fallback_stylesheet {",
              f"    set resp.body = {_vcl_string(stylesheet)};", "}", "",
              "sub forewarn_fallback_script {"]
    for i, (name, text) in enumerate(scripts.items()):
        keyword = "if" if i == 0 else "} elsif"
        lines.append(f'    {keyword} (req.url ~ "/{re.escape(name)}(\\?|$)") {{')
        lines.append(f"        set resp.body = {_vcl_string(text)};")
    lines += ["    }" if scripts else "", "}", ""]
    return "\n".join(lines)


def _vcl_string(text: str) -> str:
    """A VCL long string; it cannot hold its own terminator, which no block or stylesheet has."""
    if '"}' in text:
        raise ValueError('a VCL long string cannot contain "}')
    return '{"' + text + '"}'


def write_atomically(path: Path, text: str) -> None:
    """``text`` into ``path`` through a temporary file beside it and a rename: whoever reads it
    meanwhile (an edge reloading) gets the old file or the new one, never half of one."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # the edge's own user reads these
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def export(catalog: Catalog, prefix: str, folder: Path, day: date, *,
           guard_selectors: tuple[tuple[str, str], ...] = DEFAULT_GUARD_SELECTORS) -> Fallbacks:
    """Decide, render and write every fallback block of ``catalog`` for ``day`` into ``folder``.
    The catalog's files are hashed as they are now, for `forewarn check` to compare."""
    fallbacks = fallback_blocks(catalog, prefix, day, catalog_sha256(Path(catalog.path)),
                                guard_selectors=guard_selectors)
    write_fallbacks(fallbacks, folder)
    return fallbacks


@dataclass(frozen=True)
class IfDown:
    """For the preview: the fallback blocks of ``day``, and where the server exports them with
    what is wrong there (``folder`` None: this server exports none)."""

    day: date
    blocks: tuple[Fallback, ...]
    folder: Path | None
    problems: tuple[tuple[str, str], ...]


def if_down(catalog: Catalog, prefix: str, day: date, folder: Path | None, *,
            guard_selectors: tuple[tuple[str, str], ...] = DEFAULT_GUARD_SELECTORS) -> IfDown:
    fallbacks = fallback_blocks(catalog, prefix, day, catalog_sha256(Path(catalog.path)),
                                guard_selectors=guard_selectors)
    problems = () if folder is None else tuple(
        (warning.key, warning.message)
        for warning in fallback_warnings(catalog, folder, prefix, day))
    return IfDown(day, fallbacks.blocks, folder, problems)


class FallbackWriter:
    """Keeps ``folder`` current for a running server: ``refresh(catalog, day)`` writes when the
    catalog version or the day changed since this process last wrote. Called at start and after
    each reload pass, so a new catalog, and a notice whose first day has come, reach the edge
    without a restart. A write that fails keeps the files there, is logged and counted."""

    def __init__(self, folder: Path, prefix: str,
                 on_failure: Callable[[str], None] | None = None, *,
                 guard_selectors: tuple[tuple[str, str], ...] = DEFAULT_GUARD_SELECTORS) -> None:
        self.folder = folder
        self.prefix = prefix
        self.guard_selectors = guard_selectors
        self._on_failure = on_failure
        self._written: tuple[Catalog, date] | None = None

    def refresh(self, catalog: Catalog, day: date) -> bool:
        """Write if needed; True when written now. Raises OSError only from ``write_now``."""
        if self._written is not None and self._written[0] is catalog and self._written[1] == day:
            return False
        try:
            self.write_now(catalog, day)
        except OSError as error:
            log.warning("fallback blocks not written to %s, the ones there are kept: %s",
                        self.folder, error)
            if self._on_failure is not None:
                self._on_failure("fallback")
            return False
        return True

    def write_now(self, catalog: Catalog, day: date) -> None:
        export(catalog, self.prefix, self.folder, day, guard_selectors=self.guard_selectors)
        self._written = (catalog, day)
        log.info("fallback blocks for %s written to %s", day.isoformat(), self.folder)
