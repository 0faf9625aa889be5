"""The results as a chart (matplotlib): requests/s per setup at saturation, and p99 latency at
one connection, side by side, setups in the same order as the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

FOREWARN = "#b3261e"  # setups where Forewarn runs
OTHERS = "#5f6368"  # the app alone, the naive floor, the peer, the ceiling, the references
NOT_FOREWARN = ("bare", "naive-ru", "naive-de", "peer", "static", "edge-include-reference",
                "edge-include-nginx-reference")


def chart(results: dict[str, Any], path: Path) -> None:
    setups = [s for s in results["setups"] if s["rps"]]
    names = [s["name"] for s in setups][::-1]
    colours = [OTHERS if s["name"] in NOT_FOREWARN else FOREWARN for s in setups][::-1]
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 0.45 * len(setups) + 1.6),
                                         sharey=True, constrained_layout=True)
    rps = [s["rps"] for s in setups][::-1]
    left.barh(names, rps, color=colours)
    left.set_xlabel("requests/s at saturation (more is better)")
    for y, value in enumerate(rps):
        left.text(value, y, f" {value:,.0f}", va="center", fontsize=8)
    left.set_xlim(0, max(rps) * 1.18)
    p99 = [s["single_p99_ms"] for s in setups][::-1]
    right.barh(names, p99, color=colours)
    right.set_xlabel("p99 latency at one connection, ms (less is better)")
    for y, value in enumerate(p99):
        right.text(value, y, f" {value:.2f}", va="center", fontsize=8)
    right.set_xlim(0, max(p99) * 1.25)
    machine = results["machine"]
    figure.suptitle(f"Forewarn benchmark, {machine['date'][:10]}, {machine['nproc']} cores "
                    f"({machine['cpu']}); red: Forewarn in the path", fontsize=10)
    for axis in (left, right):
        axis.grid(axis="x", alpha=0.3)
        axis.spines[["top", "right"]].set_visible(False)
    figure.savefig(path, dpi=110)
    plt.close(figure)
