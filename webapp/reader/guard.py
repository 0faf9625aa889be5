"""The caution at the page's controls: which guard texts a decision brings, each in the first
of its notice's languages that has one, and the data the block carries for static/guard.js in
its ``data-forewarn-guard`` attribute (the script asks the server nothing)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from webapp.reader.selection import Decision
from webapp.settings import GUARD_KINDS


def N_(message: str) -> str:
    """Marks a word for `make messages` (gettext's name for "translate this later", babel.cfg);
    it is translated where it is used."""
    return message


# The dialog's few words (the caution itself is the catalog's): gettext message ids, given to
# static/guard.js in each caution's language (catalog/interface.py, docs/languages.md).
DIALOG_WORDS: dict[str, str] = {
    # Translators: the title of the dialog shown before a share, comment or message goes out
    "title": N_("Before you go on"),
    # Translators: the dialog's question before a share button does its work
    "share": N_("Share anyway?"),
    # Translators: the dialog's question before a comment is sent
    "comment": N_("Comment anyway?"),
    # Translators: the dialog's question before a message to the newsroom is sent
    "contact": N_("Contact us anyway?"),
    # Translators: the dialog's button that lets the share, comment or message go ahead
    "confirm": N_("Continue"),
    # Translators: the dialog's button that stops it (it has the focus: the safe choice)
    "cancel": N_("Cancel"),
}


@dataclass(frozen=True, slots=True)
class Caution:
    """One notice's caution for one kind of control, in one language."""

    text: str
    lang: str
    dir: str


@dataclass(frozen=True, slots=True)
class Guarded:
    """What a guard text of a section says: the notice, the language, and (kind, text) pairs
    with the placeholders filled in."""

    notice_id: str
    lang: str
    dir: str
    texts: tuple[tuple[str, str], ...]


def cautions(sections: Iterable[Guarded]) -> dict[str, tuple[Caution, ...]]:
    """Kind -> the cautions of every notice that has one for it, severest notice first, each in
    the first of the notice's languages (as shown, lead first) with a text for that kind."""
    found: dict[str, list[Caution]] = {}
    taken: set[tuple[str, str]] = set()
    for section in sections:
        for kind, text in section.texts:
            if (section.notice_id, kind) not in taken:
                taken.add((section.notice_id, kind))
                found.setdefault(kind, []).append(Caution(text, section.lang, section.dir))
    return {kind: tuple(found[kind]) for kind in GUARD_KINDS if kind in found}


def kinds_of(decision: Decision) -> tuple[str, ...]:
    """The kinds of control a caution goes beside for this decision (what the metrics count)."""
    kinds = {kind for item in decision.shown for lang in item.languages
             if (guard := item.notice.text[lang].guard) is not None
             for kind, _text in guard.texts()}
    return tuple(kind for kind in GUARD_KINDS if kind in kinds)


def attribute(found: dict[str, tuple[Caution, ...]], selectors: tuple[tuple[str, str], ...],
              gettext: Callable[[str], Callable[[str], str]]) -> str:
    """The ``data-forewarn-guard`` value (JSON; the template escapes it): the cautions, the
    dialog's words in their languages, and the site's ``guard_selectors`` for those kinds."""
    languages = dict.fromkeys(caution.lang for kind in found for caution in found[kind])
    data = {
        "cautions": {kind: [{"text": c.text, "lang": c.lang, "dir": c.dir} for c in items]
                     for kind, items in found.items()},
        "words": {lang: {key: gettext(lang)(msgid) for key, msgid in DIALOG_WORDS.items()}
                  for lang in languages},
        "selectors": {kind: chosen for kind in found
                      if (chosen := [s for k, s in selectors if k == kind])},
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
