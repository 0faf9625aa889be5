"""Forewarn's own exception types: each carries the input and the problem; prints as one line."""

from __future__ import annotations


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


class UsageError(ForewarnError):
    """A command-line argument is wrong (exit status 2)."""


class QueryError(ForewarnError):
    """A preview query value (or command-line option) is wrong; ``param`` names it."""

    def __init__(self, param: str, message: str) -> None:
        self.param, self.message = param, message
        super().__init__(f"{param}: {message}")


class PreviewFailed(ForewarnError):
    """``forewarn preview`` could not produce its page or picture (exit status 1)."""
