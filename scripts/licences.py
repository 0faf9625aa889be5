"""Collect the licence of every Python distribution installed where this interpreter looks
(the Docker image's /opt/forewarn venv: Forewarn, its dependencies, pip) into one folder, so the
image carries the licences of what it redistributes (pycountry is LGPL-2.1, several are Apache-2.0,
which asks for its NOTICE files too).

    python scripts/licences.py DEST

DEST/NAME-VERSION/ holds each distribution's licence files as its wheel ships them (PEP 639's
License-File entries, else LICENSE/COPYING/NOTICE files in its .dist-info), and DEST/INDEX.txt
lists name, version, licence and files. A distribution without any licence file stops the build
(exit 1, one line naming it): shipping it without its licence is not an option. Standard library
only: it runs in the image before anything else is there.
"""

from __future__ import annotations

import re
import shutil
import sys
from importlib.metadata import Distribution, distributions
from pathlib import Path

_LICENCE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)


def licence_files(dist: Distribution) -> list[Path]:
    """The licence files ``dist`` installed, as paths on disk."""
    files = [Path(str(dist.locate_file(f))) for f in dist.files or ()]
    meta_dirs = {f.parent for f in files if f.parent.name.endswith(".dist-info")}
    declared = dist.metadata.get_all("License-File") or []
    found = []
    for name in declared:  # core metadata 2.4 puts them under licenses/, older ones beside
        for folder in meta_dirs:
            for candidate in (folder / "licenses" / name, folder / name):
                if candidate.is_file() and candidate not in found:
                    found.append(candidate)
    if not found:
        found = [f for f in files if f.is_file() and _LICENCE_NAME.match(f.name)
                 and any(part.endswith(".dist-info") for part in f.parts)]
    return found


def licence_name(dist: Distribution) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    classifiers = [c.rsplit("::", 1)[-1].strip() for c in meta.get_all("Classifier") or []
                   if c.startswith("License ::")]
    short = (meta.get("License") or "").strip()
    return "; ".join(classifiers) or (short if short and "\n" not in short else "see files")


def collect(dest: Path) -> int:
    dest.mkdir(parents=True, exist_ok=True)
    lines, missing = [], []
    for dist in sorted(distributions(), key=lambda d: d.metadata["Name"].lower()):
        name, version = dist.metadata["Name"], dist.version
        found = licence_files(dist)
        if not found:
            missing.append(f"{name} {version}")
            continue
        folder = dest / f"{name}-{version}"
        folder.mkdir(exist_ok=True)
        for path in found:
            shutil.copyfile(path, folder / path.name)
        listed = ", ".join(f"{folder.name}/{path.name}" for path in found)
        lines.append(f"{name} {version}: {licence_name(dist)}: {listed}")
    (dest / "INDEX.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if missing:
        print(f"licences: no licence file in {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/licences.py DEST")
    sys.exit(collect(Path(sys.argv[1])))
