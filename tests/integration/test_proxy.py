"""`forewarn serve --upstream` (2 workers, on gunicorn and on granian) in front of real origins:
pages in the encodings real sites use get the notice, headers are passed as a reverse proxy
should, every way an origin fails gives a small 502/504 page while the workers stay healthy, and
an origin that breaks off after the page has begun leaves the reader's answer visibly cut."""

from __future__ import annotations

import gzip
import html
import json
import posixpath
import re
from collections.abc import Iterator
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, unquote, urljoin

import pytest
import urllib3

from tests.integration.servers import SERVERS
from tests.integration.upstream import RUSSIAN, Origin, RawOrigin, refused_url, start_proxy
from tests.support import LiveServer

pytestmark = pytest.mark.parametrize("forewarn_server", SERVERS, indirect=True)

RUSSIA, GERMANY = "192.0.2.10", "198.51.100.10"  # in catalog/demo-networks.csv
NOTICE_CLASS = b'class="forewarn'


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxy(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
          forewarn_server: str) -> Iterator[LiveServer]:
    server = start_proxy(origin.url, demo_db, tmp_path_factory.mktemp("proxy"),
                         server=forewarn_server)
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
    # the origin's max-age cut to browser_max_age (0): the reader may have moved by next time
    assert cache_control == {"private", "max-age=0"}


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


def test_head_gets_the_headers_get_would_and_no_body(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    """Before issue 15 HEAD passed untouched (issue 18.7); test_validators.py has the rest."""
    response = get(client, f"{proxy.url}/articles/plain", method="HEAD")
    assert response.status == 200 and response.data == b""
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert "private" in response.headers["Cache-Control"]


def test_redirect_naming_the_origin_is_rewritten_to_the_public_site(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    response = get(client, f"{proxy.url}/redirect")
    assert response.status == 302
    location = response.headers["Location"]
    assert urljoin(f"{proxy.url}/redirect", location) == f"{proxy.url}/articles/plain?from=old"
    assert location == "/articles/plain?from=old"  # no host: it holds for whatever host is public


def test_a_rewritten_redirect_never_carries_the_host_a_reader_sent(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    """A cache that keys on the path alone would hand the next reader a redirect elsewhere."""
    response = get(client, f"{proxy.url}/redirect", Host="evil.example")
    assert response.status == 302
    assert "evil.example" not in response.headers["Location"]
    assert response.headers["Location"] == "/articles/plain?from=old"


def test_a_gzip_page_in_two_members_gets_the_notice_and_keeps_both(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    """RFC 1952 allows several members; the body tag here is in the second."""
    response = get(client, f"{proxy.url}/articles/two-members", **{"Accept-Encoding": "gzip"})
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    page = gzip.decompress(response.data)
    assert NOTICE_CLASS in page and b"<title>Two members</title>" in page
    assert page.rstrip().endswith(b"</html>")


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
def failing(request: pytest.FixtureRequest, demo_db: Path, tmp_path: Path, forewarn_server: str
            ) -> Iterator[tuple[str, LiveServer]]:
    raw = None if request.param == "refused" else RawOrigin(request.param)
    server = start_proxy(raw.url if raw else refused_url(), demo_db, tmp_path,
                         server=forewarn_server)
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


def assert_cut_before_the_page_began(client: urllib3.PoolManager, url: str, server: str
                                     ) -> None:
    """An origin that broke off before Forewarn had begun its answer: gunicorn drops the
    connection; granian, which answers before the body is read, gets the small 502 page
    (webapp/granian_server.HeadersFirst). Neither gives a page."""
    if server == "gunicorn":
        with pytest.raises(urllib3.exceptions.ProtocolError):
            get(client, url)
        return
    response = get(client, url)
    assert response.status == 502 and response.headers["Cache-Control"] == "no-store"
    assert b"<h1>Bad Gateway</h1>" in response.data and b"Please try again" in response.data


def test_origin_reset_mid_body_cuts_the_response_without_a_traceback(
    client: urllib3.PoolManager, demo_db: Path, tmp_path: Path, forewarn_server: str
) -> None:
    raw = RawOrigin("reset")
    server = start_proxy(raw.url, demo_db, tmp_path, server=forewarn_server)
    try:
        assert_cut_before_the_page_began(client, f"{server.url}/articles/plain", forewarn_server)
        assert client.request("GET", f"{server.url}/_forewarn/healthz").status == 200
    finally:
        server.stop()
        raw.stop()
    log = server.log_path.read_text()
    assert "answer cut" in log and "Traceback" not in log


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_origin_reset_after_the_page_began_leaves_the_readers_answer_cut(
    client: urllib3.PoolManager, demo_db: Path, tmp_path: Path, forewarn_server: str,
    framing: str,
) -> None:
    """The reader has the notice and the first 300 KB when the origin resets: their client must
    see the answer incomplete (a browser or a cache in front would otherwise keep half a page as
    the whole), whether the origin declared its length or chunked its body."""
    raw = RawOrigin("reset-late" if framing == "length" else "reset-late-chunked")
    server = start_proxy(raw.url, demo_db, tmp_path, server=forewarn_server)
    received = bytearray()
    try:
        response = urllib3.request("GET", f"{server.url}/articles/late", retries=False,
                                   preload_content=False, timeout=30,
                                   headers={"X-Forwarded-For": RUSSIA})
        assert response.status == 200
        with pytest.raises(urllib3.exceptions.ProtocolError):
            for chunk in response.stream(64 * 1024, decode_content=False):
                received += chunk
        assert client.request("GET", f"{server.url}/_forewarn/healthz").status == 200
    finally:
        server.stop()
        raw.stop()
    assert NOTICE_CLASS in received and b"<h1>Late</h1>" in received
    assert len(received) > 200_000  # the break came well after Forewarn had begun
    assert "answer cut" in server.log_path.read_text()


def test_origin_stalling_mid_body_is_cut_after_the_timeout(
    client: urllib3.PoolManager, proxy: LiveServer, forewarn_server: str
) -> None:
    assert_cut_before_the_page_began(client, f"{proxy.url}/stall-body", forewarn_server)
    assert get(client, f"{proxy.url}/articles/plain").status == 200


# The address and location headers of the major CDNs and load balancers (the attack review's
# list first): none may reach the origin unless the operator turns forward_client_address on.
CDN_READER_HEADERS = [
    "CloudFront-Viewer-Address", "CloudFront-Viewer-City", "CloudFront-Viewer-Latitude",
    "CloudFront-Viewer-Longitude", "CloudFront-Viewer-Postal-Code",
    "CF-Connecting-IPv6", "CF-Pseudo-IPv4", "CF-IPCity", "CF-IPLatitude", "CF-IPLongitude",
    "CF-Postal-Code", "CF-Timezone", "Fastly-Client-IP", "X-Client-IP", "X-Cluster-Client-IP",
    "CloudFront-Viewer-Country", "CloudFront-Viewer-Country-Name",
    "CloudFront-Viewer-Country-Region", "CloudFront-Viewer-Country-Region-Name",
    "CloudFront-Viewer-Metro-Code", "CloudFront-Viewer-Time-Zone", "CloudFront-Viewer-ASN",
    "CF-Connecting-IP", "CF-IPCountry", "CF-IPContinent", "CF-Region", "CF-Region-Code",
    "CF-Metro-Code", "True-Client-IP", "X-Real-IP", "X-Forwarded-For", "Forwarded",
    "X-Vercel-IP-Country", "X-Vercel-IP-Country-Region", "X-Vercel-IP-City",
    "X-Vercel-IP-Latitude", "X-Vercel-IP-Longitude", "X-Vercel-IP-Postal-Code",
    "X-Vercel-IP-Timezone", "X-Vercel-Forwarded-For", "X-AppEngine-User-IP",
    "X-AppEngine-Country", "X-AppEngine-Region", "X-AppEngine-City", "X-AppEngine-CityLatLong",
    "X-Akamai-Edgescape", "X-Azure-ClientIP", "X-Azure-SocketIP", "X-Nf-Client-Connection-Ip",
    "X-Nf-Geo", "Fly-Client-IP", "X-Client-Geo-Location", "X-Original-Forwarded-For",
]


@pytest.mark.parametrize("header", CDN_READER_HEADERS)
def test_no_cdn_address_or_location_header_reaches_the_origin(
    client: urllib3.PoolManager, proxy: LiveServer, header: str
) -> None:
    seen = echo(client, proxy, headers={header: "reader-place-4711", "X-Article-Id": "42"})
    headers = seen["headers"]
    assert isinstance(headers, dict)
    assert header.lower() not in headers
    assert "reader-place-4711" not in json.dumps(seen)
    assert headers["x-article-id"] == "42"  # the site's own headers still pass


@pytest.fixture(scope="module")
def prefixed(origin: Origin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory,
             forewarn_server: str) -> Iterator[LiveServer]:
    """`forewarn serve --upstream http://origin/site`: the origin's /site/ echoes what it got."""
    server = start_proxy(f"{origin.url}/site", demo_db, tmp_path_factory.mktemp("prefixed"),
                         server=forewarn_server)
    yield server
    server.stop()


def raw_target(server: LiveServer, target: str) -> str:
    """The request target the origin received for ``target`` sent as it is (no client
    normalising it), or "" when the proxy refused it before the origin."""
    connection = HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.putrequest("GET", target, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", "news.example")
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    if response.status != 200:
        return ""
    seen: dict[str, str] = json.loads(body)
    return seen["raw_uri"]


@pytest.mark.parametrize(("target", "expected"), [
    ("/../admin", "/site/admin"),
    ("/a/../../admin", "/site/admin"),
    ("/./../x/./y/..", "/site/x/"),
    ("/%2e%2e/admin", "/site/admin"),
    ("/%2E%2E/%2e./.%2E/admin", "/site/admin"),
    ("/%252e%252e/admin", "/site/admin"),
    ("/..;/admin", "/site/admin"),
    ("/a/b/%2e%2e/c", "/site/a/c"),
    ("/articles/plain/../../../etc/passwd?x=1", "/site/etc/passwd?x=1"),
])
def test_the_origin_never_gets_a_path_outside_the_upstream_prefix(
    prefixed: LiveServer, target: str, expected: str
) -> None:
    received = raw_target(prefixed, target)
    assert received == expected
    path = received.partition("?")[0]
    for _ in range(3):  # however often the origin decodes it
        path = unquote(path)
        assert posixpath.normpath(path).startswith("/site/") or path == "/site"


def test_a_path_with_encoded_characters_reaches_the_origin_as_the_reader_sent_it(
    prefixed: LiveServer,
) -> None:
    target = "/a/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/caf%E9/100%25/x%2Fy?q=%D1%8F"
    assert raw_target(prefixed, target) == "/site" + target.replace("%2F", "/")


NEWS = "/a/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"  # /a/новости, as browsers send it
MIRROR_HREF = re.compile(r'<a class="forewarn-mirror" data-kind="(\w+)"[^>]*href="([^"]*)"')


def deep_links(page: bytes) -> dict[str, str]:
    """kind -> where the block's mirror link of that kind points (HTML-unescaped)."""
    return {kind: html.unescape(href) for kind, href in MIRROR_HREF.findall(page.decode())}


def test_deep_links_and_onion_location_carry_the_readers_path_and_query_exactly(
    client: urllib3.PoolManager, proxy: LiveServer
) -> None:
    """The page through the proxy, and the fragment for the same page on the same server."""
    page = get(client, f"{proxy.url}{NEWS}?x=1&y=2")
    fragment = get(client, f"{proxy.url}/_forewarn/fragment?path={quote(NEWS + '?x=1&y=2')}")
    tail = f"{NEWS}?x=1&y=2"
    for response in (page, fragment):
        assert response.status == 200
        links = deep_links(response.data)
        assert links["mirror"] == f"https://mirror.example.net{tail}"
        assert links["onion"].endswith(f".onion{tail}")
        assert response.headers["Onion-Location"] == links["onion"]
    assert b"&amp;y=2" in page.data  # in HTML the & is escaped, in the header it is not
