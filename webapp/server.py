"""Run a Forewarn WSGI app under gunicorn (gthread workers), bound only where told."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from webapp.settings import Settings


class ForewarnServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with Forewarn's app; each worker builds its own app after the fork.

    There is no access log: a request line would tie a reader's address to an article.
    """

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self._settings = settings
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from webapp.app import create_app

        return create_app(self._settings)


def serve(settings: Settings, host: str, port: int, workers: int, threads: int = 4) -> None:
    """Serve until interrupted; returns when gunicorn stops."""
    ForewarnServer(settings, {
        "bind": f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "forewarn",
        "timeout": 30,
        "graceful_timeout": 10,
        "control_socket_disable": True,
    }).run()
