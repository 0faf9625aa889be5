"""`forewarn serve --upstream` (real gunicorn, 2 workers) in front of real origins: pages in the
encodings real sites use get the notice, headers are passed as a reverse proxy should, and every
way an origin fails gives a small 502/504 page while the workers stay healthy."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path

import pytest
import urllib3

from tests.integration.upstream import RUSSIAN, Origin, RawOrigin, refused_url, start_proxy
from tests.support import LiveServer

RUSSIA, GERMANY = "192.0.2.10", "198.51.100.10"  # in catalog/demo-networks.csv
NOTICE_CLASS = b'class="forewarn'


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[LiveServer]:
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("proxy"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client() -> urllib3.PoolManager:
    return urllib3.PoolManager(retries=False, timeout=urllib3.Timeout(total=30))


def get(client: urllib3.PoolManager, url: str, reader: str = RUSSIA, method: str = "GET",
        **headers: str) -> urllib3.BaseHTTPResponse:
    return client.request(method, url, redirect=False, decode_content=False,
                        headers={"X-Forwarded-For": reader, **headers})


@pytest.mark.parametrize(("reader", "notices"), [(RUSSIA, "ru-undesirable"), (GERMANY, "none")])
def test_page_from_the_origin_gets_the_readers_notices(
    client: urllib3.PoolManager, proxy: LiveServer, reader: str, notices: str
) -> None:
    response = get(client, f"{proxy.url}/articles/plain", reader)
    assert response.status == 200
    assert response.headers["X-Forewarn-Notices"] == notices
    assert (NOTICE_CLASS in response.data) is (notices != "none")
    assert b"<h1>Plain</h1>" in response.data
    assert int(response.headers["Content-Length"]) == len(response.data)
    cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert cache_control == {"private", "max-age=60"}  # the origin's max-age kept


def test_gzip_page_is_decoded_and_encoded_again_with_the_notice(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/articles/gzip", **{"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.data)
    assert NOTICE_CLASS in page and b"<h1>Gzip</h1>" in page


def test_windows_1251_page_gets_the_russian_notice_in_windows_1251(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/articles/cp1251")
    text = response.data.decode("windows-1251")
    assert RUSSIAN in text
    assert "нежелательной организацией" in text
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"


def test_chunked_page_streams_through_with_the_notice(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/articles/chunked")
    assert "Content-Length" not in response.headers
    assert NOTICE_CLASS in response.data
    assert response.data.rstrip().endswith(b"</html>")


def test_origin_cookie_csp_and_etag_pass_with_a_weak_per_notice_etag(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/articles/cookie")
    assert response.headers["Set-Cookie"] == "session=abc; HttpOnly"
    assert response.headers["Content-Security-Policy"] == "default-src 'self'"
    assert response.headers["ETag"].startswith('W/"v1-fw-')


def test_non_html_passes_byte_for_byte(
    client: urllib3.PoolManager, proxy: LiveServer, origin: Origin
) -> None:
    through = get(client, f"{proxy.url}/image.png")
    direct = client.request("GET", f"{origin.url}/image.png")
    assert through.data == direct.data
    assert "X-Forewarn-Notices" not in through.headers


def test_head_is_answered_by_the_origin_untouched(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/articles/plain", method="HEAD")
    assert response.status == 200 and response.data == b""
    assert "X-Forewarn-Notices" not in response.headers


def test_redirect_naming_the_origin_is_rewritten_to_the_public_host(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/redirect")
    assert response.status == 302
    assert response.headers["Location"] == f"{proxy.url}/articles/plain?from=old"


def test_redirect_to_another_site_is_passed_as_it_is(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/redirect-away")
    assert response.status == 301
    assert response.headers["Location"] == "https://elsewhere.example/articles/plain"


def echo(client: urllib3.PoolManager, proxy: LiveServer, path: str = "/echo", **kwargs: object
         ) -> dict[str, object]:
    response = client.request("POST" if "body" in kwargs else "GET", f"{proxy.url}{path}",
                            redirect=False, **kwargs)  # type: ignore[arg-type]
    assert response.status == 200, response.data
    seen: dict[str, object] = json.loads(response.data)
    return seen


def test_origin_gets_forwarded_proto_and_host_but_not_the_readers_address(
    client: urllib3.PoolManager, proxy: LiveServer, origin: Origin
) -> None:
    seen = echo(client, proxy, headers={
        "X-Forwarded-For": RUSSIA, "Forwarded": f"for={RUSSIA}", "X-Real-IP": RUSSIA,
        "X-Article-Id": "42"})
    headers = seen["headers"]
    assert isinstance(headers, dict)
    assert headers["host"] == f"127.0.0.1:{origin.port}"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-host"] == f"127.0.0.1:{proxy.port}"
    assert headers["x-article-id"] == "42"
    assert not {"x-forwarded-for", "forwarded", "x-real-ip"} & set(headers)
    assert RUSSIA not in json.dumps(seen)


def test_hop_by_hop_headers_and_those_connection_names_are_not_passed(proxy: LiveServer) -> None:
    connection = HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    connection.request("GET", "/echo", headers={
        "Connection": "keep-alive, X-Secret", "X-Secret": "1", "Keep-Alive": "timeout=5",
        "TE": "trailers", "Upgrade": "websocket", "Proxy-Authorization": "Basic eDp5"})
    seen = json.loads(connection.getresponse().read())
    connection.close()
    assert not {"x-secret", "keep-alive", "te", "upgrade", "proxy-authorization"} & set(
        seen["headers"])


def test_path_and_query_reach_the_origin_as_sent(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = client.request("GET", f"{proxy.url}/echo?q=%D1%80%D0%B5%D0%BA%D0%B0&a=1&a=2")
    seen = json.loads(response.data)
    assert seen["query"] == "q=%D1%80%D0%B5%D0%BA%D0%B0&a=1&a=2"


def test_accept_encoding_keeps_only_codings_forewarn_can_undo(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    seen = echo(client, proxy, headers={"Accept-Encoding": "zstd, gzip;q=0.9, compress"})
    headers = seen["headers"]
    assert isinstance(headers, dict)
    assert headers["accept-encoding"] == "gzip;q=0.9"


def test_request_body_is_passed_to_the_origin(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    assert echo(client, proxy, body=b"c" * 1000)["body_length"] == 1000


def test_chunked_request_body_is_passed_to_the_origin(proxy: LiveServer) -> None:
    connection = HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    connection.request("POST", "/echo", body=iter([b"a" * 300, b"b" * 300]),
                       encode_chunked=True)
    seen = json.loads(connection.getresponse().read())
    connection.close()
    assert seen["body_length"] == 600


@pytest.mark.parametrize("chunked", [False, True])
def test_body_over_the_limit_is_refused_with_413(proxy: LiveServer, chunked: bool) -> None:
    connection = HTTPConnection("127.0.0.1", proxy.port, timeout=30)
    body = b"x" * 1001
    if chunked:
        connection.request("POST", "/echo", body=iter([body]), encode_chunked=True)
    else:
        connection.request("POST", "/echo", body=body)
    response = connection.getresponse()
    assert response.status == 413
    assert b"larger than this site accepts" in response.read()
    connection.close()


@pytest.fixture(params=["refused", "garbage", "stall"])
def failing(request: pytest.FixtureRequest, demo_db: Path, tmp_path: Path
            ) -> Iterator[tuple[str, LiveServer]]:
    raw = None if request.param == "refused" else RawOrigin(request.param)
    server = start_proxy(raw.url if raw else refused_url(), demo_db, tmp_path)
    try:
        yield request.param, server
    finally:
        server.stop()
        if raw:
            raw.stop()


def test_failing_origin_gives_a_small_error_page_and_the_workers_stay_healthy(
    client: urllib3.PoolManager, failing: tuple[str, LiveServer]
) -> None:
    behaviour, server = failing
    expected = 504 if behaviour == "stall" else 502
    for _ in range(4):  # more than the workers, so each meets the failure
        response = get(client, f"{server.url}/articles/plain")
        assert response.status == expected
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        assert b"Please try again" in response.data
        assert b"Traceback" not in response.data
    assert client.request("GET", f"{server.url}/_forewarn/healthz").status == 200
    log = server.log_path.read_text()
    assert "Traceback" not in log
    assert RUSSIA not in log


def test_origin_reset_mid_body_cuts_the_response_without_a_traceback(
    client: urllib3.PoolManager, demo_db: Path, tmp_path: Path
) -> None:
    raw = RawOrigin("reset")
    server = start_proxy(raw.url, demo_db, tmp_path)
    try:
        with pytest.raises(urllib3.exceptions.ProtocolError):
            get(client, f"{server.url}/articles/plain")
        assert client.request("GET", f"{server.url}/_forewarn/healthz").status == 200
    finally:
        server.stop()
        raw.stop()
    log = server.log_path.read_text()
    assert "answer cut" in log and "Traceback" not in log


def test_origin_stalling_mid_body_is_cut_after_the_timeout(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    with pytest.raises(urllib3.exceptions.ProtocolError):
        get(client, f"{proxy.url}/stall-body")
    assert get(client, f"{proxy.url}/articles/plain").status == 200
