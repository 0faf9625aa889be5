"""The deploy/ templates are filled in the way deploy/README.md tells operators to."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.servers import DEPLOY, PLACEHOLDER, fill

TEMPLATES = [DEPLOY / "varnish" / "default.vcl", DEPLOY / "nginx" / "forewarn-ssi.conf",
             DEPLOY / "nginx" / "forewarn-edge-cache.conf"]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_placeholder_is_documented(template: Path) -> None:
    readme = (DEPLOY / "README.md").read_text()
    names = set(PLACEHOLDER.findall(template.read_text()))
    assert names
    for name in names:
        assert f"`{name}`" in readme  # in the table
        assert f"${name}" in readme  # in the envsubst line


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_envsubst_fills_in_what_the_tests_run(template: Path) -> None:
    envsubst = shutil.which("envsubst")
    if envsubst is None:
        pytest.skip("envsubst not installed (Debian: gettext-base)")
    values = {name: f"value-of-{name.lower()}"
              for name in PLACEHOLDER.findall(template.read_text())}
    shell_format = " ".join(f"${name}" for name in values)
    filled = subprocess.run([envsubst, shell_format], input=template.read_text(), text=True,
                            capture_output=True, check=True, env={**os.environ, **values})
    assert filled.stdout == fill(template, values)
