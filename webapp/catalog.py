"""Load the notice catalog (TOML) into frozen, validated objects, or fail with a CatalogError
naming the file, the key path and the problem."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pycountry
from babel import Locale, UnknownLocaleError
from pydantic import ConfigDict, Strict, TypeAdapter, ValidationError

from webapp.errors import CatalogError

StrictDate = Annotated[date, Strict()]
StrictBool = Annotated[bool, Strict()]
StrictInt = Annotated[int, Strict()]
Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
_FORBID = ConfigDict(extra="forbid", str_strip_whitespace=True)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class MirrorLink:
    """One way to reach the journalism when the main site is blocked."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    url: str
    label: str
    kind: str = "mirror"


@dataclass(frozen=True)
class MirrorSet:
    """Links offered together under a notice."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    links: tuple[MirrorLink, ...] = ()
    deep_links: StrictBool = False


@dataclass(frozen=True)
class Jurisdiction:
    """Places where one authority enforces its law: any country, region or ASN matches."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    name: str
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    asns: tuple[StrictInt, ...] = ()
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoticeText:
    """A notice in one language; ``body`` is plain text, blank lines separate paragraphs."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    title: str
    body: str
    more_url: str | None = None

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip())


@dataclass(frozen=True)
class Notice:
    """One legal-risk notice and the audiences it is shown to."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    id: str
    text: dict[str, NoticeText]
    jurisdictions: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    everyone: StrictBool = False
    unknown: Literal["show", "hide"] = "show"
    since: StrictDate | None = None
    until: StrictDate | None = None
    severity: Severity = "warning"
    mirrors: str | None = None

    def in_effect(self, day: date) -> bool:
        """True on the days from ``since`` (inclusive) to ``until`` (exclusive)."""
        started = self.since is None or self.since <= day
        return started and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Catalog:
    """The whole catalog; ``notices`` keep file order, ``path`` says where it came from."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    schema: Literal[1]
    organization: str
    notices: tuple[Notice, ...]
    default_language: str = "en"
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    mirrors: dict[str, MirrorSet] = field(default_factory=dict)
    path: str = ""


_ADAPTER = TypeAdapter(Catalog)


def load_catalog(path: str | Path) -> Catalog:
    """Read, parse and validate the catalog at ``path``."""
    name = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CatalogError(name, "", f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise CatalogError(name, "", f"not UTF-8: {exc.reason} at byte {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(name, "", f"not valid TOML: {exc}") from None
    return parse_catalog(data, name)


def parse_catalog(data: dict[str, Any], name: str) -> Catalog:
    """Validate already-parsed TOML data; ``name`` is used in error messages."""
    data = {**data, "path": name}
    try:
        catalog = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CatalogError(name, _key_path(error["loc"]), _message(error) + more) from None
    _check_references(catalog)
    return catalog


def _key_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: Any) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "unexpected_keyword_argument":
        return "unknown key"
    if kind == "date_type":
        return f"expected a TOML date such as 2024-02-20, without quotes (got {value!r})"
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    return f"{error['msg']}{shown}"


def _check_references(catalog: Catalog) -> None:
    name = catalog.path
    _check_language(name, "default_language", catalog.default_language)
    for jid, jur in catalog.jurisdictions.items():
        _check_jurisdiction(name, jid, jur)
    for sid, mirror_set in catalog.mirrors.items():
        for i, link in enumerate(mirror_set.links):
            if not re.match(r"^https?://[^/\s]+", link.url):
                raise CatalogError(name, f"mirrors.{sid}.links[{i}].url", "must be an http(s) URL")
    seen: set[str] = set()
    for i, notice in enumerate(catalog.notices):
        _check_notice(catalog, f"notices[{i}]", notice, seen)


def _check_jurisdiction(name: str, jid: str, jur: Jurisdiction) -> None:
    where = f"jurisdictions.{jid}"
    if not _ID.match(jid) or jid == "unknown":
        raise CatalogError(name, where, "id must be lower-case letters, digits, '-' or '_'")
    if not (jur.countries or jur.regions or jur.asns):
        raise CatalogError(name, where, "needs at least one of countries, regions, asns")
    for i, code in enumerate(jur.countries):
        if pycountry.countries.get(alpha_2=code) is None:
            raise CatalogError(name, f"{where}.countries[{i}]", f"{code!r} is not ISO 3166-1")
    for i, code in enumerate(jur.regions):
        if pycountry.subdivisions.get(code=code) is None:
            raise CatalogError(name, f"{where}.regions[{i}]", f"{code!r} is not ISO 3166-2")
    for i, lang in enumerate(jur.languages):
        _check_language(name, f"{where}.languages[{i}]", lang)


def _check_notice(catalog: Catalog, where: str, notice: Notice, seen: set[str]) -> None:
    name = catalog.path
    if not _ID.match(notice.id):
        raise CatalogError(name, f"{where}.id", "must be lower-case letters, digits, '-' or '_'")
    if notice.id in seen:
        raise CatalogError(name, f"{where}.id", f"duplicate notice id {notice.id!r}")
    seen.add(notice.id)
    for i, jid in enumerate(notice.jurisdictions):
        if jid not in catalog.jurisdictions:
            raise CatalogError(name, f"{where}.jurisdictions[{i}]", f"unknown jurisdiction {jid!r}")
    for i, lang in enumerate(notice.languages):
        _check_language(name, f"{where}.languages[{i}]", lang)
    if notice.mirrors is not None and notice.mirrors not in catalog.mirrors:
        raise CatalogError(name, f"{where}.mirrors", f"unknown mirror set {notice.mirrors!r}")
    if notice.since and notice.until and notice.until <= notice.since:
        raise CatalogError(name, f"{where}.until", "must be after since")
    if not (notice.jurisdictions or notice.languages or notice.everyone):
        raise CatalogError(name, where, "no audience: give jurisdictions, languages or everyone")
    for lang in notice.text:
        _check_language(name, f"{where}.text.{lang}", lang)
    if catalog.default_language not in notice.text:
        raise CatalogError(
            name, f"{where}.text", f"no text in the default language {catalog.default_language!r}"
        )


def _check_language(name: str, where: str, code: str) -> None:
    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        raise CatalogError(name, where, f"{code!r} is not a known language code") from None
