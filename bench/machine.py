"""What the benchmark ran on: processor, core count, load, and the versions of everything
measured, for the results and the README."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from tests.integration.servers import find_binary


def machine() -> dict[str, Any]:
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "nproc": os.cpu_count(),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "gunicorn": _package("gunicorn"),
        "flask": _package("flask"),
        "maxminddb": _package("maxminddb"),
        "nginx": _tool_version("nginx", "-v", r"nginx/(\S+)"),
        "varnish": _tool_version("varnishd", "-V", r"varnish-(\S+)"),
        "wrk": _tool_version("wrk", "-v", r"wrk (\S+)"),
    }


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The first ``model name`` in /proc/cpuinfo (the machine's processor), or "unknown"."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return "unknown"
    found = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return found.group(1).strip() if found else "unknown"


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def _tool_version(name: str, flag: str, pattern: str) -> str:
    binary = find_binary(name)
    if binary is None:
        return "not installed"
    done = subprocess.run([binary, flag], capture_output=True, text=True, check=False)  # noqa: S603
    found = re.search(pattern, done.stdout + done.stderr)
    return found.group(1) if found else "unknown"
