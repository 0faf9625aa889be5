"""Which interface words each language of a catalog gets, and from where: the catalog's own
(``[interface.xx]``, its .po files), else the package's, else the same language's under its base
tag when it is written in the same script (pt for pt-BR; never sr for sr-Latn), else English,
the source. Built once per catalog version; the renderer asks it for a language's gettext,
`forewarn check` and the preview for what falls back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from babel import Locale
from babel.core import get_global, parse_locale

from webapp.catalog.messages import (
    SOURCE_LANGUAGE,
    compile_words,
    message_ids,
    shipped_words,
)
from webapp.catalog.model import Catalog


@dataclass(frozen=True)
class Fallback:
    """An interface word a language lacks, and the English word readers get instead."""

    msgid: str
    word: str


@dataclass(frozen=True)
class Coverage:
    """How a language's interface words are found: how many are its own (``from_catalog`` of
    them the catalog's), those that fall back to English, and the base language it borrows from
    (pt for pt-BR), if any."""

    language: str
    total: int
    from_catalog: int = 0
    fallbacks: tuple[Fallback, ...] = ()
    base: str | None = None

    @property
    def own(self) -> int:
        return self.total - len(self.fallbacks)

    @property
    def source(self) -> bool:
        """English: the message ids are its words."""
        return primary(self.language) == SOURCE_LANGUAGE

    @property
    def status(self) -> str:
        """A few words for the preview: source, own, partly own, or fallback."""
        if self.source:
            return "own (the source language)"
        if not self.fallbacks:
            return "own" if self.base is None else f"own (from {self.base})"
        if self.own:
            return f"{self.own} of {self.total} own, {len(self.fallbacks)} in English"
        return "none of its own: English"

    def describe(self) -> str:
        """One line for `forewarn check`: how many are its own, and each that falls back."""
        catalog = f", {self.from_catalog} from the catalog" if self.from_catalog else ""
        base = f", borrowed from {self.base!r}" if self.base else ""
        if self.source:
            return f"{self.language}: the source language, all {self.total}{catalog}"
        if not self.fallbacks:
            return f"{self.language}: all {self.total} its own{catalog}{base}"
        if not self.own:
            return f"{self.language}: none of its own, all {self.total} in English"
        missing = ", ".join(f'"{f.msgid}"' + (f' (as "{f.word}")' if f.word != f.msgid else "")
                            for f in self.fallbacks)
        return (f"{self.language}: {self.own} of {self.total} its own{catalog}{base}; "
                f"in English: {missing}")


class InterfaceWords:
    """The interface words of one catalog version per language, compiled once (Babel
    ``Translations``), and how each language's words are found."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._resolved: dict[str, tuple[Coverage, Callable[[str], str]]] = {}
        for lang in catalog_languages(catalog):
            self._resolve(lang)

    def gettext(self, lang: str) -> Callable[[str], str]:
        """``_`` for the templates: the word for a message id in ``lang``."""
        return self._resolve(lang)[1]

    def coverage(self, lang: str) -> Coverage:
        return self._resolve(lang)[0]

    def _resolve(self, lang: str) -> tuple[Coverage, Callable[[str], str]]:
        found = self._resolved.get(lang)
        if found is None:
            found = self._resolved[lang] = self._build(lang)
        return found

    def _build(self, lang: str) -> tuple[Coverage, Callable[[str], str]]:
        base = base_language(lang)
        chain = [(lang, self._own(lang)), *([(base, self._own(base))] if base else [])]
        english = self._catalog.interface.get(SOURCE_LANGUAGE, {})
        words: dict[str, str] = {}
        fallbacks: list[Fallback] = []
        from_catalog, borrowed = 0, False
        for msgid in message_ids():
            origin = next((code for code, own in chain if msgid in own), None)
            if origin is None:
                words[msgid] = english.get(msgid, msgid)
                if primary(lang) != SOURCE_LANGUAGE:
                    fallbacks.append(Fallback(msgid, words[msgid]))
                continue
            words[msgid] = dict(chain)[origin][msgid]
            from_catalog += msgid in self._catalog.interface.get(origin, {})
            borrowed = borrowed or origin != lang
        coverage = Coverage(lang, len(message_ids()), from_catalog, tuple(fallbacks),
                            base if borrowed else None)
        return coverage, compile_words(lang, words).gettext

    def _own(self, lang: str) -> dict[str, str]:
        """``lang``'s own words: the package's, the catalog's over them."""
        return {**shipped_words().get(lang, {}), **self._catalog.interface.get(lang, {})}


def catalog_languages(catalog: Catalog) -> tuple[str, ...]:
    """Every language the catalog's notices are written in, then any it gives words for."""
    found = [catalog.default_language]
    for notice in catalog.notices:
        found += notice.text
    return tuple(dict.fromkeys([*found, *catalog.interface]))


def primary(lang: str) -> str:
    return lang.replace("_", "-").split("-")[0].lower()


@cache
def base_language(lang: str) -> str | None:
    """The language ``lang`` may borrow words from: its primary tag when that is written in the
    same script (CLDR's likely subtags): pt for pt-BR, en for en-GB; none for sr-Latn (sr is
    Cyrillic), zh-TW (zh is Simplified Chinese) or a plain tag."""
    base = primary(lang)
    if base == lang.lower() or _script(lang) != _script(base):
        return None
    return base


def _script(lang: str) -> str | None:
    locale = Locale.parse(lang, sep="-")
    if locale.script:
        return str(locale.script)
    likely = get_global("likely_subtags")
    tag = likely.get(str(locale)) or likely.get(locale.language)
    return parse_locale(tag)[2] if tag else None
