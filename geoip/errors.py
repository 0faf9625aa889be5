"""The geo package's own exception types: each names the file (and line) and the problem."""

from __future__ import annotations

import os


class GeoDatabaseError(Exception):
    """A MaxMind DB file is missing, unreadable, not a MaxMind DB or corrupt."""

    def __init__(self, path: str | os.PathLike[str], message: str) -> None:
        self.path, self.message = path, message
        super().__init__(f"{path}: {message}")


class NetworksCsvError(Exception):
    """A networks CSV (``network,country,region,asn``) is unreadable or has a bad row.

    ``line`` is the 1-based physical line, or 0 when the problem is the whole file.
    """

    def __init__(self, path: str | os.PathLike[str], line: int, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
