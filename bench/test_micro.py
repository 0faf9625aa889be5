"""Micro-benchmarks (pytest-benchmark), run by `make bench` and never by `make test`: the
location step against a raw maxminddb ``get()`` on the same database and the same address
object; the splice (finding the place and inserting the block, as the middleware does for a page
sent in one piece) by page size and by the position of ``<body>``; rendering with a warm cache;
and one page through the bare app and through NoticeMiddleware, in-process.

`make bench` times them in thread CPU time (``--benchmark-timer=time.thread_time``), so that
other work on a shared machine does not count.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any

import maxminddb
import pytest
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from bench.apps import NaiveMiddleware, create_bare
from bench.article import HEAD, PATH, article
from geoip.locator import Locator
from tests.support import ROOT, SHARED_FIXTURES
from webapp.demo import demo_defaults, ensure_demo_database
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.page.placement import find_placement, splice
from webapp.pages import placement_in
from webapp.reader.links import PageURL
from webapp.settings import load_settings

KB = 1024
SIZES = {"1KB": KB, "10KB": 10 * KB, "100KB": 100 * KB, "1MB": 1024 * KB, "2MB": 2048 * KB}
BODY_AT = {"1KB": KB, "4KB": 4 * KB, "16KB": 16 * KB, "64KB": 64 * KB, "256KB": 256 * KB}
SHORT_HEAD = (b'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
              b'<title>Short page</title>\n<link rel="stylesheet" href="/static/site.css">\n'
              b"</head>\n")
BODY = b'<body class="article-page">\n'
PARAGRAPH = (b"<p>The river froze early this year, and the library stayed open all winter "
             b'for the <a href="/articles/village">village</a>.</p>\n')
HEAD_FILLER = (b'<meta property="og:description" content="The library that stayed open">\n'
               b'<link rel="preload" href="/static/fonts/serif.woff2" as="font">\n'
               b'<script src="/static/js/vendor.js" defer></script>\n')


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ensure_demo_database(ROOT / "var" / "demo-geo.mmdb")


@pytest.fixture(scope="module")
def engine(demo_db: Path) -> Engine:
    return Engine(load_settings(environ={}, demo_defaults=demo_defaults(demo_db)))


@pytest.fixture(scope="module")
def middleware(engine: Engine) -> NoticeMiddleware:
    return NoticeMiddleware(create_bare().wsgi_app, engine=engine)


def _country_code_db(folder: Path) -> Path:
    """An ip-location-db style file: records are ``{"country_code": "RU"}``."""
    writer = MMDBWriter(ip_version=6, ipv4_compatible=True, database_type="country")
    writer.insert_network(IPSet(["192.0.2.0/24"]), {"country_code": "RU"})
    path = folder / "country-code.mmdb"
    writer.to_db_file(str(path))
    return path


DATABASES = ["demo-ru", "demo-crimea", "ip-location-db", "GeoIP2-City-Test"]


@pytest.fixture(scope="module", params=DATABASES)
def database(request: pytest.FixtureRequest, demo_db: Path,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, Any]]:
    name = request.param
    if name == "GeoIP2-City-Test":
        path = SHARED_FIXTURES / "maxmind" / "GeoIP2-City-Test.mmdb"
        if not path.is_file():
            pytest.skip(f"{path} is absent (needs ../shared)")
        yield name, path, ip_address("81.2.69.160")  # GB, ENG: a full City record
    elif name == "ip-location-db":
        yield name, _country_code_db(tmp_path_factory.mktemp("geo")), ip_address("192.0.2.10")
    else:
        yield name, demo_db, ip_address("192.0.2.10" if name == "demo-ru" else "203.0.113.7")


@pytest.mark.benchmark(group="location")
def test_raw_get(benchmark: Any, database: tuple[str, Path, Any]) -> None:
    name, path, address = database
    with maxminddb.open_database(str(path)) as reader:
        assert benchmark(reader.get, address) is not None
    benchmark.extra_info["database"] = name


@pytest.mark.benchmark(group="location")
def test_location_step(benchmark: Any, database: tuple[str, Path, Any]) -> None:
    name, path, address = database
    with Locator([path]) as locator:
        assert benchmark(locator.locate, address).known
    benchmark.extra_info["database"] = name


def page(size: int, head: bytes = SHORT_HEAD) -> bytes:
    """A page of ``size`` bytes: ``head``, the body tag, then paragraphs."""
    start = head + BODY
    count = max(0, size - len(start)) // len(PARAGRAPH) + 1
    return (start + PARAGRAPH * count)[:size]


def _spliced(middleware: NoticeMiddleware, data: bytes, block: bytes) -> bytes:
    """What the middleware does with a page that comes in one piece, its length known."""
    found, placement = middleware.pages._find_place(iter((data,)), len(data))
    assert placement.offset is not None
    return splice(found, placement, block)


def _spliced_first_time(data: bytes, block: bytes) -> bytes:
    """The same for a page never seen before: the whole head is scanned, by the middleware's
    rule for a page that comes in one piece."""
    placement = placement_in(data, True, find_placement)
    assert placement is not None and placement.offset is not None
    return splice(data, placement, block)


@pytest.fixture(scope="module")
def block(engine: Engine) -> bytes:
    from geoip.location import Location

    decision = engine.decide(Location("RU"), "en")
    return engine.block_bytes(decision, PageURL(PATH))[0]


def _sized(size: str) -> bytes:
    return page(SIZES[size]) if size != "100KB" else article()  # the benchmark's own article


@pytest.mark.benchmark(group="splice-size")
@pytest.mark.parametrize("size", list(SIZES))
def test_splice_by_size(benchmark: Any, block: bytes, size: str) -> None:
    """A page seen for the first time: its head tokenized, the block inserted."""
    data = _sized(size)
    benchmark.extra_info.update(bytes=len(data), body_at=data.find(BODY))
    result = benchmark(_spliced_first_time, data, block)
    assert len(result) == len(data) + len(block)


@pytest.mark.benchmark(group="splice-size-seen-before")
@pytest.mark.parametrize("size", list(SIZES))
def test_splice_seen_before(benchmark: Any, middleware: NoticeMiddleware, block: bytes,
                            size: str) -> None:
    """The same page again, as the middleware places it: from its remembered head."""
    data = _sized(size)
    benchmark.extra_info.update(bytes=len(data), body_at=data.find(BODY))
    result = benchmark(_spliced, middleware, data, block)
    assert result == _spliced_first_time(data, block)


@pytest.mark.benchmark(group="splice-body-position")
@pytest.mark.parametrize("position", list(BODY_AT))
def test_splice_by_body_position(benchmark: Any, block: bytes, position: str) -> None:
    """A 1 MB page seen for the first time, its body tag further and further in."""
    head = HEAD.encode()[:-len(b"</head>\n")]
    while len(head) < BODY_AT[position]:
        head += HEAD_FILLER
    data = page(1024 * KB, head + b"</head>\n")
    benchmark.extra_info.update(bytes=len(data), body_at=data.find(BODY))
    result = benchmark(_spliced_first_time, data, block)
    assert len(result) == len(data) + len(block)


@pytest.mark.benchmark(group="splice-implied-body")
def test_splice_implied_body(benchmark: Any, block: bytes) -> None:
    """The 100 KB article without its optional <head>, </head> and <body> tags (minified): the
    body begins at its first element, and the frameset-ok flag is watched up to its first
    text, all seen for the first time."""
    data = article().replace(b"</head>\n", b"").replace(BODY, b"").replace(b"<head>\n", b"")
    benchmark.extra_info.update(bytes=len(data), body_at=data.find(b"<a class"))
    result = benchmark(_spliced_first_time, data, block)
    assert len(result) == len(data) + len(block)


@pytest.mark.benchmark(group="render")
def test_render_warm(benchmark: Any, engine: Engine) -> None:
    from geoip.location import Location

    decision = engine.decide(Location("RU"), "en")
    request = PageURL(PATH)
    engine.block_bytes(decision, request)  # the cache is warm
    assert benchmark(engine.block_bytes, decision, request)[0].startswith(b"<aside")


def _environ(reader: str) -> dict[str, Any]:
    return {"REQUEST_METHOD": "GET", "PATH_INFO": PATH, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_X_FORWARDED_FOR": reader, "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.multithread": True, "wsgi.multiprocess": True, "wsgi.run_once": False,
            "wsgi.version": (1, 0)}


def _serve(app: Any, reader: str) -> bytes:
    body = app(_environ(reader), lambda status, headers, exc_info=None: None)
    try:
        return b"".join(body)
    finally:
        getattr(body, "close", lambda: None)()


@pytest.fixture(scope="module")
def naive(demo_db: Path, block: bytes) -> NaiveMiddleware:
    return NaiveMiddleware(create_bare().wsgi_app, str(demo_db), block)


PAGE_APPS = ["bare", "middleware-ru", "middleware-de", "naive-ru", "naive-de"]


@pytest.mark.benchmark(group="page")
@pytest.mark.parametrize("app", PAGE_APPS)
def test_page_in_process(benchmark: Any, middleware: NoticeMiddleware, naive: NaiveMiddleware,
                         app: str) -> None:
    """One page through the WSGI stack, no server: what the middleware adds to each request,
    and what the naive floor (bench/apps.py) adds."""
    wsgi = {"bare": create_bare().wsgi_app, "naive": naive}.get(app.split("-")[0], middleware)
    reader = "198.51.100.10" if app.endswith("-de") else "192.0.2.10"
    body = benchmark(_serve, wsgi, reader)
    assert (b'data-forewarn="ru-undesirable"' in body) == app.endswith("-ru")
