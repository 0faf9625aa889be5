"""Render a Decision into the notice block (HTML), once per (notice set, languages), cached."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from babel import Locale
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from webapp.catalog import Catalog, Notice
from webapp.selection import Decision

# The few words of the block that are not the catalog's. Unknown languages fall back to English.
UI_WORDS: dict[str, dict[str, str]] = {
    "en": {"notice": "Reader safety notice", "more": "Read more", "mirrors": "Other ways in"},
    "ru": {"notice": "Предупреждение для читателей", "more": "Подробнее",
           "mirrors": "Другие способы зайти"},
    "be": {"notice": "Папярэджанне для чытачоў", "more": "Падрабязней",
           "mirrors": "Іншыя спосабы зайсці"},
    "uk": {"notice": "Попередження для читачів", "more": "Докладніше",
           "mirrors": "Інші способи зайти"},
    "fa": {"notice": "هشدار برای خوانندگان", "more": "بیشتر بخوانید",
           "mirrors": "راه‌های دیگر دسترسی"},
}


@dataclass(frozen=True, slots=True)
class Section:
    """One notice in one language, ready for the template: no decisions left to make."""

    notice: Notice
    lang: str
    dir: str
    title: str
    paragraphs: tuple[str, ...]
    more_url: str | None
    words: dict[str, str]


def templates_dir() -> Path:
    """The installed templates folder (the checkout's templates/ in an editable install)."""
    return Path(str(files("webapp.templates")))


def make_environment() -> Environment:
    """The Jinja2 environment every Forewarn template is rendered with: autoescape always on."""
    return Environment(
        loader=FileSystemLoader(templates_dir()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=256)
def text_direction(lang: str) -> str:
    """``"rtl"`` or ``"ltr"``, from Babel's locale data."""
    try:
        return "rtl" if Locale.parse(lang, sep="-").text_direction == "rtl" else "ltr"
    except ValueError:
        return "ltr"


class Renderer:
    """Renders blocks for one catalog; the cache is bounded by the catalog's notice combinations."""

    def __init__(self, catalog: Catalog, prefix: str, environment: Environment | None = None):
        self._catalog = catalog
        self._stylesheet = f"{prefix}/static/forewarn.css"
        self._template = (environment or make_environment()).get_template("notices/block.html")
        self._cache: dict[object, str] = {}
        self._lock = threading.Lock()

    def block(self, decision: Decision) -> str:
        """The HTML block for the decision; empty string when no notice is shown."""
        if not decision.shown:
            return ""
        key = decision.key
        html = self._cache.get(key)
        if html is None:
            html = self._render(decision)
            with self._lock:
                self._cache[key] = html
        return html

    def _render(self, decision: Decision) -> str:
        sections = [
            self._section(item.notice, lang) for item in decision.shown for lang in item.languages
        ]
        mirrors = {
            item.notice.id: self._catalog.mirrors[item.notice.mirrors].links
            for item in decision.shown
            if item.notice.mirrors
        }
        return self._template.render(
            ids=" ".join(decision.notice_ids),
            label=sections[0].words["notice"],
            lang=sections[0].lang,
            sections=sections,
            mirrors=mirrors,
            stylesheet=self._stylesheet,
        )

    def _section(self, notice: Notice, lang: str) -> Section:
        text = notice.text[lang]
        words = UI_WORDS.get(lang, UI_WORDS["en"])
        return Section(notice, lang, text_direction(lang), text.title, text.paragraphs,
                       text.more_url, words)
