"""Guard texts in the catalog (the caution at the share, comment and contact controls): they load
into the model, a wrong one is an error naming file, key path and problem, and `forewarn check`
warns about what loads but would read badly beside a button."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.webapp.catalog.test_check import GOOD_RU, run, write
from webapp.catalog.check import GUARD_LENGTH, catalog_warnings
from webapp.catalog.model import Guard, load_catalog
from webapp.errors import CatalogError

EN_GUARD = """  [notices.text.en.guard]
  share = "Sharing this page from Russia can be prosecuted."
  comment = "Commenting here from {organization}'s readers in Russia can be prosecuted."
"""
RU_GUARD = """  [notices.text.ru.guard]
  share = "За репост этой страницы в России могут преследовать."
  comment = "За комментарий в России могут преследовать."
"""


def guarded(en: str = EN_GUARD, ru: str = RU_GUARD) -> str:
    """GOOD_RU with guard tables under its en and ru texts."""
    head, _, ru_text = GOOD_RU.partition("  [notices.text.ru]\n")
    return head + en + "  [notices.text.ru]\n" + ru_text + ru


def test_guard_texts_load_in_kind_order(tmp_path: Path) -> None:
    catalog = load_catalog(write(tmp_path, guarded()))
    guard = catalog.notices[0].text["ru"].guard
    assert guard == Guard(share="За репост этой страницы в России могут преследовать.",
                          comment="За комментарий в России могут преследовать.")
    assert [kind for kind, _ in guard.texts()] == ["share", "comment"]
    assert catalog_warnings(catalog) == ()


@pytest.mark.parametrize(
    ("guard", "key", "problem"),
    [
        ('  [notices.text.en.guard]\n  like = "x"\n', "notices[0].text.en.guard.like",
         "unknown key"),
        ('  [notices.text.en.guard]\n  share = "   "\n', "notices[0].text.en.guard.share",
         "at least 1 character"),
        ('  [notices.text.en.guard]\n  share = 3\n', "notices[0].text.en.guard.share",
         "valid string"),
        ("  [notices.text.en.guard]\n", "notices[0].text.en.guard",
         "give at least one of share, comment, contact"),
    ],
)
def test_a_wrong_guard_is_an_error_naming_its_key(
    tmp_path: Path, guard: str, key: str, problem: str
) -> None:
    path = write(tmp_path, guarded(en=guard, ru=""))
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    assert raised.value.key == key
    shown = key.replace("notices[0]", "notices[0] (ru-undesirable)")  # as the line names it
    assert str(raised.value).startswith(f"{path}: {shown}: "), str(raised.value)
    assert problem in str(raised.value)


LONG = "x" * (GUARD_LENGTH + 1)
GUARD_WARNINGS = [
    (guarded(en=EN_GUARD.replace("Sharing this page from Russia can be prosecuted.", LONG)),
     "notices[0].text.en.guard.share", f"{GUARD_LENGTH + 1} characters: a caution is one short "
                                       f"sentence (at most {GUARD_LENGTH})"),
    (guarded(en=EN_GUARD.replace("{organization}", "{organisation}")),
     "notices[0].text.en.guard.comment", "unknown placeholder {organisation}"),
    (guarded(ru=RU_GUARD.replace('  comment = "За комментарий в России могут преследовать."\n',
                                 "")),
     "notices[0].text.ru.guard", "no comment caution in 'ru' (there is one in 'en'): readers of "
                                 "'ru' get it in 'en'"),
    (guarded(ru=""), "notices[0].text.ru.guard", "no share caution in 'ru'"),
]


@pytest.mark.parametrize(("text", "key", "problem"), GUARD_WARNINGS)
def test_check_warns_about_a_caution_that_would_read_badly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, text)
    code, _out, err = run(capsys, "check", "--strict", str(path))
    assert code == 1
    lines = err.splitlines()
    shown = key.replace("notices[0]", "notices[0] (ru-undesirable)")  # as check prints it
    assert lines[0].startswith(f"forewarn: warning: {path}: {shown}: "), lines
    assert problem in lines[0]


def test_the_shipped_catalog_has_every_caution_in_every_language() -> None:
    from tests.webapp.catalog.test_check import SHIPPED

    catalog = load_catalog(SHIPPED)
    for notice in catalog.notices:
        for lang, text in notice.text.items():
            assert text.guard is not None, (notice.id, lang)
            assert [kind for kind, _ in text.guard.texts()] == ["share", "comment", "contact"]
