"""What pyproject.toml cannot say: the long description PyPI shows (``dynamic = ["readme"]``).

It is README.md, whose links to the repository's own files (docs/, SECURITY.md, deploy/) are
relative: shown off-site, on PyPI, they would lead nowhere. Here each relative link is made to
point into the repository named by ``[project.urls] Repository`` when pyproject.toml names one
(at its main branch), and otherwise becomes its text followed by the path it names, so that no
link on PyPI is broken. tests/test_packaging.py builds the wheel and checks every link in its
METADATA.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
# [text](target) and ![alt](target); a target with a scheme (https:, mailto:) is absolute.
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
_ABSOLUTE = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def pypi_readme(text: str, repository: str | None) -> str:
    """``text`` (Markdown) with every relative link absolute, or plain text where there is no
    repository to point into. Code blocks are left as they are."""
    parts = re.split(r"(^```.*?^```)", text, flags=re.MULTILINE | re.DOTALL)
    return "".join(part if part.startswith("```") else _LINK.sub(
        lambda found: _absolute(found, repository), part) for part in parts)


def _absolute(found: re.Match[str], repository: str | None) -> str:
    bang, label, target = found.groups()
    if _ABSOLUTE.match(target):
        return found.group(0)
    path = target.lstrip("./") or "README.md"
    if repository:
        kind = "raw" if bang else "blob"
        return f"{bang}[{label}]({repository.rstrip('/')}/{kind}/main/{path})"
    shown = path.partition("#")[0] or "README.md"
    return f"`{shown}` in the source" if label == shown else f"{label} (`{shown}` in the source)"


def _repository() -> str | None:
    project = tomllib.loads((HERE / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    urls = {key.lower(): value for key, value in project.get("urls", {}).items()}
    return urls.get("repository")


if __name__ == "__main__":
    setup(long_description=pypi_readme((HERE / "README.md").read_text(encoding="utf-8"),
                                       _repository()),
          long_description_content_type="text/markdown")
