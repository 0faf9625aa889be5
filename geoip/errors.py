"""Forewarn's error tree. It starts here, in the lowest layer, because geoip/ imports nothing
from webapp/; ``webapp.errors`` re-exports these and adds the rest (its docstring draws the whole
tree). Every error names its input (a file, a line, a key, a parameter) and the problem, and
prints as the one line the command line shows."""

from __future__ import annotations

import os

EXIT_FAILED, EXIT_USAGE = 1, 2


class ForewarnError(Exception):
    """Base of every error Forewarn raises on purpose. ``str()`` is the one line the command
    line prints; ``exit_status`` is its exit status there (1: a check failed, 2: bad usage)."""

    exit_status = EXIT_FAILED


class GeoDatabaseError(ForewarnError):
    """A MaxMind DB file is missing, unreadable, not a MaxMind DB or corrupt."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


class NetworksCsvError(ForewarnError):
    """A networks CSV (``network,country,region,asn``) is unreadable or has a bad row.

    ``line`` is the 1-based physical line, or 0 when the problem is the whole file.
    """

    exit_status = EXIT_USAGE

    def __init__(self, path: str | os.PathLike[str], line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class FetchError(ForewarnError):
    """A download that failed or gave no usable database; the message names the source."""


class MissingCredentials(FetchError):
    """The source needs credentials the environment does not hold (a usage problem)."""

    exit_status = EXIT_USAGE
