"""Put the last run's results (bench/results/results.md) into docs/performance.md, between its
two markers; the text around them is written by hand and stays.

    python -m bench.readme       # what `make bench` runs last
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEGIN = "<!-- bench:begin: written by `make bench` from bench/results/results.md -->"
END = "<!-- bench:end -->"


def rewrite(readme: str, generated: str) -> str:
    """``readme`` with the text between the markers replaced by ``generated``, whose links
    (written from the repository's root, as results.md has them) are made to lead from docs/."""
    generated = generated.replace("](bench/", "](../bench/")
    start, end = readme.find(BEGIN), readme.find(END)
    if start < 0 or end < start:
        raise ValueError(f"docs/performance.md: the markers {BEGIN!r} and {END!r} are missing or "
                         "out of order")
    return readme[: start + len(BEGIN)] + "\n" + generated.strip() + "\n" + readme[end:]


def main(root: Path = ROOT) -> int:
    results = root / "bench" / "results" / "results.md"
    if not results.is_file():
        print(f"bench.readme: {results} is missing: run `make bench` first", file=sys.stderr)
        return 1
    readme = root / "docs" / "performance.md"
    try:
        readme.write_text(rewrite(readme.read_text(), results.read_text()))
    except ValueError as error:
        print(f"bench.readme: {error}", file=sys.stderr)
        return 1
    print(f"bench.readme: {readme} updated from {results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
