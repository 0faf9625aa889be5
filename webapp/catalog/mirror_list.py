"""Read the links of one site from a mirror list in the bypass-mirrors v2 JSON format (what
anti-censorship tooling such as Bypass Censorship's portal publishes), validated like the catalog:
a bad file is one CatalogError naming the file, the key path in it and the problem."""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import ConfigDict, TypeAdapter, ValidationError

from webapp.catalog.urls import web_url
from webapp.errors import CatalogError

MAX_BYTES = 16 * 1024 * 1024  # a mirror list is a few KB; this refuses a device or a wrong file
# Keys other tools add (updated_at, notes, ...) are ignored: the format is not ours to close.
_OPEN = ConfigDict(extra="ignore", str_strip_whitespace=True)


@dataclass(frozen=True)
class Alternative:
    """One way to reach a site: ``proto`` http, https or tor; ``type`` mirror (or proxy),
    eotk (an onion mirror) or ipfs."""

    __pydantic_config__: ClassVar[ConfigDict] = _OPEN
    proto: Literal["http", "https", "tor"]
    type: Literal["mirror", "proxy", "eotk", "ipfs"]
    url: str


@dataclass(frozen=True)
class Site:
    __pydantic_config__: ClassVar[ConfigDict] = _OPEN
    main_domain: str
    available_alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class MirrorList:
    __pydantic_config__: ClassVar[ConfigDict] = _OPEN
    version: Literal[2, "2", "2.0"]  # the format's own tools write "2.0"
    sites: tuple[Site, ...]


@dataclass(frozen=True)
class SourcedLink:
    """A link read from a mirror list, in the catalog's terms."""

    url: str
    kind: str
    label: str


_ADAPTER = TypeAdapter(MirrorList)


def read_site_links(
    catalog: str, where: str, source: str, site: str | None
) -> tuple[SourcedLink, ...]:
    """The links of ``site`` (or of the file's only site) in the file ``source`` names,
    relative to the catalog file ``catalog``; ``where`` is the mirror set's key path."""
    path = source_path(catalog, source)
    mirror_list = _parse(path, _read(catalog, f"{where}.source", path))
    index = _pick_site(catalog, where, path, mirror_list, site)
    alternatives = mirror_list.sites[index].available_alternatives
    return tuple(
        _link(str(path), f"sites[{index}].available_alternatives[{i}]", alternative)
        for i, alternative in enumerate(alternatives)
    )


def source_path(catalog: str, source: str) -> Path:
    """Where a ``source`` given in the catalog file ``catalog`` is: relative to that file."""
    return Path(catalog).parent / source


def catalog_table(catalog: Path) -> dict[str, Any]:
    """The catalog file's TOML as it is today, for finding the files it names (to watch them);
    {} when it cannot be read (loading it will say why)."""
    try:
        return tomllib.loads(catalog.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def source_files(catalog: Path, table: dict[str, Any]) -> tuple[Path, ...]:
    """The mirror lists the catalog's ``table`` (catalog_table) names, for watching."""
    sets = table.get("mirrors")
    if not isinstance(sets, dict):
        return ()
    return tuple(
        source_path(str(catalog), entry["source"])
        for entry in sets.values()
        if isinstance(entry, dict) and isinstance(entry.get("source"), str)
    )


def read_bounded(catalog: str, key: str, path: Path, limit: int, limit_text: str) -> bytes:
    """A file the catalog names (at ``key``), whole: CatalogError when it cannot be read or is
    over ``limit`` bytes (said as ``limit_text``), which refuses a device or a wrong file."""
    try:
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except OSError as exc:
        raise CatalogError(catalog, key, f"cannot read {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise CatalogError(str(path), "", f"larger than {limit_text}")
    return data


def _read(catalog: str, key: str, path: Path) -> str:
    data = read_bounded(catalog, key, path, MAX_BYTES, f"{MAX_BYTES // 2**20} MiB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(str(path), "", f"not UTF-8: {exc.reason} at byte {exc.start}") from None


def _parse(path: Path, text: str) -> MirrorList:
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogError(str(path), "", f"not valid JSON: {exc.msg} at line {exc.lineno} "
                                          f"column {exc.colno}") from None
    if not isinstance(document, dict):
        raise CatalogError(str(path), "", "expected a JSON object with version and sites")
    try:
        return _ADAPTER.validate_python(document)
    except ValidationError as exc:
        raise CatalogError.from_validation(str(path), exc.errors()) from None


def _pick_site(
    catalog: str, where: str, path: Path, mirror_list: MirrorList, site: str | None
) -> int:
    domains = [_domain(entry.main_domain) for entry in mirror_list.sites]
    if not domains:
        raise CatalogError(str(path), "sites", "no sites in the file")
    listed = ", ".join(entry.main_domain for entry in mirror_list.sites)
    if site is None:
        if len(domains) > 1:
            raise CatalogError(catalog, f"{where}.site",
                               f"{path} lists several sites ({listed}): say which with site")
        return 0
    if _domain(site) not in domains:
        raise CatalogError(catalog, f"{where}.site", f"no site {site!r} in {path} ({listed})")
    return domains.index(_domain(site))


def _domain(name: str) -> str:
    name = name.strip().lower().rstrip(".")
    return name.removeprefix("www.")


def _link(path: str, where: str, alternative: Alternative) -> SourcedLink:
    try:
        url = web_url(alternative.url)
    except ValueError as problem:
        raise CatalogError(path, f"{where}.url", f"{problem} (got {alternative.url!r})") from None
    host = urlsplit(url).hostname or ""
    onion = host.endswith(".onion")
    if alternative.proto == "tor" or alternative.type == "eotk" or onion:
        if not onion:
            raise CatalogError(path, f"{where}.url",
                               f"a Tor mirror (proto tor, type eotk) needs a .onion address "
                               f"(got {alternative.url!r})")
        return SourcedLink(url, "onion", host)
    kind = "ipfs" if alternative.type == "ipfs" else "mirror"
    return SourcedLink(url, kind, host)
