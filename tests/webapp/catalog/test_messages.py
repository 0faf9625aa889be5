"""The block's words as gettext catalogs: the .pot holds exactly the message ids the templates and
code use (pybabel extract, run here, is the oracle); every shipped .po has every word, in the
script CLDR gives its language, with Babel's plural forms; the in-memory compile gives what
`pybabel compile` and Python's own gettext give; a publisher's .po is read or refused clearly."""

from __future__ import annotations

import gettext
import subprocess
import sys
import unicodedata
from pathlib import Path

import babel
import pytest
from babel.core import get_global, parse_locale
from babel.messages.catalog import Catalog as MessageCatalog
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from tests.support import ROOT
from webapp.catalog.messages import (
    DOMAIN,
    compile_words,
    message_ids,
    read_po_file,
    shipped_languages,
    shipped_words,
    word_problems,
)
from webapp.errors import CatalogError
from webapp.resources import LOCALE_DIR

PYBABEL = Path(sys.executable).with_name("pybabel")
BABEL = tuple(int(part) for part in babel.__version__.split(".")[:2])
# What the issue asks for (issue 21); English is the source.
ASKED = {"ru", "uk", "be", "kk", "ky", "uz", "tg", "tt", "ba", "az", "hy", "ka", "ro", "sr", "fa",
         "ps", "tk", "ar", "tr", "zh", "en"}
SHIPPED_PO = sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
# Unicode's name for the letters of each CLDR script code the shipped languages are written in.
SCRIPT_LETTERS = {"Cyrl": "CYRILLIC", "Latn": "LATIN", "Armn": "ARMENIAN", "Geor": "GEORGIAN",
                  "Arab": "ARABIC", "Hans": "CJK"}
BRANDS = ("Tor Browser", "Tor", "IPFS")  # names kept in Latin letters in every language
PUNCTUATION = (", ",)  # the same in many languages: not English left untranslated


def read(path: Path) -> MessageCatalog:
    with path.open("rb") as file:
        return read_po(file, abort_invalid=True)


def extracted(tmp_path: Path) -> MessageCatalog:
    """What `make messages` extracts from the templates and code today."""
    pot = tmp_path / "now.pot"
    subprocess.run([str(PYBABEL), "extract", "-F", "babel.cfg", "-o", str(pot),
                    "--add-comments=Translators:", "--no-location", "."],
                   cwd=ROOT, check=True, capture_output=True)
    return read(pot)


def test_every_word_the_templates_and_code_use_is_in_the_pot_and_no_other(
    tmp_path: Path,
) -> None:
    now = extracted(tmp_path)
    used = [message.id for message in now if message.id]
    assert used, "the extraction found the block's words"
    missing = [msgid for msgid in used if msgid not in message_ids()]
    stale = [msgid for msgid in message_ids() if msgid not in used]
    assert (missing, stale) == ([], []), "run `make messages` and translate the new words"
    shipped = read(LOCALE_DIR / f"{DOMAIN}.pot")
    for message in now:
        if message.id:  # translators see the template's comment for each word
            assert shipped[message.id].auto_comments == message.auto_comments, message.id


def test_the_languages_asked_for_are_shipped() -> None:
    assert set(shipped_languages()) >= ASKED
    assert len(SHIPPED_PO) == len(shipped_languages()) - 1  # English needs no .po


@pytest.mark.parametrize("path", SHIPPED_PO, ids=lambda path: path.parents[1].name)
def test_a_shipped_po_has_every_word_and_names_its_language(path: Path) -> None:
    lang = path.parents[1].name
    po = read(path)
    assert str(po.locale) == lang, "the Language header names the folder's language"
    assert not po.fuzzy, "a fuzzy header makes pybabel compile skip the whole file"
    assert [m.id for m in po if m.id] == list(message_ids())
    assert [m.id for m in po if m.id and (m.fuzzy or not m.string)] == [], "untranslated"
    assert [error for message in po for error in message.check(po)] == []
    assert "Reviewed by a native speaker: " in po.header_comment


@pytest.mark.skipif(BABEL < (2, 19), reason="Babel before 2.19 (the lower bound is 2.14) writes "
                    "the Plural-Forms of ru, tr, ar and others from a table of its own, not CLDR's "
                    "rules; the shipped headers are those of Babel 2.19 and later")
@pytest.mark.parametrize("path", SHIPPED_PO, ids=lambda path: path.parents[1].name)
def test_a_shipped_po_has_the_plural_forms_babel_gives_its_language(path: Path) -> None:
    assert read(path).plural_forms == get_plural(path.parents[1].name).plural_forms


@pytest.mark.parametrize("path", SHIPPED_PO, ids=lambda path: path.parents[1].name)
def test_shipped_words_are_written_in_the_script_cldr_gives_the_language(path: Path) -> None:
    """kk, ky, tg, tt, ba and sr in Cyrillic; uz, az and tk in Latin; zh Simplified: what the
    bare tag means in CLDR's likely subtags, so pages tagged ``uz`` get Latin letters."""
    lang = path.parents[1].name
    script = parse_locale(get_global("likely_subtags")[lang])[2]
    expected = SCRIPT_LETTERS[script]
    for msgid, word in shipped_words()[lang].items():
        for brand in BRANDS:
            word = word.replace(brand, "")
        letters = [c for c in word if c.isalpha()]
        stray = [c for c in letters if not unicodedata.name(c).startswith(expected)
                 and not unicodedata.name(c).startswith("MODIFIER LETTER")]
        assert stray == [], f"{lang} {msgid!r}: {stray} not {expected}"
    if script == "Hans":  # Simplified, not Traditional: 读 and 语, not 讀 and 語
        assert not set("讀語體們說") & set("".join(shipped_words()[lang].values()))


@pytest.mark.parametrize("path", SHIPPED_PO, ids=lambda path: path.parents[1].name)
def test_compiled_in_memory_they_read_as_pybabel_compile_and_python_gettext_read_them(
    path: Path, tmp_path: Path,
) -> None:
    lang = path.parents[1].name
    mo = tmp_path / "forewarn.mo"
    subprocess.run([str(PYBABEL), "compile", "-i", str(path), "-o", str(mo), "-l", lang],
                   check=True, capture_output=True)
    with mo.open("rb") as file:
        reference = gettext.GNUTranslations(file)
    ours = compile_words(lang, shipped_words()[lang])
    for msgid in message_ids():
        assert ours.gettext(msgid) == reference.gettext(msgid)
        assert ours.gettext(msgid) != msgid or msgid in BRANDS + PUNCTUATION, \
            f"{msgid!r} left in English"
    assert ours.ngettext("x", "xs", 5) == reference.ngettext("x", "xs", 5)


PUBLISHER_PO = """\
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Read more"
msgstr "Mehr lesen"

#, fuzzy
msgid "Other ways in"
msgstr "Andere Wege"

msgid "Web mirror"
msgstr ""
"""


def test_a_publishers_po_gives_its_language_and_its_translated_words(tmp_path: Path) -> None:
    path = tmp_path / "de.po"
    path.write_text(PUBLISHER_PO, encoding="utf-8")
    lang, words = read_po_file(path, "notices.toml", "interface_files[0]")
    # The fuzzy and the empty entries are left out, as msgfmt leaves them out.
    assert (lang, words) == ("de", {"Read more": "Mehr lesen"})


@pytest.mark.parametrize(("text", "message"), [
    (PUBLISHER_PO.replace('"Language: de\\n"\n', ""),
     "its header names no language (e.g. Language: kk)"),
    # then Babel's reason, in its own words (which Babel 2.19 changed)
    (PUBLISHER_PO.replace('msgstr "Mehr lesen"', 'msgstr "Mehr lesen"\nMehr lesen'),
     "not a valid .po file: "),
    (PUBLISHER_PO.replace("Language: de", "Language: xx-nowhere"),
     "Language 'xx-nowhere' in its header is not a language code"),
])
def test_a_broken_po_is_one_error_naming_the_file(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "de.po"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        read_po_file(path, "notices.toml", "interface_files[0]")
    assert str(error.value).startswith(f"{path}: {message}")


def test_a_missing_po_names_the_catalog_key(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as error:
        read_po_file(tmp_path / "gone.po", "notices.toml", "interface_files[1]")
    assert str(error.value).startswith(
        f"notices.toml: interface_files[1]: cannot read {tmp_path / 'gone.po'}: ")


@pytest.mark.parametrize(("words", "message"), [
    ({"Read mor": "Далее"}, 'interface.ru."Read mor": not an interface word (did you mean '
                            '"Read more"?)'),
    ({"Subscribe": "Подписаться"}, 'interface.ru."Subscribe": not an interface word (see '
                                   "docs/languages.md)"),
    ({"Read more": " "}, 'interface.ru."Read more": empty: leave it out to keep the shipped '
                         "word"),
])
def test_catalog_words_must_be_the_blocks_and_not_empty(
    words: dict[str, str], message: str
) -> None:
    problems = word_problems("notices.toml", {"ru": words})
    assert [str(problem) for problem in problems] == [f"notices.toml: {message}"]
