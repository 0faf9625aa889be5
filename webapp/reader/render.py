"""Render a Decision into the notice block (HTML), once per (notice set, languages, mirror view),
cached; per request only the deep-link path is filled in. Each notice shows its title and summary
in its first language; its full text and its other languages sit behind disclosures; the mirror
links of all the notices make one line under them."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from webapp.catalog.interface import InterfaceWords
from webapp.catalog.model import Catalog, MirrorLink, Notice
from webapp.catalog.placeholders import fill, filler
from webapp.catalog.urls import is_web_url
from webapp.reader.guard import Guarded, attribute, cautions, kinds_of
from webapp.reader.links import PATH_TOKEN, Offered, PageURL, host_of, offered, onion_location
from webapp.reader.selection import Decision
from webapp.resources import templates_dir

CACHE_LIMIT = 4096  # rendered variants kept; a full cache is cleared (they are cheap to redo)
_UTF8 = frozenset({"utf-8", "utf8"})

@dataclass(frozen=True, slots=True)
class Section:
    """One notice in one language, ready for the template: no decisions left to make."""

    notice: Notice
    lang: str
    dir: str
    title: str
    paragraphs: tuple[str, ...]  # the whole body
    more_url: str | None
    gettext: Callable[[str], str]  # the block's own words in ``lang`` (catalog/interface.py)
    guard: tuple[tuple[str, str], ...] = ()  # (kind, caution) of the catalog's guard text
    summary: str | None = None  # the catalog's one sentence, filled in

    @property
    def guarded(self) -> Guarded:
        return Guarded(self.notice.id, self.lang, self.dir, self.guard)

    @property
    def shown(self) -> str:
        """What is always shown under the title: the summary, else the body's first paragraph
        (an older catalog)."""
        return self.summary or (self.paragraphs[0] if self.paragraphs else "")

    @property
    def disclosed(self) -> tuple[str, ...]:
        """The paragraphs behind "Full notice": the body, less the paragraph shown above."""
        return self.paragraphs if self.summary else self.paragraphs[1:]

    @property
    def name(self) -> str:
        """The language's own name, for the "This notice in" disclosure."""
        return language_name(self.lang)


@dataclass(frozen=True, slots=True)
class NoticeView:
    """One notice in the block: its first language shown, the others behind one disclosure."""

    notice: Notice
    lead: Section
    others: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A block for one request, and the ``Onion-Location`` the page may carry."""

    html: str
    onion_location: str | None = None


def make_environment() -> Environment:
    """The Jinja2 environment every Forewarn template is rendered with: autoescape always on."""
    return Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def encode(html: str, charset: str) -> bytes:
    """Encode in the page's charset; characters it cannot hold become character references."""
    try:
        return html.encode(charset, errors="xmlcharrefreplace")
    except LookupError:
        return html.encode("ascii", errors="xmlcharrefreplace")


@lru_cache(maxsize=256)
def text_direction(lang: str) -> str:
    """``"rtl"`` or ``"ltr"``, from Babel's locale data."""
    try:
        return "rtl" if Locale.parse(lang, sep="-").text_direction == "rtl" else "ltr"
    except ValueError:
        return "ltr"


class Renderer:
    """Renders blocks for one catalog. Cached per (notices, languages, the mirror the request came
    through if any, the day when a set rotates): all bounded by the catalog, not by requests."""

    def __init__(self, catalog: Catalog, prefix: str, environment: Environment | None = None,
                 guard_selectors: tuple[tuple[str, str], ...] = ()):
        self._catalog = catalog
        self.words = InterfaceWords(catalog)
        self._stylesheet = f"{prefix}/static/forewarn.css"
        self._guard_script = f"{prefix}/static/guard.js"
        self._keep_script = f"{prefix}/static/keep.js"
        self._guard_selectors = guard_selectors
        self._template = (environment or make_environment()).get_template("notices/block.html")
        self._cache: dict[object, tuple[str, str | None]] = {}
        self._encoded: dict[object, tuple[bytes, ...]] = {}  # UTF-8 pieces around the path
        self._lock = threading.Lock()
        self._mirror_hosts = frozenset(
            host_of(link.url)
            for mirror_set in catalog.mirrors.values()
            for link in mirror_set.links
        )
        self._variants: dict[object, str] = {}  # (notices, host, day) -> variant, as the cache
        self._kinds: dict[object, tuple[str, ...]] = {}  # notices -> the cautions' kinds
        self._rotating = any(m.show is not None for m in catalog.mirrors.values())
        # The catalog's content, not its file's name or date: the same in every worker and after
        # a reload of an unchanged file, different after any change a reader could see.
        self._version = hashlib.sha256(repr(catalog).encode()).hexdigest()

    def variant(self, decision: Decision, page: PageURL | None = None,
                day: date | None = None) -> str:
        """A short name for what the reader of ``page`` was decided to get on ``day``: the notice
        set and its languages, the catalog version, and what else the block depends on for one
        URL (the day when mirrors rotate, the mirror it came through). It goes into the ETag
        (webapp/page/headers.py), so a copy of another variant is never revalidated."""
        host = page.host if page is not None and page.host in self._mirror_hosts else None
        rotation = (day or date.today()) if self._rotating else None
        key = (decision.key, host, rotation)
        name = self._variants.get(key)
        if name is None:  # a hash per page cost more than the rest of the headers together
            text = repr((self._version, *key))
            name = hashlib.sha256(text.encode()).hexdigest()[:16]
            if len(self._variants) >= CACHE_LIMIT:
                self._variants.clear()
            self._variants[key] = name
        return name

    def kinds(self, decision: Decision) -> tuple[str, ...]:
        """``kinds_of(decision)``, remembered per notice set and languages (this catalog's)."""
        key = decision.key
        found = self._kinds.get(key)
        if found is None:
            found = kinds_of(decision)
            if len(self._kinds) >= CACHE_LIMIT:
                self._kinds.clear()
            self._kinds[key] = found
        return found

    def block(self, decision: Decision, page: PageURL | None = None,
              day: date | None = None) -> Rendered:
        """The block for the decision as this request gets it; empty html when nothing shows."""
        if not decision.shown:
            return Rendered("")
        page = page or PageURL()
        (html, onion), _key = self._cached(decision, page, day)
        return Rendered(html.replace(PATH_TOKEN, page.escaped),
                        onion.replace(PATH_TOKEN, page.quoted) if onion else None)

    def block_bytes(self, decision: Decision, page: PageURL | None = None,
                    day: date | None = None, charset: str = "utf-8") -> tuple[bytes, str | None]:
        """``block()`` encoded in the page's ``charset`` (characters it cannot hold as
        ``&#NNN;``; an unknown charset as ASCII), and the Onion-Location. In UTF-8, the page's
        usual case, the encoded block is cached in pieces and only the path is joined in."""
        if not decision.shown:
            return b"", None
        page = page or PageURL()
        if charset not in _UTF8:
            rendered = self.block(decision, page, day)
            return encode(rendered.html, charset), rendered.onion_location
        (html, onion), key = self._cached(decision, page, day)
        pieces = self._encoded.get(key)
        if pieces is None:
            pieces = self._encoded[key] = tuple(
                part.encode(errors="xmlcharrefreplace") for part in html.split(PATH_TOKEN))
        onion = onion.replace(PATH_TOKEN, page.quoted) if onion else None  # a header: no &amp;
        return page.escaped.encode("ascii").join(pieces), onion

    def mirror_host(self, page: PageURL) -> str | None:
        """The page's host when it is one of the catalog's mirrors (links then leave it out)."""
        return page.host if page.host in self._mirror_hosts else None

    def _cached(self, decision: Decision, page: PageURL,
                day: date | None) -> tuple[tuple[str, str | None], object]:
        host = self.mirror_host(page)
        day = day or date.today()
        key = (decision.key, host, day if self._rotating else None)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._render(decision, host, day)
            with self._lock:
                if len(self._cache) >= CACHE_LIMIT:
                    self._cache.clear()
                    self._encoded.clear()
                self._cache[key] = cached
        return cached, key

    def sections(self, decision: Decision) -> list[Section]:
        """Each shown notice in each of its languages, lead language first, texts filled in."""
        return [self._section(item.notice, lang)
                for item in decision.shown for lang in item.languages]

    def offers(self, decision: Decision, host: str | None, day: date) -> dict[str, Offered]:
        """Notice id -> the mirror links offered under it (hrefs hold PATH_TOKEN)."""
        return {
            item.notice.id: offered(item.notice.mirrors, self._catalog.mirrors[item.notice.mirrors],
                                    host, day)
            for item in decision.shown
            if item.notice.mirrors
        }

    def _render(self, decision: Decision, host: str | None, day: date) -> tuple[str, str | None]:
        sections = self.sections(decision)  # each notice's languages in a row, lead first
        views, at = [], 0
        for item in decision.shown:
            end = at + len(item.languages)
            views.append(NoticeView(item.notice, sections[at], tuple(sections[at + 1:end])))
            at = end
        mirrors = merged(list(self.offers(decision, host, day).values()))
        found = cautions(section.guarded for section in sections)
        lead = sections[0]
        html = self._template.render(
            ids=" ".join(decision.notice_ids),
            _=lead.gettext,
            lang=lead.lang,
            dir=lead.dir,
            notices=views,
            mirrors=mirrors,
            stylesheet=self._stylesheet,
            guard=attribute(found, self._guard_selectors, self.words.gettext) if found else "",
            guard_script=self._guard_script,
            keep_script=self._keep_script,
        )
        return html, onion_location([mirrors])

    def _section(self, notice: Notice, lang: str) -> Section:
        text = notice.text[lang]
        values = filler(self._catalog, notice, lang)
        more_url = text.more_url if is_web_url(text.more_url) else None  # never javascript:
        guard = tuple((kind, fill(value, values)) for kind, value in text.guard.texts()) \
            if text.guard else ()
        return Section(notice, lang, text_direction(lang), fill(text.title, values),
                       tuple(fill(p, values) for p in text.paragraphs), more_url,
                       self.words.gettext(lang), guard,
                       fill(text.summary, values) if text.summary else None)


def merged(offers: list[Offered]) -> Offered:
    """The mirror links of every notice as one line: in notice order, each address once (two
    notices often share a set, or an onion mirror); the mirror the reader came through, if any."""
    seen: dict[str, tuple[MirrorLink, str]] = {}
    for offer in offers:
        for link, href in offer.links:
            seen.setdefault(href, (link, href))
    via = next((offer.via for offer in offers if offer.via), None)
    return Offered(tuple(seen.values()), via)


@lru_cache(maxsize=256)
def language_name(lang: str) -> str:
    """The language's name in itself, capitalised as a list item ("Беларуская")."""
    try:
        name = Locale.parse(lang, sep="-").get_display_name(lang) or lang
    except (UnknownLocaleError, ValueError):
        return lang
    return name[:1].upper() + name[1:]

