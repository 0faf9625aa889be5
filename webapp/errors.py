"""Forewarn's own exception types: each carries the input and the problem; prints as one line."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ForewarnError(Exception):
    """Base class: ``str()`` is the one line the command line prints."""


class SettingsError(ForewarnError):
    """A setting from a file, the environment or an argument is wrong."""

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
    shown = f" (got {value!r})" if not isinstance(value, dict | list) else ""
    return f"{error['msg']}{shown}"


class UsageError(ForewarnError):
    """A command-line argument is wrong (exit status 2)."""


class QueryError(ForewarnError):
    """A preview query value (or command-line option) is wrong; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        self.param, self.message = param, message
        super().__init__(f"{param}: {message}")


class PreviewFailed(ForewarnError):
    """``forewarn preview`` could not produce its page or picture (exit status 1)."""
