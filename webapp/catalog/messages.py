"""The block's interface words as gettext catalogs: their message ids (the English words, in
webapp/locale/forewarn.pot), the words the package ships per language
(webapp/locale/<lang>/LC_MESSAGES/forewarn.po) and a publisher's own .po files, read with Babel.

The .po files are the source and the only form shipped: ``compile_words`` compiles a language's
words into a .mo in memory and loads it as Babel ``Translations`` (with the plural forms of the
language's locale), once per catalog version. No .mo file is built, committed or installed, so
none can be older than its .po. Entries marked ``#, fuzzy`` are not used, as msgfmt and
``pybabel compile`` leave them out; the shipped files mark what needs a native speaker's review
with translator comments instead, and docs/languages.md says which were reviewed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.catalog import Catalog as MessageCatalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import Translations

from webapp.catalog.mirror_list import read_bounded, source_path
from webapp.errors import CatalogError
from webapp.resources import LOCALE_DIR

DOMAIN = "forewarn"
SOURCE_LANGUAGE = "en"  # the message ids are the English words
MAX_BYTES = 1024 * 1024  # a .po of the block's words is a few KB; this refuses a wrong file
Words = Mapping[str, str]  # message id -> the word readers see


@cache
def message_ids() -> tuple[str, ...]:
    """The interface words' message ids, in the order of the template (forewarn.pot)."""
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as file:
        template = read_po(file, abort_invalid=True)
    return tuple(message.id for message in template if isinstance(message.id, str) and message.id)


@cache
def shipped_words() -> dict[str, dict[str, str]]:
    """The package's words per language (the folder name: kk, sr, zh), as msgfmt compiles them."""
    found = {}
    for path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with path.open("rb") as file:
            found[path.parents[1].name.replace("_", "-")] = _words(read_po(file,
                                                                           abort_invalid=True))
    return found


def shipped_languages() -> tuple[str, ...]:
    """English (the source) and every language the package ships words for."""
    return (SOURCE_LANGUAGE, *shipped_words())


def _words(catalog: MessageCatalog) -> dict[str, str]:
    """The translated entries, less the fuzzy ones (which msgfmt would leave out too)."""
    return {message.id: message.string for message in catalog
            if isinstance(message.id, str) and message.id and isinstance(message.string, str)
            and message.string and not message.fuzzy}


def compile_words(lang: str, words: Words) -> Translations:
    """``words`` as Babel ``Translations``: compiled into a .mo in memory with the plural forms
    of ``lang``'s locale (CLDR), then loaded as gettext loads a .mo file."""
    catalog = MessageCatalog(locale=Locale.parse(lang, sep="-"), domain=DOMAIN)
    for msgid, word in words.items():
        catalog.add(msgid, word)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def word_problems(path: str, interface: Mapping[str, Words]) -> Iterator[CatalogError]:
    """The catalog's ``[interface.xx]`` tables give only known message ids, each a word: every
    entry that does not."""
    known = message_ids()
    for lang, words in interface.items():
        for msgid, word in words.items():
            where = f'interface.{lang}."{msgid}"'
            if msgid not in known:
                close = difflib.get_close_matches(msgid, known, n=1)
                hint = f'did you mean "{close[0]}"?' if close else "see docs/languages.md"
                yield CatalogError(path, where, f"not an interface word ({hint})")
            elif not word.strip():
                yield CatalogError(path, where, "empty: leave it out to keep the shipped word")


def catalog_words(path: str, interface: Mapping[str, Words],
                  files: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The catalog's own interface words per language: its .po files (``interface_files``,
    relative to the catalog), then its ``[interface.xx]`` tables over them."""
    merged: dict[str, dict[str, str]] = {}
    first: dict[str, int] = {}
    for i, name in enumerate(files):
        key = f"interface_files[{i}]"
        lang, read = read_po_file(source_path(path, name), path, key)
        if lang in first:
            raise CatalogError(path, key, f"a second file for {lang!r} (the first is "
                                          f"interface_files[{first[lang]}])")
        first[lang] = i
        merged[lang] = read
    for lang, given in interface.items():
        merged[lang] = {**merged.get(lang, {}), **given}
    return merged


def read_po_file(path: Path, catalog: str, key: str) -> tuple[str, dict[str, str]]:
    """A publisher's .po file: the language its header names (``Language: kk``) and its words."""
    data = read_bounded(catalog, key, path, MAX_BYTES, f"{MAX_BYTES // 1024} KiB")
    try:
        po = read_po(BytesIO(data), abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(str(path), "", f"not a valid .po file: {exc}") from None
    if po.locale is None:
        named = po.locale_identifier
        raise CatalogError(str(path), "", f"Language {named.replace('_', '-')!r} in its header is "
                                          "not a language code" if named else
                                          "its header names no language (e.g. Language: kk)")
    return str(po.locale).replace("_", "-"), _words(po)


def interface_files(catalog: Path, table: dict[str, Any]) -> tuple[Path, ...]:
    """The .po files the catalog's ``table`` (catalog_table) names, for watching."""
    files = table.get("interface_files")
    if not isinstance(files, list):
        return ()
    return tuple(source_path(str(catalog), name) for name in files if isinstance(name, str))
