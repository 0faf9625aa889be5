"""Where each language's interface words come from: the catalog's ([interface.xx], its .po files)
over the package's, the same language's base tag only in the same script, else English; what
`forewarn check` says about it and when --strict fails; a changed .po reloads the catalog."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support import ROOT, TODAY
from tests.webapp.catalog.test_check import run, write
from webapp.catalog.interface import Coverage, Fallback, InterfaceWords, base_language
from webapp.catalog.messages import message_ids, shipped_languages
from webapp.catalog.model import load_catalog
from webapp.engine import Engine
from webapp.errors import CatalogError
from webapp.settings import load_settings

TOTAL = len(message_ids())


def catalog_text(*languages: str, extra: str = "", head: str = "") -> str:
    """A catalog with one notice for everyone, written in ``languages`` (English first); an info
    notice, which needs no summary."""
    texts = "".join(f'  [notices.text.{lang}]\n  title = "T {lang}"\n  body = "B."\n'
                    for lang in ("en", *languages))
    return (f'schema = 1\norganization = "R"\n{head}\n{extra}\n'
            f'[[notices]]\nid = "n"\neveryone = true\nseverity = "info"\n{texts}')


def words(tmp_path: Path, *languages: str, extra: str = "", head: str = "") -> InterfaceWords:
    return InterfaceWords(load_catalog(write(tmp_path, catalog_text(*languages, extra=extra,
                                                                    head=head))))


@pytest.mark.parametrize("lang", [lang for lang in shipped_languages() if lang != "en"])
def test_a_shipped_language_has_all_its_words(tmp_path: Path, lang: str) -> None:
    assert words(tmp_path, lang).coverage(lang) == Coverage(lang, TOTAL)


def test_a_language_nothing_gives_words_to_falls_back_to_english(tmp_path: Path) -> None:
    found = words(tmp_path, "de")
    coverage = found.coverage("de")
    assert coverage.own == 0 and coverage.fallbacks == tuple(
        Fallback(msgid, msgid) for msgid in message_ids())
    assert found.gettext("de")("Read more") == "Read more"
    assert coverage.describe() == f"de: none of its own, all {TOTAL} in English"


def test_catalog_words_replace_the_shipped_ones_and_add_a_language(tmp_path: Path) -> None:
    extra = ('[interface.ru]\n"Read more" = "Читать дальше"\n'
             '[interface.de]\n"Read more" = "Mehr lesen"\n"Other ways in" = "Andere Wege"\n'
             '[interface.en]\n"Web mirror" = "Mirror site"\n')
    found = words(tmp_path, "ru", "de", extra=extra)
    assert found.gettext("ru")("Read more") == "Читать дальше"
    assert found.gettext("ru")("Other ways in") == "Другие способы зайти"  # still the package's
    assert found.coverage("ru") == Coverage("ru", TOTAL, from_catalog=1)
    de = found.coverage("de")
    assert (de.own, de.from_catalog) == (2, 2)
    # A word German lacks is the English one, as the catalog says English.
    assert Fallback("Web mirror", "Mirror site") in de.fallbacks
    assert found.gettext("de")("Web mirror") == "Mirror site"
    english = [f'"{msgid}"' + (' (as "Mirror site")' if msgid == "Web mirror" else "")
               for msgid in message_ids() if msgid not in ("Read more", "Other ways in")]
    assert de.describe() == (f"de: 2 of {TOTAL} its own, 2 from the catalog; in English: "
                             + ", ".join(english))


@pytest.mark.parametrize(("lang", "base"), [
    ("pt-BR", "pt"), ("en-GB", "en"), ("kk-KZ", "kk"),
    ("sr-Latn", None), ("sr-ME", None), ("zh-TW", None), ("zh-Hant", None), ("uz-Arab", None),
    ("kk", None)])
def test_a_regional_tag_borrows_its_base_languages_words_only_in_the_same_script(
    lang: str, base: str | None
) -> None:
    assert base_language(lang) == base


def test_borrowed_words_count_as_the_languages_own_and_say_so(tmp_path: Path) -> None:
    found = words(tmp_path, "pt-BR", "sr-Latn", extra='[interface.pt]\n"Read more" = "Leia mais"\n')
    assert found.gettext("pt-BR")("Read more") == "Leia mais"
    pt_br = found.coverage("pt-BR")
    assert (pt_br.own, pt_br.base, pt_br.from_catalog) == (1, "pt", 1)
    # Serbian in Latin letters does not get the Cyrillic words of sr.
    assert found.gettext("sr-Latn")("Read more") == "Read more"
    assert found.coverage("sr-Latn").own == 0


PO = """\
msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Read more"
msgstr "Mehr lesen"

msgid "Web mirror"
msgstr "Spiegelseite"
"""


def test_the_publishers_po_files_give_words_and_the_catalog_tables_win(tmp_path: Path) -> None:
    (tmp_path / "de.po").write_text(PO, encoding="utf-8")
    found = words(tmp_path, "de", head='interface_files = ["de.po"]',
                  extra='[interface.de]\n"Web mirror" = "Spiegel"\n')
    assert found.gettext("de")("Read more") == "Mehr lesen"
    assert found.gettext("de")("Web mirror") == "Spiegel"
    assert found.coverage("de").from_catalog == 2


@pytest.mark.parametrize(("head", "extra", "message"), [
    ('interface_files = ["de.po", "de.po"]', "",
     "interface_files[1]: a second file for 'de' (the first is interface_files[0])"),
    ('interface_files = ["nl.po"]', "", "interface_files[0]: cannot read "),
    ("", '[interface.zz]\n"Read more" = "?"\n', "interface.zz: 'zz' is not a known language code"),
    ("", '[interface.de]\n"Read mroe" = "Mehr"\n',
     'interface.de."Read mroe": not an interface word (did you mean "Read more"?)'),
])
def test_bad_interface_words_are_one_error_naming_the_key(
    tmp_path: Path, head: str, extra: str, message: str
) -> None:
    (tmp_path / "de.po").write_text(PO, encoding="utf-8")
    path = write(tmp_path, catalog_text("de", head=head, extra=extra))
    with pytest.raises(CatalogError) as error:
        load_catalog(path)
    assert str(error.value).startswith(f"{path}: {message}")


def test_check_lists_each_languages_words_and_strict_fails_a_language_with_none(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, catalog_text("kk", "de", extra='[interface.kk]\n"Read more" = "Әрі"\n'))
    code, out, err = run(capsys, "check", str(path))
    assert code == 0
    assert out.splitlines() == [
        f"{path}: interface words in en: the source language, all {TOTAL}",
        f"{path}: interface words in kk: all {TOTAL} its own, 1 from the catalog",
        f"{path}: interface words in de: none of its own, all {TOTAL} in English",
        f"{path}: OK: 1 notice, 0 jurisdictions, 0 mirror sets, 1 warning"]
    assert err == (f"forewarn: warning: {path}: notices[0] (n).text.de: none of the block's own "
                   f"words in 'de': readers get all {TOTAL} in English; give them in "
                   "[interface.de] or a .po file (docs/languages.md)\n")
    code, out, err = run(capsys, "check", "--strict", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == f"forewarn: {path}: 1 warning, failing (--strict)"
    # One word of its own is enough for --strict; the rest is reported, not failed.
    path.write_text(path.read_text(encoding="utf-8") + '[interface.de]\n"Read more" = "Mehr"\n',
                    encoding="utf-8")
    assert run(capsys, "check", "--strict", str(path))[0] == 0


def test_words_a_po_gives_that_the_block_does_not_use_are_a_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "de.po").write_text(PO + '\nmsgid "Subscribe"\nmsgstr "Abonnieren"\n',
                                    encoding="utf-8")
    path = write(tmp_path, catalog_text("de", head='interface_files = ["de.po"]'))
    code, _out, err = run(capsys, "check", str(path))
    assert code == 0
    assert err == (f'forewarn: warning: {path}: interface.de: "Subscribe" is not one of the '
                   "block's words: unused\n")


def test_a_changed_po_file_reloads_the_catalog_and_a_broken_one_keeps_the_last_good(
    tmp_path: Path, demo_db: Path
) -> None:
    po = tmp_path / "de.po"
    po.write_text(PO, encoding="utf-8")
    path = write(tmp_path, catalog_text("de", head='interface_files = ["de.po"]'))
    settings = load_settings({"catalog": str(path), "geoip_dbs": [str(demo_db)]}, environ={})
    engine = Engine(settings, clock=lambda: TODAY)

    def read_more() -> str:
        return engine.renderer.words.gettext("de")("Read more")

    assert read_more() == "Mehr lesen"
    replace(po, PO.replace("Mehr lesen", "Weiterlesen"))
    engine.reloader.check()
    assert read_more() == "Weiterlesen"
    replace(po, PO.replace('msgstr "Mehr lesen"', "Mehr lesen"))
    engine.reloader.check()
    assert read_more() == "Weiterlesen"
    assert engine.health()["catalog"]["last_error"].startswith(f"{po}: not a valid .po file")


def replace(path: Path, text: str) -> None:
    temporary = path.with_suffix(".new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def test_the_browser_suites_catalog_has_a_notice_in_each_shipped_language_and_passes_strict(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = ROOT / "tests" / "e2e" / "catalogs" / "languages.toml"
    catalog = load_catalog(path)
    assert sorted(notice.languages for notice in catalog.notices) == sorted(
        (lang,) for lang in shipped_languages())
    assert run(capsys, "check", "--strict", str(path))[0] == 0
