"""The layering of docs/architecture.md is enforced by import-linter's contracts in
pyproject.toml (run by `make lint`). Here each contract is broken on purpose in a copy of the
packages, with an import of the kind that is easiest to miss (inside a function), to show that
`lint-imports` notices it, and that the copy left alone passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {
    "layers": "Layers: each part of the request path imports only the parts below it",
    "core": "The page, the reader and the catalog know neither Flask nor the WSGI adapters",
    "geoip": "geoip/ stands alone: it imports nothing from webapp/",
    "acyclic": "No import cycle between the modules of a package, or between packages",
}
LATE = "\n\ndef _late_import() -> None:\n    {statement}  # noqa\n"


def lint(tree: Path) -> tuple[int, dict[str, str]]:
    """Run lint-imports on the packages in ``tree``: its exit status, and each contract's
    verdict (KEPT or BROKEN) by id."""
    done = subprocess.run([str(LINT_IMPORTS), "--config", "pyproject.toml", "--no-cache"],
                          cwd=tree, capture_output=True, text=True, check=False, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(tree)})
    verdicts = {}
    for line in done.stdout.splitlines():
        for key, name in CONTRACTS.items():
            if line.startswith(name + " "):
                verdicts[key] = line.rsplit(" ", 1)[1]
    return done.returncode, verdicts


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in ("webapp", "geoip"):
        shutil.copytree(ROOT / name, tmp_path / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_packages_as_they_are_keep_every_contract(tree: Path) -> None:
    status, verdicts = lint(tree)
    assert (status, verdicts) == (0, dict.fromkeys(CONTRACTS, "KEPT"))


@pytest.mark.parametrize(("module", "statement", "broken"), [
    # the page's bytes reaching up for the web framework
    ("webapp/page/coding.py", "import flask", {"core"}),
    # the reader reaching up for the middleware (also a cycle: middleware -> ... -> reader)
    ("webapp/reader/render.py", "from webapp import middleware", {"layers", "core", "acyclic"}),
    # the geo package reaching into webapp/
    ("geoip/location.py", "from webapp import settings", {"geoip"}),
    # two modules of one package importing each other (headers imports coding)
    ("webapp/page/coding.py", "from webapp.page import headers", {"acyclic"}),
])
def test_each_contract_catches_an_import_that_breaks_it(
    tree: Path, module: str, statement: str, broken: set[str]
) -> None:
    with (tree / module).open("a", encoding="utf-8") as handle:
        handle.write(LATE.format(statement=statement))
    status, verdicts = lint(tree)
    assert status == 1
    assert {key for key, verdict in verdicts.items() if verdict == "BROKEN"} == broken
    assert set(verdicts) == set(CONTRACTS)
