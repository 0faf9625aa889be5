"""Load the notice catalog (TOML) into frozen, validated objects, or fail with a CatalogError
naming the file, the key path and the problem."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

import pycountry
from babel import Locale, UnknownLocaleError
from pydantic import AfterValidator, ConfigDict, Field, Strict, TypeAdapter, ValidationError
from pydantic.json_schema import SkipJsonSchema

from webapp.catalog.messages import catalog_words, interface_files, word_problems
from webapp.catalog.mirror_list import catalog_table, read_site_links, source_files
from webapp.catalog.urls import web_url
from webapp.errors import CatalogError
from webapp.settings import GUARD_KINDS

StrictDate = Annotated[date, Strict()]
StrictBool = Annotated[bool, Strict()]
StrictInt = Annotated[int, Strict()]
WebURL = Annotated[str, AfterValidator(web_url)]  # http(s), plain ASCII (webapp/catalog/urls.py)
NonEmpty = Annotated[str, Field(min_length=1)]
Severity = Literal["critical", "warning", "info"]
SEVERITY_ORDER: dict[str, int] = {"critical": 0, "warning": 1, "info": 2}
# Attribute docstrings become the descriptions of the JSON Schema (`forewarn check --schema`)
# that editors show as completion help: they are written for an editor of the catalog.
_FORBID = ConfigDict(extra="forbid", str_strip_whitespace=True, use_attribute_docstrings=True)
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_NOTICE_KEY = re.compile(r"^notices\[(\d+)\]")


@dataclass(frozen=True)
class MirrorLink:
    """One way to reach the journalism when the main site is blocked."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    url: WebURL
    """The mirror's address (http or https; a Tor mirror's host ends in .onion)."""
    label: str
    """The link text readers see."""
    kind: str = "mirror"
    """What it is: mirror, onion (Tor), ipfs, or an app such as psiphon; styled per kind."""


@dataclass(frozen=True)
class MirrorSet:
    """Links offered together under a notice: listed here (links) or read from a mirror list in
    the bypass-mirrors v2 JSON format (source)."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    links: tuple[MirrorLink, ...] = ()
    """The links, in the order readers see them."""
    source: str | None = None
    """Instead of links: a bypass-mirrors v2 JSON file, relative to this catalog, read again
    whenever it changes."""
    site: str | None = None
    """With source: the main_domain whose alternatives to use (needed when the file lists
    several sites)."""
    deep_links: StrictBool = False
    """Link to the same path and query on the mirror, not to its home page."""
    show: Annotated[int, Strict(), Field(ge=1)] | None = None
    """Show only this many of the links: the same ones all day, others the next day."""


@dataclass(frozen=True)
class Jurisdiction:
    """Places where one authority enforces its law: any country, region or ASN matches."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    name: str
    """What editors call the place, e.g. "Russia and the Russia-controlled parts of Ukraine"."""
    countries: tuple[str, ...] = ()
    """ISO 3166-1 alpha-2 codes, e.g. RU."""
    regions: tuple[str, ...] = ()
    """ISO 3166-2 codes, e.g. UA-43 (Crimea)."""
    asns: tuple[StrictInt, ...] = ()
    """Autonomous system numbers of networks known to operate there."""
    languages: tuple[str, ...] = ()
    """Readers here also get each notice in these languages (when it has text in them)."""
    place_names: dict[str, str] = field(default_factory=dict)
    """What editors call some of the countries and regions above, where the ISO name is not
    what they say, e.g. UA-43 = "Crimea": the preview shows it beside the ISO name."""


@dataclass(frozen=True)
class Guard:
    """The caution shown beside the page's controls where the risk is taken (static/guard.js,
    and apps through notices.json): one short sentence per kind of control."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    share: NonEmpty | None = None
    """Beside share, repost and like buttons, e.g. "Sharing this page from Russia can be
    prosecuted."; {since} and {organization} are filled in."""
    comment: NonEmpty | None = None
    """Beside comment forms."""
    contact: NonEmpty | None = None
    """Beside the ways to contact the newsroom (tip forms, e-mail and messenger links)."""

    def texts(self) -> tuple[tuple[str, str], ...]:
        """(kind, text) of each kind given, in the order of GUARD_KINDS."""
        return tuple((kind, text) for kind in GUARD_KINDS
                     if (text := getattr(self, kind)) is not None)


@dataclass(frozen=True)
class NoticeText:
    """A notice in one language: a title and a plain-text body."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    title: str
    """The heading; {since} and {organization} are filled in."""
    body: str
    """Plain text; blank lines separate paragraphs; {since} and {organization} are filled in.
    Readers open it from a "Full notice" disclosure under the summary."""
    summary: str | None = None
    """One plain-text sentence shown under the title on every page: what is risky and what to
    do (at most 200 characters; forewarn check warns when a critical or warning notice has
    none). Without it the body's first paragraph is shown in its place."""
    more_url: WebURL | None = None
    """A page with more about the risk and how to stay safe (http or https)."""
    guard: Guard | None = None
    """Optional: a caution at the share, comment and contact controls of the page. With it, the
    block loads Forewarn's small script that puts it there (docs/guard.md)."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p.strip() for p in re.split(r"\n\s*\n", self.body) if p.strip())


@dataclass(frozen=True)
class Notice:
    """One legal-risk notice and the audiences it is shown to."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    id: str
    """Lower-case letters, digits, - and _; unique; sent in X-Forewarn-Notices."""
    text: dict[str, NoticeText]
    """The notice per language code (en, ru, fa, ...); the default language is required."""
    jurisdictions: tuple[str, ...] = ()
    """Shown to readers located in these jurisdictions (ids from [jurisdictions])."""
    languages: tuple[str, ...] = ()
    """Shown to readers of pages in these languages, wherever they are."""
    everyone: StrictBool = False
    """Shown to every reader."""
    unknown: Literal["show", "hide"] = "show"
    """Whether readers whose location is unknown (VPN, Tor, no answer) get it."""
    since: StrictDate | None = None
    """Not shown before this day (a TOML date such as 2024-02-20); {since} in texts."""
    until: StrictDate | None = None
    """Not shown from this day on."""
    severity: Severity = "warning"
    """critical, warning or info; severest first."""
    mirrors: str | None = None
    """The mirror set (a name from [mirrors]) listed under the notice."""

    def in_effect(self, day: date) -> bool:
        """True on the days from ``since`` (inclusive) to ``until`` (exclusive)."""
        started = self.since is None or self.since <= day
        return started and (self.until is None or day < self.until)


@dataclass(frozen=True)
class Catalog:
    """The whole catalog; ``notices`` keep file order, ``path`` says where it came from."""

    __pydantic_config__: ClassVar[ConfigDict] = _FORBID
    schema: Literal[1]
    """The catalog format's version: 1."""
    organization: str
    """The publisher's name; {organization} in texts."""
    notices: tuple[Notice, ...]
    """The notices, each an [[notices]] table."""
    default_language: str = "en"
    """The language every notice has text in, used when no better one is known."""
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)
    """Named groups of places, e.g. [jurisdictions.ru]."""
    mirrors: dict[str, MirrorSet] = field(default_factory=dict)
    """Named mirror sets, e.g. [mirrors.main]."""
    interface: dict[str, dict[str, str]] = field(default_factory=dict)
    """The block's own words (not the notices'), added or replaced per language: [interface.kk]
    with "Read more" = "Толығырақ". The keys are the English words (docs/languages.md)."""
    interface_files: tuple[str, ...] = ()
    """Your own gettext catalogs (.po) of the block's words, relative to this file; each names
    its language in its header (Language: kk). [interface.xx] words win over them."""
    path: SkipJsonSchema[str] = ""

    def page_languages(self) -> tuple[str, ...]:
        """The page languages the catalog says something about: the default language, then
        every language a notice is written in or aimed at, in file order."""
        found = [self.default_language]
        for notice in self.notices:
            found += [*notice.text, *notice.languages]
        return tuple(dict.fromkeys(found))


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
    """Validate already-parsed TOML data; ``name`` is used in error messages, and mirror lists
    (``source``) are found relative to it. A CatalogError names the first problem and carries
    every one found (``problems``): all of pydantic's, or else all of the cross-checks'."""
    _one_kind_of_links(data, name)
    label = notice_labels(_raw_ids(data))
    data = {**data, "path": name}
    try:
        catalog = _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise CatalogError.from_validation(name, exc.errors(), label) from None
    # the catalog's own mistakes first, then those of the files it names
    problems = [CatalogError(p.path, p.key, p.message, shown_key=label(p.key))
                for p in _reference_problems(catalog)]
    if problems:
        raise CatalogError.of(problems)
    catalog = replace(catalog, interface=catalog_words(name, catalog.interface,
                                                       catalog.interface_files))
    return _with_sourced_links(catalog)


def catalog_files(path: Path) -> tuple[Path, ...]:
    """The files the catalog at ``path`` names today (mirror lists, .po files), for watching;
    () when it cannot be read (loading it will say why). The file is read once for both."""
    table = catalog_table(path)
    return (*source_files(path, table), *interface_files(path, table))


def notice_labels(ids: Sequence[object]) -> Callable[[str], str]:
    """A key path with the notice's id beside its index, where ``ids`` (the notices' ids, in
    file order, whatever the file holds) gives one: ``notices[1].text`` ->
    ``notices[1] (by-extremist).text``."""

    def label(key: str) -> str:
        found = _NOTICE_KEY.match(key)
        index = int(found.group(1)) if found else len(ids)
        nid = ids[index] if index < len(ids) else None
        if found is None or not isinstance(nid, str) or not nid:
            return key
        return f"{found.group(0)} ({nid}){key[found.end():]}"

    return label


def _raw_ids(data: dict[str, Any]) -> list[object]:
    notices = data.get("notices")
    return [n.get("id") if isinstance(n, dict) else None
            for n in (notices if isinstance(notices, list) else ())]


def _one_kind_of_links(data: dict[str, Any], name: str) -> None:
    """A mirror set lists its links or names a source, not both (even ``links = []``)."""
    sets = data.get("mirrors")
    for sid, entry in sets.items() if isinstance(sets, dict) else ():
        if isinstance(entry, dict) and "links" in entry and "source" in entry:
            raise CatalogError(name, f"mirrors.{sid}", "give either links or source, not both")


def _with_sourced_links(catalog: Catalog) -> Catalog:
    """The catalog with each ``source`` mirror set's links read from its file."""
    sets = dict(catalog.mirrors)
    for sid, mirror_set in catalog.mirrors.items():
        where = f"mirrors.{sid}"
        if mirror_set.source is None:
            if mirror_set.site is not None:
                raise CatalogError(catalog.path, f"{where}.site", "only used with source")
            continue
        found = read_site_links(catalog.path, where, mirror_set.source, mirror_set.site)
        links = tuple(MirrorLink(link.url, link.label, link.kind) for link in found)
        sets[sid] = replace(mirror_set, links=links)
    return replace(catalog, mirrors=sets)


def _reference_problems(catalog: Catalog) -> Iterator[CatalogError]:
    """Every mistake the types cannot see: codes, ids, references between parts, in file
    order."""
    name = catalog.path
    yield from _language_problems(name, "default_language", catalog.default_language)
    for jid, jur in catalog.jurisdictions.items():
        yield from _jurisdiction_problems(name, jid, jur)
    for lang in catalog.interface:
        yield from _language_problems(name, f"interface.{lang}", lang)
    yield from word_problems(name, catalog.interface)
    seen: set[str] = set()
    for i, notice in enumerate(catalog.notices):
        yield from _notice_problems(catalog, f"notices[{i}]", notice, seen)


def _jurisdiction_problems(name: str, jid: str, jur: Jurisdiction) -> Iterator[CatalogError]:
    where = f"jurisdictions.{jid}"
    if not _ID.match(jid) or jid == "unknown":
        yield CatalogError(name, where, "id must be lower-case letters, digits, '-' or '_'")
    if not (jur.countries or jur.regions or jur.asns):
        yield CatalogError(name, where, "needs at least one of countries, regions, asns")
    for i, code in enumerate(jur.countries):
        if pycountry.countries.get(alpha_2=code) is None:
            yield CatalogError(name, f"{where}.countries[{i}]", f"{code!r} is not ISO 3166-1")
    for i, code in enumerate(jur.regions):
        if pycountry.subdivisions.get(code=code) is None:
            yield CatalogError(name, f"{where}.regions[{i}]", f"{code!r} is not ISO 3166-2")
    for i, lang in enumerate(jur.languages):
        yield from _language_problems(name, f"{where}.languages[{i}]", lang)
    for code in jur.place_names:
        if code not in (*jur.countries, *jur.regions):
            yield CatalogError(name, f"{where}.place_names.{code}",
                               "names a place that is not among this jurisdiction's countries "
                               "and regions")


def _notice_problems(
    catalog: Catalog, where: str, notice: Notice, seen: set[str]
) -> Iterator[CatalogError]:
    name = catalog.path
    if not _ID.match(notice.id):
        yield CatalogError(name, f"{where}.id", "must be lower-case letters, digits, '-' or '_'")
    if notice.id in seen:
        yield CatalogError(name, f"{where}.id", f"duplicate notice id {notice.id!r}")
    seen.add(notice.id)
    for i, jid in enumerate(notice.jurisdictions):
        if jid not in catalog.jurisdictions:
            yield CatalogError(name, f"{where}.jurisdictions[{i}]", f"unknown jurisdiction {jid!r}")
    for i, lang in enumerate(notice.languages):
        yield from _language_problems(name, f"{where}.languages[{i}]", lang)
    if notice.mirrors is not None and notice.mirrors not in catalog.mirrors:
        yield CatalogError(name, f"{where}.mirrors", f"unknown mirror set {notice.mirrors!r}")
    if notice.since and notice.until and notice.until <= notice.since:
        yield CatalogError(name, f"{where}.until", "must be after since")
    if not (notice.jurisdictions or notice.languages or notice.everyone):
        yield CatalogError(name, where, "no audience: give jurisdictions, languages or everyone")
    for lang, text in notice.text.items():
        yield from _language_problems(name, f"{where}.text.{lang}", lang)
        if text.guard is not None and not text.guard.texts():
            yield CatalogError(name, f"{where}.text.{lang}.guard",
                               f"give at least one of {', '.join(GUARD_KINDS)}")
    if catalog.default_language not in notice.text:
        yield CatalogError(
            name, f"{where}.text", f"no text in the default language {catalog.default_language!r}"
        )


def _language_problems(name: str, where: str, code: str) -> Iterator[CatalogError]:
    try:
        Locale.parse(code, sep="-")
    except (UnknownLocaleError, ValueError):
        yield CatalogError(name, where, f"{code!r} is not a known language code")
