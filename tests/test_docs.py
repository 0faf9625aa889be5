"""The documentation stays true: every relative link in it leads to a file (and a heading) that
exists, the settings table lists exactly the keys Settings has, the command line's usage
block names exactly the commands and options the argument parser takes, and the languages page
lists the shipped languages with the review their .po files claim, and the block's words."""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT
from webapp.catalog.messages import message_ids, shipped_languages
from webapp.cli import build_parser
from webapp.reader.cdn import READER_HEADER_PREFIXES, READER_HEADERS
from webapp.resources import LOCALE_DIR
from webapp.settings import KEYS

DOCUMENTS = sorted([ROOT / "README.md", ROOT / "SECURITY.md", ROOT / "deploy" / "README.md",
                    *(ROOT / "docs").glob("*.md")])
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)|!\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.M | re.S)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(document: Path) -> set[str]:
    text = _FENCE.sub("", document.read_text(encoding="utf-8"))
    return {slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def relative_links(document: Path) -> list[str]:
    text = _FENCE.sub("", document.read_text(encoding="utf-8"))
    found = [a or b for a, b in _LINK.findall(text)]
    return [link for link in found if not re.match(r"[a-z][a-z0-9+.-]*:", link)]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_somewhere(document: Path) -> None:
    broken = []
    for link in relative_links(document):
        target, _, anchor = link.partition("#")
        path = (document.parent / target).resolve() if target else document
        if not path.exists():
            broken.append(f"{link}: no {path}")
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(f"{link}: no heading #{anchor} in {path.name}")
    assert not broken, broken


def test_the_documents_link_each_other() -> None:
    """Every document in docs/ is reachable from the README."""
    readme = ROOT / "README.md"
    linked = {(ROOT / link.partition("#")[0]).resolve() for link in relative_links(readme)}
    missing = [path.name for path in (ROOT / "docs").glob("*.md") if path.resolve() not in linked]
    assert not missing


def _table_keys(document: Path) -> list[str]:
    keys = []
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            keys += re.findall(r"`([a-z_]+)`", line.split("|")[1])
    return keys


def test_the_settings_table_lists_exactly_the_settings() -> None:
    listed = _table_keys(ROOT / "docs" / "settings.md")
    assert sorted(listed) == sorted(KEYS)
    assert len(listed) == len(set(listed))


def _usage_block() -> list[str]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    block = re.search(r"^```\n(forewarn .*?)^```", text, re.M | re.S)
    assert block, "docs/cli.md has no usage block"
    return block.group(1).splitlines()


def documented() -> dict[str, set[str]]:
    """Command ("serve", "geoip fetch") -> the options its usage lines name."""
    commands: dict[str, set[str]] = {}
    current = ""
    for line in _usage_block():
        words = line.split("#", 1)[0].split()
        if words and words[0] == "forewarn":
            current = words[1] + (f" {words[2]}" if words[1] in ("geoip", "export") else "")
            commands.setdefault(current, set())
        commands[current] |= set(re.findall(r"--[a-z][a-z-]*", line.split("#", 1)[0]))
    return commands


def parsed() -> dict[str, set[str]]:
    """Command -> the options the parser takes (without --help)."""
    found: dict[str, set[str]] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())
        if prefix and not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
            found[prefix] = {option for action in parser._actions
                             for option in action.option_strings
                             if option.startswith("--") and option != "--help"}

    walk(build_parser(), "")
    return found


def test_the_usage_block_names_every_command_and_option_the_parser_takes() -> None:
    assert documented() == parsed()


def test_the_reader_headers_list_names_exactly_what_the_proxy_never_forwards() -> None:
    """docs/deploying.md lists the address and location headers (issue 15, item 6)."""
    text = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    listed = text.split("<!-- reader-headers -->", 1)[1].split("<!-- /reader-headers -->", 1)[0]
    names = {name.lower() for name in re.findall(r"`([A-Za-z0-9-]+\*?)`", listed)}
    prefixes = {name[:-1] for name in names if name.endswith("*")}
    assert names - {f"{prefix}*" for prefix in prefixes} == set(READER_HEADERS)
    assert prefixes == set(READER_HEADER_PREFIXES)


def _rows(document: Path, header: str) -> list[list[str]]:
    """The cells of the Markdown table whose header row starts with ``header``."""
    lines = document.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_languages_table_lists_each_shipped_language_and_what_its_po_says_of_review() -> None:
    listed = {row[0].strip("`"): row[4] for row in _rows(ROOT / "docs" / "languages.md", "| code")}
    assert set(listed) == set(shipped_languages())
    assert listed.pop("en") == "yes"  # the source: the message ids are English
    for lang, reviewed in listed.items():
        header = (LOCALE_DIR / lang / "LC_MESSAGES" / "forewarn.po").read_text(encoding="utf-8")
        said = re.search(r"^# Reviewed by a native speaker: (\w+)$", header, re.M)
        assert said is not None and said.group(1) == reviewed, lang


def test_the_words_table_lists_exactly_the_message_ids() -> None:
    listed = [row[0].strip('"') for row in _rows(ROOT / "docs" / "languages.md", "| message id")]
    assert listed == list(message_ids())


def console_examples() -> list[tuple[str, str, list[str]]]:
    """Every ``$ forewarn ...`` line of a ```console block in the documents, with the lines it
    is shown to print: (document, command, output)."""
    found = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for block in re.findall(r"^```console\n(.*?)^```", text, re.M | re.S):
            for command in re.split(r"^\$ ", block, flags=re.M)[1:]:
                line, *output = command.rstrip("\n").split("\n")
                found.append((document.name, line, output))
    return found


@pytest.mark.parametrize(("document", "command", "output"), console_examples(),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_the_documented_commands_print_what_the_documents_show(
    document: str, command: str, output: list[str]
) -> None:
    argv = shlex.split(command)
    assert argv[0] == "forewarn"
    env = {key: value for key, value in os.environ.items() if not key.startswith("FOREWARN_")}
    done = subprocess.run([str(Path(sys.executable).with_name("forewarn")), *argv[1:]], cwd=ROOT,
                          env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120, check=False)
    assert (done.returncode, done.stdout.splitlines()) == (0, output)


def test_the_documents_show_commands_to_run() -> None:
    assert {command.split()[1] for _, command, _ in console_examples()} >= {"lookup", "check"}
