"""Run Forewarn under granian (a Rust HTTP server), bound only where told: what `forewarn serve
--server granian` runs, the endpoints and pages alike. As under gunicorn (webapp/server.py):
each worker builds its engine after the fork, from the last good files; no access log unless
asked for, and then one without the reader's address or query."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from webapp import server
from webapp.engine import Engine
from webapp.proxy import error_page
from webapp.settings import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# granian's atoms (granian/log.py); not %(addr)s, nor %(query_string)s: a reader's address, and
# a query can tie a reader to an article. Time, method, path, status, duration.
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s" %(status)d %(dt_ms).1fms'


def serve_granian(settings: Settings, host: str, port: int, workers: int, threads: int = 4, *,
                  access_log: str | None = None, log_level: str = "info",
                  last_good: Engine | None = None) -> None:
    """Serve until interrupted; returns when granian stops (see webapp.server.serve)."""
    from granian.constants import HTTPModes, Interfaces
    from granian.log import LogLevels
    from granian.server import Server

    Server(
        "forewarn", address=host, port=port, interface=Interfaces.WSGI, workers=workers,
        blocking_threads=threads, http=HTTPModes.http1, websockets=False,
        log_level=LogLevels(log_level), log_dictconfig=_log_config(access_log),
        log_access=access_log is not None, log_access_format=ACCESS_LOG_FORMAT,
        workers_kill_timeout=10, respawn_failed_workers=True,
    ).serve(target_loader=partial(worker_app, settings, last_good), wrap_loader=False)


def worker_app(settings: Settings, last_good: Engine | None) -> WSGIApplication:
    """In the worker, after the fork: the files that changed loaded into the last good engine
    (a bad version keeps the last good one; gunicorn does this in its master before each fork),
    then the app as under gunicorn. Variables named like request headers (HTTP_*) leave the
    worker's environment first: granian starts every request's WSGI environ from a copy of it,
    so one set where Forewarn runs would read as a header every reader sent."""
    for name in [name for name in os.environ if name.startswith("HTTP_")]:
        del os.environ[name]
    if last_good is not None:
        last_good.reloader.check()
    return HeadersFirst(server.worker_app(settings, last_good))


class HeadersFirst:
    """The app's status and headers given before its body is handed over. granian reads them as
    soon as the app returns, but WSGI lets an app call start_response as late as its first
    chunk, and NoticeMiddleware does (it decides on the page's head): without this the reader
    got the page with none of its headers, Cache-Control: private among them. Chunks are pulled
    until start_response has been called; those come first, then the rest.

    When the app's source breaks off before then (the proxy raises ConnectionResetError, which
    gunicorn answers by dropping the connection), the reader gets the proxy's small 502 page.
    Once the headers are out, a break is raised on to granian, which (2.8.9 and later) cuts the
    connection, so the reader's client sees the answer incomplete, never a half page as whole."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = False

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            nonlocal started
            started = True
            return start_response(status, headers, exc_info)

        body = self.app(environ, start)
        if started:
            return body
        pulled: list[bytes] = []
        iterator = iter(body)
        try:
            while not started:
                pulled.append(next(iterator))
        except StopIteration:
            pass
        except ConnectionResetError:
            # The page's source broke off before anything was sent (the proxy has logged why):
            # the small error page, where granian would answer an empty 500 with a traceback.
            _close(body)
            if started:  # in the same step as its headers: granian has them, and cuts the body
                raise
            return error_page(502, start_response)
        except BaseException:
            _close(body)
            raise
        return _Pulled(pulled, iterator, body)


class _Pulled:
    """The chunks pulled ahead, then the rest; closing closes the app's own iterable."""

    def __init__(self, pulled: list[bytes], rest: Iterator[bytes], body: Iterable[bytes]) -> None:
        self._pulled, self._rest, self._body = pulled, rest, body

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pulled
        yield from self._rest

    def close(self) -> None:
        _close(self._body)


def _close(body: Iterable[bytes]) -> None:
    close = getattr(body, "close", None)
    if close is not None:
        close()


def _log_config(access_log: str | None) -> dict[str, Any]:
    """granian's own lines to stderr, as gunicorn's; the access log to ``access_log`` (a file,
    or '-' for stderr)."""
    access: dict[str, Any] = ({"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
                              if access_log in (None, "-") else
                              {"class": "logging.FileHandler", "filename": access_log})
    return {
        "handlers": {
            "console": {"formatter": "generic", "class": "logging.StreamHandler",
                        "stream": "ext://sys.stderr"},
            "access": {"formatter": "access", **access},
        },
    }
