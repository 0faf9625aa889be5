"""No reader data in any log line a real `forewarn serve` writes, at every level it sets up (debug,
access log on): requests that gunicorn refuses (a broken request line, a cookie over 8 KB, a line
too long, a bad header name, obsolete folding), readers who vanish mid-request or mid-answer,
and ordinary page views. The reader here comes from its own loopback address, 127.0.0.77, so
that address stands out from the server's own; its query, user agent, referer and cookie carry
markers that must never show up."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from tests.support import LiveServer

READER_ADDRESS = "127.0.0.77"
LINGER_ZERO = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # close() sends a reset
QUERY, AGENT, REFERER, COOKIE = ("secret-query-4711", "secret-agent-4711",
                                 "secret-referer-4711", "secret-cookie-4711")
SECRETS = (READER_ADDRESS, QUERY, AGENT, REFERER, COOKIE)
HEADERS = (f"Host: news.example\r\nUser-Agent: {AGENT}\r\nReferer: https://{REFERER}.example/\r\n"
           f"Cookie: c={COOKIE}\r\n")
ARTICLE = f"/articles/library-winter?{QUERY}"
REQUESTS = {  # what gunicorn refuses, and ordinary requests, as a reader's socket sends them
    "bad version": f"GET {ARTICLE} HTTP/9.9\r\n{HEADERS}\r\n",
    "bad method": f"G@T {ARTICLE} HTTP/1.1\r\n{HEADERS}\r\n",
    "cookie over 8 KB": f"GET {ARTICLE} HTTP/1.1\r\n{HEADERS}Cookie: big={'x' * 9000}\r\n\r\n",
    "line too long": f"GET {ARTICLE}&{'y' * 9000} HTTP/1.1\r\n{HEADERS}\r\n",
    "bad header name": f"GET {ARTICLE} HTTP/1.1\r\n{HEADERS}Bad Header: {QUERY}\r\n\r\n",
    "folded header": f"GET {ARTICLE} HTTP/1.1\r\n{HEADERS}X-Folded: a\r\n {QUERY}\r\n\r\n",
    "bad chunk": (f"POST {ARTICLE} HTTP/1.1\r\n{HEADERS}Transfer-Encoding: chunked\r\n\r\n"
                  f"zz{QUERY}\r\n"),
    "page view": f"GET {ARTICLE} HTTP/1.1\r\n{HEADERS}Connection: close\r\n\r\n",
    "missing page": f"GET /nowhere?{QUERY} HTTP/1.1\r\n{HEADERS}Connection: close\r\n\r\n",
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


@pytest.fixture(scope="module")
def log_of_a_busy_day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Everything a debug-level server with its access log wrote while readers did all this."""
    folder = tmp_path_factory.mktemp("logs")
    server = LiveServer(["--demo", "--workers", "1", "--access-log", "-", "--log-level", "debug"],
                        folder / "forewarn.log")
    try:
        answers = {name: send(server, data) for name, data in REQUESTS.items()}
        assert answers["page view"].startswith(b"HTTP/1.1 200"), answers["page view"][:100]
        assert answers["cookie over 8 KB"].startswith(b"HTTP/1.1 4"), answers["cookie over 8 KB"]
        with reader_socket(server) as sock:  # gone before the request was whole
            sock.sendall(f"GET {ARTICLE} HTTP/1.1\r\n{HEADERS}".encode())
        with reader_socket(server) as sock:  # gone mid-answer, with a reset
            sock.sendall(REQUESTS["page view"].encode())
            sock.recv(100)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_ZERO)
        with reader_socket(server) as sock:  # connected, sent nothing, left
            pass
        time.sleep(0.5)
    finally:
        server.stop()
    yield server.log_path.read_text(errors="replace")


def test_the_log_saw_the_requests(log_of_a_busy_day: str) -> None:
    """The scan below means something only if the server logged these requests at all."""
    assert '"GET /articles/library-winter" 200' in log_of_a_busy_day  # the access log
    assert "Invalid request" in log_of_a_busy_day  # gunicorn's refusals, at warning level
    assert "[DEBUG]" in log_of_a_busy_day


@pytest.mark.parametrize("secret", SECRETS)
def test_no_log_line_at_any_level_holds_reader_data(log_of_a_busy_day: str, secret: str) -> None:
    leaks = [line for line in log_of_a_busy_day.splitlines() if secret in line]
    assert leaks == [], leaks[:3]
