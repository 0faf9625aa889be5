"""pyproject.toml's lower bounds work: the unit tests pass with every runtime dependency at the
lowest version it allows (scripts/lowest_versions.py, run beside the rest of the suite: see
tests/lower_bounds.py). gunicorn < 25.1 lacks control_socket_disable, pydantic < 2.13 writes the
catalog's schema without its descriptions, netaddr 1.0.0 is yanked: each made this fail."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib

from scripts.lowest_versions import SAME_AT_EVERY_VERSION, lowest_constraints
from tests.lower_bounds import RUN
from tests.support import ROOT


def test_the_unit_tests_pass_at_the_lowest_allowed_versions() -> None:
    assert RUN, "started by tests/conftest.py once the test was collected"
    status, output = RUN[0].wait()
    pins = re.search(r"^lowest versions: (.*)$", output, re.M)
    assert pins is not None, output[-3000:]
    assert status == 0, output[-6000:]
    lowest = dict(pin.split("==") for pin in pins.group(1).split(", "))
    for name, needed in (("gunicorn", (25, 1)), ("pydantic", (2, 13)), ("netaddr", (1, 1))):
        assert tuple(int(part) for part in lowest[name].split(".")[:2]) >= needed, name


def test_the_modules_left_out_of_that_run_use_no_runtime_dependency() -> None:
    """A module is left out of the lowest-versions run only if the Forewarn modules it imports
    are the ones named for it, and those, imported alone, load no runtime dependency (what
    pyproject.toml bounds), so that the run would be the same at any version."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = [pin.split("==")[0] for pin in lowest_constraints(pyproject)]
    assert "flask" in names and "brotli" in names
    for module, under_test in SAME_AT_EVERY_VERSION.items():
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module}
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                     for alias in node.names}
        ours = {name for name in imported if name.split(".")[0] in ("webapp", "geoip")}
        assert ours == set(under_test), module
        code = ("import sys, importlib, importlib.metadata as m\n"
                f"for name in {list(under_test)!r}: importlib.import_module(name)\n"
                "found = m.packages_distributions()\n"
                "print(sorted({d for top in {n.split('.')[0] for n in sys.modules}"
                " for d in found.get(top, ())}))")
        loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, cwd=ROOT).stdout
        distributions = {name.lower().replace("_", "-") for name in ast.literal_eval(loaded)}
        assert distributions, "the check saw the distributions loaded"
        assert distributions.isdisjoint({name.lower() for name in names}), (module, loaded)
