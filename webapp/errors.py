"""Forewarn's own exception types. Each carries its input and the problem and prints as one
line; the command line prints that line and exits with the error's ``exit_status``, the server
logs it and shows it on /_forewarn/healthz. The whole tree::

    ForewarnError                  geoip/errors.py: the base; exit status 1 unless said
    ├── GeoDatabaseError           a MaxMind DB file is missing, unreadable or corrupt
    ├── NetworksCsvError           a networks CSV for `geoip build` has a bad row (exit 2)
    ├── FetchError                 `geoip fetch` could not get a usable database
    │   └── MissingCredentials     ... because the environment lacks its credentials (exit 2)
    ├── SettingsError              a setting from a file, the environment or an argument (exit 2)
    ├── UsageError                 a command-line argument (exit 2)
    ├── QueryError                 a preview query parameter (400 naming it; exit 2 on the CLI)
    ├── CatalogError               the catalog or a mirror list it names is invalid
    ├── CodingError                a page body is not valid for its Content-Encoding
    ├── UpstreamError              the origin gave no usable answer (the reader gets 502/504)
    └── PreviewFailed              `forewarn preview` could not make its page or picture
        └── BrowserMissing         ... because there is no Chromium or Playwright

The base lives in geoip/, the lowest layer, so that the geo errors can derive from it without
geoip/ importing webapp/ (docs/architecture.md); it is re-exported here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from geoip.errors import (
    EXIT_FAILED,
    EXIT_USAGE,
    FetchError,
    ForewarnError,
    GeoDatabaseError,
    MissingCredentials,
    NetworksCsvError,
)

__all__ = [
    "EXIT_FAILED", "EXIT_USAGE", "BrowserMissing", "CatalogError", "CodingError", "FetchError",
    "ForewarnError", "GeoDatabaseError", "MissingCredentials", "NetworksCsvError",
    "PreviewFailed", "QueryError", "SettingsError", "UpstreamError", "UsageError", "key_path",
]


class SettingsError(ForewarnError):
    """A setting from a file, the environment or an argument is wrong."""

    exit_status = EXIT_USAGE

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}" if key and key.upper() not in source.upper() else source
        super().__init__(f"{where}: {message}")


class CatalogError(ForewarnError):
    """The catalog file is unreadable or invalid; ``key`` is the dotted key path."""

    def __init__(self, path: str, key: str, message: str) -> None:
        self.path, self.key, self.message = path, key, message
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")

    @classmethod
    def from_validation(cls, path: str, error: Mapping[str, Any], count: int) -> CatalogError:
        """The first of ``count`` validation errors (pydantic's ``errors()`` items) as one line:
        its location as a key path such as ``sites[0].available_alternatives[2].url``."""
        more = f" (and {count - 1} more)" if count > 1 else ""
        return cls(path, key_path(error["loc"]), _validation_message(error) + more)


def key_path(loc: tuple[int | str, ...]) -> str:
    """``("notices", 0, "since")`` -> ``notices[0].since``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _validation_message(error: Mapping[str, Any]) -> str:
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return "required key is missing"
    if kind == "unexpected_keyword_argument":
        return "unknown key"
    if kind == "date_type":
        return f"expected a TOML date such as 2024-02-20, without quotes (got {value!r})"
    if kind == "value_error":  # our own validators' words, without pydantic's "Value error, "
        return f"{error['ctx']['error']} (got {value!r})"
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    return f"{error['msg']}{shown}"


class UsageError(ForewarnError):
    """A command-line argument is wrong (exit status 2)."""

    exit_status = EXIT_USAGE


class QueryError(ForewarnError):
    """A preview query value (or command-line option) is wrong; ``param`` names it."""

    exit_status = EXIT_USAGE

    def __init__(self, param: str, message: str) -> None:
        self.param, self.message = param, message
        super().__init__(f"{param}: {message}")


class PreviewFailed(ForewarnError):
    """``forewarn preview`` could not produce its page or picture (exit status 1)."""


class BrowserMissing(PreviewFailed):
    """No usable Chromium, or no Playwright to drive it."""


class CodingError(ForewarnError):
    """The body is not valid for its declared Content-Encoding."""


class UpstreamError(ForewarnError):
    """The origin did not give a usable answer; ``status`` is what the reader gets instead."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
