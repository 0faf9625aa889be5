"""gunicorn's logger as `forewarn serve` sets it up (webapp/server.py): each kind of line gunicorn
writes about a client's request keeps what happened and loses who and what they asked for. The
lines the integration test cannot provoke through a real server (an app failing mid-request)
are written here through gunicorn's own Logger."""

from __future__ import annotations

import logging

import pytest
from gunicorn.config import Config
from gunicorn.http.errors import InvalidHTTPVersion

from webapp.server import PrivateLogger

SECRET = "/articles/1?reader=secret-4711"


@pytest.fixture
def lines() -> list[str]:
    return []


@pytest.fixture
def logger(lines: list[str]) -> PrivateLogger:
    config = Config()
    config.set("loglevel", "debug")
    log = PrivateLogger(config)

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect()
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.error_log.addHandler(handler)
    return log


def test_a_failing_request_is_logged_with_its_traceback_but_not_its_uri(
    logger: PrivateLogger, lines: list[str]
) -> None:
    try:
        raise RuntimeError("a bug in the app")
    except RuntimeError:
        logger.exception("Error handling request %s %s", "GET", SECRET)
    text = "\n".join(lines)
    assert "Error handling request" in text and "RuntimeError: a bug in the app" in text
    assert "secret-4711" not in text and "/articles/1" not in text


def test_a_refused_request_names_the_error_kind_not_the_address_or_the_line(
    logger: PrivateLogger, lines: list[str]
) -> None:
    try:
        raise InvalidHTTPVersion(f"GET {SECRET} HTTP/9")
    except InvalidHTTPVersion as error:
        logger.warning(f"Invalid request from ip=192.0.2.10: {error}")
    assert lines == ["Invalid request refused (InvalidHTTPVersion)"]


@pytest.mark.parametrize("message", ["Ignored premature client disconnection. %s",
                                     "Closing connection. %s", "HTTP/2 stream closed: %s"])
def test_what_a_client_sent_before_leaving_is_not_logged(
    logger: PrivateLogger, lines: list[str], message: str
) -> None:
    logger.debug(message, f"No more data after: b'GET {SECRET}'")
    assert len(lines) == 1 and "secret-4711" not in lines[0]


def test_other_lines_keep_their_arguments(logger: PrivateLogger, lines: list[str]) -> None:
    logger.info("Booting worker with pid: %s", 4242)
    logger.log("info", "Listening at: %s (%s)", "http://127.0.0.1:8080", 7)
    assert lines == ["Booting worker with pid: 4242", "Listening at: http://127.0.0.1:8080 (7)"]
