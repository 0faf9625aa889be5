"""Run a Forewarn WSGI app under gunicorn (gthread workers), bound only where told."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from webapp.app import create_app
from webapp.settings import Settings


class ForewarnServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with Forewarn's app; each worker builds its own app after the fork.

    No access log by default; when asked for, one without the reader's address (see serve()).
    """

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return create_app(self._settings)


# gunicorn's default access log starts with the client address (%(h)s) and carries the query,
# the referer and the user agent: each can tie a reader to an article. This one keeps what an
# operator needs to see traffic and errors: time, method, path, status, size, duration.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def serve(settings: Settings, host: str, port: int, workers: int, threads: int = 4, *,
          access_log: str | None = None, log_level: str = "info") -> None:
    """Serve until interrupted; returns when gunicorn stops. No access log unless asked for,
    and then one without the reader's address, query, referer or user agent."""
    ForewarnServer(settings, {
        "bind": f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": log_level,
        "proc_name": "forewarn",
        "timeout": 30,
        "graceful_timeout": 10,
        "control_socket_disable": True,
    }).run()
