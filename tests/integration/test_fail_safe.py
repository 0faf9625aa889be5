"""The edge-include shapes when Forewarn cannot answer: a real Varnish (ESI) and a real nginx (SSI),
each running the shipped configuration, in front of a Forewarn that is stopped, hangs (accepts
and never answers) or answers 500. Every reader, in Russia, in Crimea or in Germany, then gets the
fallback block for the page's language (exported by the server at start, `fallback_dir`) in the
article as the origin wrote it, never an error page and never nothing; and the moment Forewarn
is back, each gets their own notice again, with no fallback left in any cache.

Oracles: the origin's own page with its include replaced by the exported file (byte for byte),
and the manifest's notice ids; nothing here is computed by the code under test in the test."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.integration.conftest import EDGES, forewarn_env
from tests.integration.origin import FRAGMENT, INCLUDES, Origin
from tests.integration.outage import FAILURES, ForewarnSlot, Mode
from tests.integration.pages import Page, read
from tests.integration.servers import EdgeServer, Nginx, find_binary, missing_reason
from tests.support import ROOT

RUSSIA, CRIMEA, GERMANY = "192.0.2.7", "203.0.113.7", "198.51.100.1"
READERS = {"Russia": RUSSIA, "Crimea": CRIMEA, "Germany": GERMANY}
MARKER = "data-forewarn-fallback"
ERROR_TEXTS = ("Guru Meditation", "Bad Gateway", "Internal Server Error", "Service Unavailable",
               "Gateway Time", "504", "502")


class Outage:
    """One edge in front of a Forewarn whose state the test sets, and the folder it exports to."""

    def __init__(self, edge: EdgeServer, slot: ForewarnSlot, fallback_dir: Path) -> None:
        self.edge = edge
        self.slot = slot
        self.fallback_dir = fallback_dir

    def fallback(self, lang: str) -> tuple[str, str]:
        """The exported block for a page in ``lang`` and its notice ids, as the manifest says."""
        manifest = json.loads((self.fallback_dir / "manifest.json").read_text())
        entry = manifest["languages"][lang]
        return (self.fallback_dir / entry["file"]).read_text(), " ".join(entry["notices"])

    def origin_page(self, path: str) -> tuple[str, str]:
        """The article as the origin serves it, and its include as the edge sees it."""
        with urllib.request.urlopen(self.edge.origin.url + path, timeout=10) as response:
            html = response.read().decode()
        lang = "ru" if path.startswith("/ru/") else "en"
        src = FRAGMENT.format(path=path, lang=lang)
        if self.edge.origin.syntax == "esi":
            src = src.replace("&", "&amp;")
        return html, INCLUDES[self.edge.origin.syntax].format(src=src)

    def fallbacks_counted(self) -> Counter[str]:
        """Fallbacks the edge has recorded, by page language: nginx's FALLBACK_LOG lines, or
        Varnish's `VCL_Log forewarn-fallback: <lang>` records in its shared-memory log."""
        if isinstance(self.edge, Nginx):
            lines = (self.edge.fallback_log.read_text().splitlines()
                     if self.edge.fallback_log.exists() else [])
            return Counter(line.split("lang=")[1].split()[0] for line in lines)
        log = subprocess.run([find_binary("varnishlog") or "varnishlog", "-d", "-n",
                              str(self.edge.folder / "work"), "-g", "raw", "-i", "VCL_Log"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return Counter(line.split("forewarn-fallback: ")[1].strip() for line in log.splitlines()
                       if "forewarn-fallback: " in line)


@pytest.fixture(scope="module", params=list(EDGES))
def outage(request: pytest.FixtureRequest, demo_db: Path,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    server_class, binary = EDGES[request.param]
    if find_binary(binary) is None:
        pytest.skip(missing_reason(binary))
    folder = tmp_path_factory.mktemp(f"outage-{request.param}")
    fallback_dir = folder / "fallback"
    with ExitStack() as started:  # each server stopped, last started first, however it ends
        slot = ForewarnSlot(folder, forewarn_env(demo_db, fallback_dir), ["--workers", "1"])
        started.callback(slot.stop)
        origin = Origin("esi" if request.param == "varnish" else "ssi")
        started.callback(origin.stop)
        slot.set("up")  # writes the fallback blocks, which the edge's configuration reads
        (folder / "edge").mkdir()
        edge = server_class(folder / "edge", origin, slot, fallback_dir)
        started.callback(edge.stop)
        yield Outage(edge, slot, fallback_dir)


@pytest.fixture(params=FAILURES)
def failure(request: pytest.FixtureRequest, outage: Outage) -> Mode:
    """Forewarn in one failure mode for the test. It is left so: the next failure needs no
    restart, and a test that needs Forewarn running starts it."""
    mode: Mode = request.param
    outage.slot.set(mode)
    return mode


def read_all(outage: Outage, requests: list[tuple[str, str]]) -> list[Page]:
    """(path, reader address) pairs read at once: a hanging Forewarn costs each its timeout."""
    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(lambda pair: read(outage.edge, pair[0], pair[1]), requests))


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_while_forewarn_cannot_answer_every_reader_gets_the_fallback_for_the_page_language(
    outage: Outage, failure: Mode, lang: str
) -> None:
    path = f"{'/ru' if lang == 'ru' else ''}/articles/outage-{failure}"
    block, notice_ids = outage.fallback(lang)
    assert MARKER in block and notice_ids  # the shipped catalog shows a notice when unknown
    origin_html, include = outage.origin_page(path)
    counted, asked = outage.fallbacks_counted(), outage.slot.asked
    pages = read_all(outage, [(path, address) for address in READERS.values()])
    if failure != "stopped":  # the edge did ask, and got no answer or a 500
        assert outage.slot.asked >= asked + len(READERS)
    for reader, page in zip(READERS, pages, strict=True):
        assert page.status == 200, reader
        # The article exactly as the origin wrote it, the include replaced by the block.
        assert page.html == origin_html.replace(include, block), reader
        assert page.notices == notice_ids
        assert page.headers["Cache-Control"] == "private, no-store"
        for text in ERROR_TEXTS:
            assert text not in page.html, (reader, text)
    assert outage.fallbacks_counted() - counted == Counter({lang: len(READERS)})


@pytest.mark.parametrize(("name", "kind"), [("forewarn.css", "text/css"),
                                            ("keep.js", "text/javascript"),
                                            ("guard.js", "text/javascript")])
def test_the_fallback_block_keeps_its_stylesheet_and_scripts_while_forewarn_cannot_answer(
    outage: Outage, failure: Mode, name: str, kind: str
) -> None:
    """The exported copies, from the edge: a deferred script that never came would also hold
    back the page's own DOMContentLoaded while Forewarn hangs."""
    page = read(outage.edge, f"/_forewarn/static/{name}")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith(kind)
    assert page.html == (outage.fallback_dir / name).read_text()
    assert page.html == (ROOT / "webapp" / "static" / name).read_text()


def test_a_reader_with_no_notice_gets_no_fallback_while_forewarn_answers(
    outage: Outage,
) -> None:
    outage.slot.set("up")
    counted = outage.fallbacks_counted()
    page = read(outage.edge, "/articles/nothing-applies", GERMANY)
    assert page.status == 200
    assert page.notices is None
    assert MARKER not in page.html and "<aside" not in page.html
    assert outage.fallbacks_counted() == counted


@pytest.mark.parametrize("mode", FAILURES)
def test_once_forewarn_is_back_readers_get_their_own_notice_and_no_fallback_is_cached(
    outage: Outage, mode: Mode
) -> None:
    path = f"/articles/recovery-{mode}"
    outage.slot.set(mode)
    during = read_all(outage, [(path, address) for address in READERS.values()])
    assert all(MARKER in page.html for page in during)
    outage.slot.set("up")
    expected = {"Russia": "ru-undesirable", "Crimea": "ru-undesirable", "Germany": None}
    for _ in range(3):  # the first request after the restart, and the ones after it
        for reader, address in READERS.items():
            page = read(outage.edge, path, address)
            assert page.status == 200
            assert page.notices == expected[reader], reader
            assert MARKER not in page.html, reader
    # The article was fetched once and kept (with its include, not a block); fragments are not
    # kept at all: nothing with a fallback in it is left in the cache.
    assert outage.edge.origin.counts[path] == 1
    cache = outage.edge.folder / "cache"
    if cache.exists():  # nginx's proxy_cache on disk
        for stored in (file for file in cache.rglob("*") if file.is_file()):
            assert MARKER.encode() not in stored.read_bytes(), stored
