"""Run a Forewarn WSGI app under gunicorn (gthread workers), bound only where told."""

from __future__ import annotations

import os
import sys
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from webapp.app import create_app
from webapp.engine import Engine
from webapp.metrics import Metrics
from webapp.settings import Settings


class ForewarnServer(BaseApplication):  # type: ignore[misc]
    """gunicorn with Forewarn's app; each worker builds its own app after the fork.

    ``last_good`` is the engine the master validated the files with. Before each fork the
    master loads the files that changed into it (a bad version keeps the last good one, as a
    reload does), and the worker starts with it wherever a file is bad now: a worker that
    starts while an editor's catalog is broken (a crash, a timeout, a restart) serves the last
    good notices, degraded in healthz, instead of failing to boot and taking gunicorn down.

    No access log by default; when asked for, one without the reader's address (see serve()).
    """

    def __init__(self, settings: Settings, options: dict[str, Any],
                 last_good: Engine | None = None) -> None:
        self._settings = settings
        self._options = options
        self._last_good = last_good
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)
        if self._last_good is not None:
            self.cfg.set("pre_fork", self._refresh)

    def _refresh(self, _arbiter: Any, _worker: Any) -> None:
        if self._last_good is not None:
            self._last_good.reloader.check()

    def load(self) -> Any:
        return worker_app(self._settings, self._last_good)


def worker_app(settings: Settings, last_good: Engine | None) -> Any:
    """In the worker, after the fork: its engine, watching its files from now on (not from
    its first request: an idle worker's first reader must not get the files of its boot)."""
    engine = Engine(settings, metrics=Metrics(os.environ), last_good=last_good)
    engine.reloader.ensure_running()
    return create_app(engine=engine)


class PrivateLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger, without the reader in any line at any level. gunicorn writes a refused
    request as "Invalid request from ip=ADDRESS: ERROR", where ERROR quotes the request line
    (with its query) or a header; a failing one with its method and URI; a client gone before
    its request was whole with the bytes it had sent (headers, cookie). Those lines keep what an
    operator needs, what happened, and lose the rest."""

    # messages whose arguments are the request, or what the client sent
    _REQUEST_ARGS = ("Error handling request", "Ignored premature client disconnection",
                     "Closing connection", "HTTP/2")

    def _private(self, msg: Any, args: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
        text = str(msg)
        if text.startswith("Invalid request from"):
            kind = sys.exc_info()[0]  # gunicorn logs it while handling the parse error
            return f"Invalid request refused ({kind.__name__ if kind else 'malformed'})", ()
        if text.startswith(self._REQUEST_ARGS):
            return text.split("%", 1)[0].rstrip(" .:"), ()
        return msg, args

    def critical(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().critical(msg, *args, **kwargs)

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().error(msg, *args, **kwargs)

    def warning(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().warning(msg, *args, **kwargs)

    def info(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().info(msg, *args, **kwargs)

    def debug(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().debug(msg, *args, **kwargs)

    def exception(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().exception(msg, *args, **kwargs)

    def log(self, lvl: Any, msg: Any, *args: Any, **kwargs: Any) -> None:
        msg, args = self._private(msg, args)
        super().log(lvl, msg, *args, **kwargs)


# gunicorn's default access log starts with the client address (%(h)s) and carries the query,
# the referer and the user agent: each can tie a reader to an article. This one keeps what an
# operator needs to see traffic and errors: time, method, path, status, size, duration.
ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def serve(settings: Settings, host: str, port: int, workers: int, threads: int = 4, *,
          access_log: str | None = None, log_level: str = "info",
          last_good: Engine | None = None) -> None:
    """Serve until interrupted; returns when gunicorn stops. No access log unless asked for,
    and then one without the reader's address, query, referer or user agent. ``last_good``:
    see ForewarnServer."""
    ForewarnServer(settings, {
        "bind": f"{host}:{port}" if ":" not in host else f"[{host}]:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": PrivateLogger,
        "errorlog": "-",
        "loglevel": log_level,
        "proc_name": "forewarn",
        "timeout": 30,
        "graceful_timeout": 10,
        "control_socket_disable": True,
    }, last_good).run()
