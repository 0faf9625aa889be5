"""Run the unit tests with the lowest versions pyproject.toml allows, so that its lower bounds
are bounds that work (`make lowest`, and in `make test` through tests/test_lower_bounds.py).

Every runtime dependency (and the brotli extra) is pinned to its lower bound in a constraints
file generated from pyproject.toml, the way `uv pip install --resolution lowest-direct` resolves;
their own dependencies take the newest versions those allow. The project goes into a virtual
environment of its own (var/lowest-venv, made again when the pins change) with the test tools,
and the unit tests run there: every test but the browser ones (they need Playwright, which the
lowest versions do not concern), the ones that download, and the ones whose code under test
uses no runtime dependency (SAME_AT_EVERY_VERSION). Standard library only.

    python scripts/lowest_versions.py [PYTEST ARGS...]
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "var" / "lowest-venv"
# The test tools the unit tests import; their newest versions (they are not what users install).
TEST_TOOLS = ("pytest", "hypothesis", "jsonschema", "html5lib")
RUNTIME_EXTRAS = ("brotli",)
# Browser tests import Playwright (not installed here); downloads need the network.
MARKERS = "not e2e and not network"
TESTS = ("tests/webapp", "tests/geoip", "tests/test_docs.py")
# Test modules whose code under test (the Forewarn modules named, the only ones they import)
# loads no runtime dependency: they would run the same at every version, so they run once, in
# the main run. tests/test_lower_bounds.py checks both halves of that. (The real pages judged
# by html5lib were a quarter of this run's time.)
SAME_AT_EVERY_VERSION = {"tests/webapp/page/test_placement.py": ("webapp.page.placement",)}
_BOUND = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*>=\s*([0-9][^,;\s]*)$")


def lowest_constraints(pyproject: dict[str, object]) -> list[str]:
    """``name==lower bound`` for every runtime dependency and runtime extra; a dependency
    without a lower bound is an error (it would make the lowest version meaningless)."""
    project = pyproject["project"]
    assert isinstance(project, dict)
    specs = list(project["dependencies"])
    for extra in RUNTIME_EXTRAS:
        specs += project["optional-dependencies"][extra]
    pins = []
    for spec in specs:
        found = _BOUND.match(spec.strip())
        if found is None:
            raise SystemExit(f"lowest_versions: {spec!r} has no lower bound of the form >=X")
        pins.append(f"{found.group(1)}=={found.group(2)}")
    return pins


def _test_tool_specs(pyproject: dict[str, object]) -> list[str]:
    project = pyproject["project"]
    assert isinstance(project, dict)
    test = project["optional-dependencies"]["test"]
    return [spec for spec in test if re.split(r"[<>=!~ ]", spec, maxsplit=1)[0] in TEST_TOOLS]


def ensure_venv(pins: list[str], tools: list[str]) -> Path:
    """var/lowest-venv with the project (editable) at its lowest versions, made again when the
    pins or the test tools change."""
    python = VENV / "bin" / "python"
    key = hashlib.sha256(json.dumps([pins, tools]).encode()).hexdigest()
    stamp = VENV / ".stamp"
    if python.exists() and stamp.exists() and stamp.read_text() == key:
        return python
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    constraints = VENV / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-c", str(constraints), "-e", f"{ROOT}[{','.join(RUNTIME_EXTRAS)}]", *tools],
                   check=True)
    stamp.write_text(key)
    return python


def installed(python: Path, names: list[str]) -> dict[str, str]:
    code = ("import sys\nfrom importlib.metadata import version\n"
            "for name in sys.argv[1:]: print(name, version(name))")
    done = subprocess.run([str(python), "-c", code, *names], capture_output=True, text=True,
                          check=True)
    return dict(line.split() for line in done.stdout.splitlines())


def _release(version: str) -> tuple[int, ...]:
    """``3.0`` and ``3.0.0`` alike (PEP 440 pads releases with zeros)."""
    parts = [int(part) for part in version.split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def browser_modules() -> list[str]:
    """Test modules that import Playwright or Pillow at the top (the browser tests)."""
    found = []
    for test in TESTS:
        for path in sorted((ROOT / test).rglob("test_*.py")) if (ROOT / test).is_dir() else ():
            if re.search(r"^(from|import) (playwright|PIL)\b", path.read_text(), re.M):
                found.append(str(path.relative_to(ROOT)))
    return found


def main(argv: list[str]) -> int:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = lowest_constraints(pyproject)
    python = ensure_venv(pins, _test_tool_specs(pyproject))
    wanted = dict(pin.split("==") for pin in pins)
    got = installed(python, list(wanted))
    wrong = [f"{name} {got[name]} (wanted {version})" for name, version in wanted.items()
             if _release(got[name]) != _release(version)]
    if wrong:
        print(f"lowest_versions: not the lowest: {', '.join(wrong)}", file=sys.stderr)
        return 1
    print("lowest versions: " + ", ".join(pins), flush=True)
    ignored = [f"--ignore={module}" for module in (*browser_modules(), *SAME_AT_EVERY_VERSION)]
    return subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o",
         "addopts=-ra --strict-markers", "-m", MARKERS, *ignored, *TESTS, *argv],
        cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
