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
    ├── PreviewFailed              `forewarn preview` could not make its page or picture
    │   └── BrowserMissing         ... because there is no Chromium or Playwright
    └── ServeError                 `forewarn serve` cannot listen on its address

The base lives in geoip/, the lowest layer, so that the geo errors can derive from it without
geoip/ importing webapp/ (docs/architecture.md); it is re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
    "PreviewFailed", "QueryError", "ServeError", "SettingsError", "UpstreamError", "UsageError",
    "key_path",
]


class SettingsError(ForewarnError):
    """A setting from a file, the environment or an argument is wrong."""

    exit_status = EXIT_USAGE

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source, self.key, self.message = source, key, message
        where = f"{source}: {key}" if key and key.upper() not in source.upper() else source
        super().__init__(f"{where}: {message}")


class CatalogError(ForewarnError):
    """The catalog file is unreadable or invalid; ``key`` is the dotted key path, ``shown_key``
    the same with a notice's id beside its index (``notices[1] (by-extremist).text``).

    It names the first problem found, with "(and N more)" when there are more; ``problems``
    holds every one, each as its own CatalogError, for `forewarn check` to print them all."""

    def __init__(self, path: str, key: str, message: str, *, shown_key: str | None = None,
                 problems: Sequence[CatalogError] = ()) -> None:
        self.path, self.key, self.message = path, key, message
        self.shown_key = shown_key or key
        self.problems: tuple[CatalogError, ...] = tuple(problems) or (self,)
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        where = f"{path}: {self.shown_key}" if key else path
        super().__init__(f"{where}: {message}{more}")

    @classmethod
    def of(cls, problems: Sequence[CatalogError]) -> CatalogError:
        """One error naming the first of ``problems`` and carrying them all."""
        first = problems[0]
        return cls(first.path, first.key, first.message, shown_key=first.shown_key,
                   problems=problems)

    @classmethod
    def from_validation(
        cls, path: str, errors: Sequence[Mapping[str, Any]], label: Callable[[str], str] = str,
    ) -> CatalogError:
        """pydantic's ``errors()`` as one error carrying them all, each located by its key path
        such as ``sites[0].available_alternatives[2].url``; ``label`` turns a key path into the
        one shown."""
        problems = []
        for error in errors:
            key = key_path(error["loc"])
            problems.append(cls(path, key, _validation_message(error), shown_key=label(key)))
        return cls.of(problems)


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


class ServeError(ForewarnError):
    """``forewarn serve`` cannot listen where it was told (exit status 1)."""


class CodingError(ForewarnError):
    """The body is not valid for its declared Content-Encoding."""


class UpstreamError(ForewarnError):
    """The origin did not give a usable answer; ``status`` is what the reader gets instead."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
