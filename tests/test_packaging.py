"""Forewarn runs from an installed wheel too: templates, catalog and demo data are inside."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT


def test_wheel_carries_everything_the_demo_needs(tmp_path: Path) -> None:
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--no-build-isolation", "--wheel-dir", str(wheels), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(wheels.glob("forewarn-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel)], check=True, capture_output=True)
    script = (
        "import json, webapp, sys\n"
        "from webapp.cli import main\n"
        "print(webapp.__file__)\n"
        "sys.exit(main(['lookup', '--demo', '203.0.113.7']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(target)}, check=False)
    assert result.returncode == 0, result.stderr
    module_file, line = result.stdout.splitlines()
    assert module_file.startswith(str(target)), "ran the installed wheel, not the checkout"
    assert json.loads(line)["notices"] == ["ru-undesirable"]
    installed = {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()}
    for needed in ("webapp/templates/notices/block.html", "webapp/templates/demo/index.html",
                   "webapp/shipped_catalog/notices.toml",
                       "webapp/shipped_catalog/demo-networks.csv",
                   "webapp/static/forewarn.css"):
        assert needed in installed
