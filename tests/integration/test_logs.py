"""No reader data in any log line a real `forewarn serve` writes, at every level it sets up (debug,
access log on): requests that gunicorn refuses (a broken request line, a cookie over 8 KB, a line
too long, a bad header name, obsolete folding), readers who vanish mid-request or mid-answer,
and ordinary page views. The reader here comes from its own loopback address, 127.0.0.77, so
that address stands out from the server's own; its query, user agent, referer and cookie carry
markers that must never show up. The reader also asks for the article's fragment (the edge
include's endpoint), the marker in its query too. The same on granian (`--server granian`).
Every request says `Connection: close`, so that one a server accepts where gunicorn refuses it
(granian takes a 9 KB line) leaves nothing open."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.servers import SERVERS
from tests.support import LiveServer, reset_on_close

READER_ADDRESS = "127.0.0.77"
QUERY, AGENT, REFERER, COOKIE = ("secret-query-4711", "secret-agent-4711",
                                 "secret-referer-4711", "secret-cookie-4711")
SECRETS = (READER_ADDRESS, QUERY, AGENT, REFERER, COOKIE)
HEADERS = (f"Host: news.example\r\nUser-Agent: {AGENT}\r\nReferer: https://{REFERER}.example/\r\n"
           f"Cookie: c={COOKIE}\r\nConnection: close\r\n")
ARTICLE = f"/articles/library-winter?{QUERY}"
FRAGMENT = f"/_forewarn/fragment?path=/articles/library-winter&{QUERY}"
# What shows that each server logged at all: the access log's lines, and its own.
LOGGED = {"gunicorn": ('"GET /articles/library-winter" 200', '"GET /_forewarn/fragment" 200',
                       "Invalid request", "[DEBUG]"),
          "granian": ('"GET /articles/library-winter" 200', '"GET /_forewarn/fragment" 200',
                      "[INFO] Started worker")}


def requests(article: str) -> dict[str, str]:
    """What gunicorn refuses, and ordinary requests, as a reader's socket sends them."""
    return {
        "bad version": f"GET {article} HTTP/9.9\r\n{HEADERS}\r\n",
        "bad method": f"G@T {article} HTTP/1.1\r\n{HEADERS}\r\n",
        "cookie over 8 KB": f"GET {article} HTTP/1.1\r\n{HEADERS}Cookie: big={'x' * 9000}\r\n\r\n",
        "line too long": f"GET {article}&{'y' * 9000} HTTP/1.1\r\n{HEADERS}\r\n",
        "bad header name": f"GET {article} HTTP/1.1\r\n{HEADERS}Bad Header: {QUERY}\r\n\r\n",
        "folded header": f"GET {article} HTTP/1.1\r\n{HEADERS}X-Folded: a\r\n {QUERY}\r\n\r\n",
        "bad chunk": (f"POST {article} HTTP/1.1\r\n{HEADERS}Transfer-Encoding: chunked\r\n\r\n"
                      f"zz{QUERY}\r\n"),
        "page view": f"GET {article} HTTP/1.1\r\n{HEADERS}\r\n",
        "fragment": f"GET {FRAGMENT} HTTP/1.1\r\n{HEADERS}\r\n",
        "missing page": f"GET /nowhere?{QUERY} HTTP/1.1\r\n{HEADERS}\r\n",
    }


def reader_socket(server: LiveServer) -> socket.socket:
    sock = socket.socket()
    sock.bind((READER_ADDRESS, 0))
    sock.settimeout(10)
    sock.connect(("127.0.0.1", server.port))
    return sock


def send(server: LiveServer, data: str) -> bytes:
    with reader_socket(server) as sock:
        sock.sendall(data.encode("latin-1"))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


@pytest.fixture(scope="module", params=SERVERS)
def log_of_a_busy_day(request: pytest.FixtureRequest, demo_db: Path,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The server, and everything it wrote at debug level with its access log on while readers
    did all this."""
    name: str = request.param
    folder = tmp_path_factory.mktemp(f"logs-{name}")
    server = LiveServer(["--demo", "--server", name, "--workers", "1", "--access-log", "-",
                         "--log-level", "debug"], folder / "forewarn.log",
                        env={"FOREWARN_GEOIP_DBS": str(demo_db)})
    sent = requests(ARTICLE)
    try:
        answers = {what: send(server, data) for what, data in sent.items()}
        for what in ("page view", "fragment"):
            assert answers[what].startswith(b"HTTP/1.1 200"), answers[what][:100]
        refused = answers["cookie over 8 KB"]
        assert refused.startswith(b"HTTP/1.1 4") or name == "granian", refused[:100]
        with reader_socket(server) as sock:  # gone before the request was whole
            sock.sendall(f"GET {ARTICLE} HTTP/1.1\r\n{HEADERS}".encode())
        with reader_socket(server) as sock:  # gone mid-answer, with a reset
            sock.sendall(sent["page view"].encode())
            sock.recv(100)
            reset_on_close(sock)
        with reader_socket(server) as sock:  # connected, sent nothing, left
            pass
        time.sleep(0.5)
    finally:
        server.stop()
    yield name, server.log_path.read_text(errors="replace")


def test_the_log_saw_the_requests(log_of_a_busy_day: tuple[str, str]) -> None:
    """The scan below means something only if the server logged these requests at all: the
    access log, and gunicorn's refusals at warning level and debug lines, or granian's own."""
    name, log = log_of_a_busy_day
    for line in LOGGED[name]:
        assert line in log, log[-2000:]


@pytest.mark.parametrize("secret", SECRETS)
def test_no_log_line_at_any_level_holds_reader_data(
    log_of_a_busy_day: tuple[str, str], secret: str
) -> None:
    leaks = [line for line in log_of_a_busy_day[1].splitlines() if secret in line]
    assert leaks == [], leaks[:3]
