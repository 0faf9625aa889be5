"""`forewarn check` beyond loading: warnings one per line (file, key path, problem), exit 0, or 1
with --strict; the errors stay errors; at serve time warnings are logged and nothing else."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from geoip.location import Location
from tests.support import ROOT
from tests.webapp.catalog.test_model import GOOD
from webapp.catalog.check import catalog_warnings
from webapp.catalog.messages import message_ids
from webapp.catalog.model import load_catalog
from webapp.cli import main
from webapp.engine import Engine
from webapp.errors import CatalogError
from webapp.settings import Settings, load_settings

SHIPPED = ROOT / "catalog" / "notices.toml"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "notices.toml"
    path.write_text(text, encoding="utf-8")
    return path


RU_TEXT = """  [notices.text.ru]
  title = "Заголовок"
  summary = "Чем грозит и что делать."
  body = "Текст."
"""
GOOD_RU = GOOD + RU_TEXT  # jurisdiction ru reads Russian: GOOD alone lacks it

WARNINGS = [
    (GOOD, "notices[0] (ru-undesirable).text", "no text in 'ru', a language of jurisdiction 'ru'"),
    (GOOD_RU.replace('title = "Title"', 'title = "{organisation} since {since}"'),
     "notices[0] (ru-undesirable).text.en.title",
     "unknown placeholder {organisation} is shown as it is (known: {since}, {organization})"),
    (GOOD_RU.replace('body = "Текст."', 'body = "С {sinse}."'),
     "notices[0] (ru-undesirable).text.ru.body", "unknown placeholder {sinse}"),
    (GOOD_RU.replace("since = 2024-02-20\n", "").replace('title = "Title"', 'title = "{since}"'),
     "notices[0] (ru-undesirable).text.en.title", "{since} but the notice has no since date"),
    (GOOD_RU.replace('mirrors = "m"\n', ""), "mirrors.m", "mirror set not used by any notice"),
    (GOOD_RU.replace('links = [{ url = "https://m.example.net/", label = "Mirror" }]', ""),
     "mirrors.m", "mirror set has no links"),
    # a critical (or warning) notice shows title and summary on every page, in every language
    (GOOD_RU.replace('  summary = "Чем грозит и что делать."\n', ""),
     "notices[0] (ru-undesirable).text.ru", "no summary: a critical notice shows its title and "
                                            "a one-sentence summary on every page"),
    (GOOD_RU.replace('severity = "critical"', 'severity = "warning"')
     .replace('  summary = "What is risky, and what to do."\n', ""),
     "notices[0] (ru-undesirable).text.en", "no summary: a warning notice"),
    # counted as readers see it: {organization} is "Test Radio" (10 characters, not 14)
    (GOOD_RU.replace("What is risky, and what to do.", "{organization} " + "x" * 189 + "."),
     "notices[0] (ru-undesirable).text.en.summary", "201 characters as shown: keep it to one "
                                                    "sentence of at most 200"),
    (GOOD_RU.replace("Чем грозит и что делать.", "{sinse}"),
     "notices[0] (ru-undesirable).text.ru.summary", "unknown placeholder {sinse}"),
]


def words_lines(path: Path, *languages: str) -> str:
    """What `forewarn check` says of languages whose interface words are all their own."""
    total = len(message_ids())
    return "".join(f"{path}: interface words in {lang}: "
                   + (f"the source language, all {total}\n" if lang == "en"
                      else f"all {total} its own\n") for lang in languages)


def test_the_shipped_catalog_has_no_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    assert catalog_warnings(load_catalog(SHIPPED)) == ()
    code, out, err = run(capsys, "check", "--strict", str(SHIPPED))
    assert (code, err) == (0, "")
    assert out == (words_lines(SHIPPED, "en", "ru", "be", "fa")
                   + f"{SHIPPED}: OK: 3 notices, 3 jurisdictions, 2 mirror sets\n")


def test_a_catalog_without_problems_has_no_warnings(tmp_path: Path) -> None:
    assert catalog_warnings(load_catalog(write(tmp_path, GOOD_RU))) == ()


@pytest.mark.parametrize("length", [199, 200])
def test_a_summary_up_to_the_limit_passes(tmp_path: Path, length: int) -> None:
    summary = "{organization} " + "x" * (length - len("Test Radio "))  # as shown: Test Radio xx…
    text = GOOD_RU.replace("What is risky, and what to do.", summary)
    catalog = load_catalog(write(tmp_path, text))
    assert catalog_warnings(catalog) == ()


def test_an_info_notice_may_go_without_a_summary(tmp_path: Path) -> None:
    text = (GOOD_RU.replace('severity = "critical"', 'severity = "info"')
            .replace('  summary = "What is risky, and what to do."\n', "")
            .replace('  summary = "Чем грозит и что делать."\n', ""))
    assert "summary" not in text
    assert catalog_warnings(load_catalog(write(tmp_path, text))) == ()


@pytest.mark.parametrize(("text", "key", "problem"), WARNINGS)
def test_a_warning_is_one_line_naming_file_key_and_problem_and_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, text)
    code, out, err = run(capsys, "check", str(path))
    assert code == 0
    [line] = err.splitlines()
    assert line.startswith(f"forewarn: warning: {path}: {key}: ")
    assert problem in line
    assert out == (words_lines(path, *load_catalog(path).notices[0].text)
                   + f"{path}: OK: 1 notice, 1 jurisdiction, 1 mirror set, 1 warning\n")


@pytest.mark.parametrize(("text", "key", "problem"), WARNINGS)
def test_strict_makes_warnings_failures(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, key: str, problem: str
) -> None:
    path = write(tmp_path, text)
    code, out, err = run(capsys, "check", "--strict", str(path))
    assert (code, out) == (1, "")
    warning, summary = err.splitlines()
    assert warning.startswith(f"forewarn: warning: {path}: {key}: ")
    assert summary == f"forewarn: {path}: 1 warning, failing (--strict)"


def test_several_warnings_come_in_file_order(tmp_path: Path) -> None:
    text = GOOD.replace('title = "Title"', 'title = "{x}"') + "[mirrors.spare]\n"
    keys = [w.key for w in catalog_warnings(load_catalog(write(tmp_path, text)))]
    assert keys == ["notices[0].text", "notices[0].text.en.title", "mirrors.spare"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("since = 2024-02-20", "since = 2024-02-20\nuntil = 2024-02-01",
         "notices[0] (ru-undesirable).until: must be after since"),
        ('jurisdictions = ["ru"]', 'jurisdictions = ["by"]',
         "notices[0] (ru-undesirable).jurisdictions[0]: unknown jurisdiction 'by'"),
        ("[[notices]]", '[[notices]]\nid = "ru-undesirable"\njurisdictions = ["ru"]\n'
         '[notices.text.en]\ntitle = "T"\nbody = "B"\n[[notices]]',
         "notices[1] (ru-undesirable).id: duplicate notice id 'ru-undesirable'"),
    ],
)
def test_the_errors_stay_errors_with_or_without_strict(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, old: str, new: str, message: str
) -> None:
    path = write(tmp_path, GOOD_RU.replace(old, new, 1))
    for strict in ([], ["--strict"]):
        code, out, err = run(capsys, "check", *strict, str(path))
        assert (code, out, err) == (1, "", f"forewarn: {path}: {message}\n")


def test_serving_logs_each_warning_once_and_serves(
    tmp_path: Path, demo_db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path, GOOD.replace('title = "Title"', 'title = "{x}"'))
    settings: Settings = load_settings({"catalog": str(path), "geoip_dbs": [str(demo_db)]},
                                       environ={})
    with caplog.at_level(logging.WARNING, logger="forewarn"):
        engine = Engine(settings)
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [f"catalog: {path}: notices[0] (ru-undesirable).text: no text in 'ru', a "
                     "language of jurisdiction 'ru': readers there get the notice only in the "
                     "page's language",
                     f"catalog: {path}: notices[0] (ru-undesirable).text.en.title: unknown "
                     "placeholder {x} is shown as it is (known: {since}, {organization})"]
    assert engine.decide(Location("RU"), "en").notice_ids == ("ru-undesirable",)


BY_NOTICE = """[[notices]]
id = "by-extremist"
jurisdictions = ["ru"]
severity = "warning"
  [notices.text.en]
  title = "T"
  body = "B"
"""


@pytest.mark.parametrize(("mistakes", "lines"), [
    ({'severity = "critical"': 'severity = "urgent"', 'body = "B"': 'body = 7'},
     ["notices[0] (ru-undesirable).severity: Input should be 'critical', 'warning' or 'info' "
      "(got 'urgent')",
      "notices[1] (by-extremist).text.en.body: Input should be a valid string (got 7)"]),
    ({'jurisdictions = ["ru"]\nsince': 'jurisdictions = ["xx"]\nsince',
      '"by-extremist"\njurisdictions = ["ru"]': '"by-extremist"\njurisdictions = ["ru", "yy"]',
      'countries = ["RU"]': 'countries = ["SU"]'},
     ["jurisdictions.ru.countries[0]: 'SU' is not ISO 3166-1",
      "notices[0] (ru-undesirable).jurisdictions[0]: unknown jurisdiction 'xx'",
      "notices[1] (by-extremist).jurisdictions[1]: unknown jurisdiction 'yy'"]),
], ids=["types", "references"])
def test_check_prints_every_error_on_its_own_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mistakes: dict[str, str],
    lines: list[str]
) -> None:
    text = GOOD_RU + BY_NOTICE
    for old, new in mistakes.items():
        assert old in text
        text = text.replace(old, new, 1)
    path = write(tmp_path, text)
    code, out, err = run(capsys, "check", str(path))
    assert (code, out) == (1, "")
    assert err.splitlines() == [f"forewarn: {path}: {line}" for line in lines]


def test_loading_names_the_first_error_and_how_many_more(tmp_path: Path) -> None:
    text = (GOOD_RU + BY_NOTICE).replace('severity = "critical"', 'severity = "urgent"')
    path = write(tmp_path, text.replace('body = "B"', "body = 7"))
    with pytest.raises(CatalogError) as caught:
        load_catalog(path)
    assert str(caught.value) == (f"{path}: notices[0] (ru-undesirable).severity: Input should be "
                                 "'critical', 'warning' or 'info' (got 'urgent') (and 1 more)")
    assert [problem.key for problem in caught.value.problems] == [
        "notices[0].severity", "notices[1].text.en.body"]


def test_the_summary_counts_in_the_plural_past_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD.replace('title = "Title"', 'title = "{x}"'))
    code, out, err = run(capsys, "check", str(path))
    assert code == 0
    assert out.splitlines()[-1] == f"{path}: OK: 1 notice, 1 jurisdiction, 1 mirror set, 2 warnings"
    code, out, err = run(capsys, "check", "--strict", str(path))
    assert err.splitlines()[-1] == f"forewarn: {path}: 2 warnings, failing (--strict)"


def test_the_shipped_catalog_writes_every_date_through_since() -> None:
    """Issue 16: a date typed into the text ("on 20 February 2024") is written one way in every
    language; {since} is written the way each language writes dates. Every notice with a since
    date says it in each language's body, and no text holds a year of its own."""
    catalog = load_catalog(SHIPPED)
    dated = [notice for notice in catalog.notices if notice.since is not None]
    assert [notice.id for notice in dated] == ["ru-undesirable", "by-extremist"]
    for notice in catalog.notices:
        for lang, text in notice.text.items():
            guards = [value for _kind, value in text.guard.texts()] if text.guard else []
            for value in (text.title, text.summary or "", text.body, *guards):
                assert not re.search(r"\b(19|20)\d\d\b", value), (notice.id, lang, value)
            if notice.since is not None:
                assert "{since}" in text.body, (notice.id, lang)
