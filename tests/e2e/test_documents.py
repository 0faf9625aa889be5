"""The placement in Chromium on documents made to be hard: a sample of the html5lib-tests
tree-construction documents (every one html5lib itself cannot judge, such as those with
<template>, and a seeded sample of the rest) and of generated pages, each served by the origin
and through `forewarn serve --upstream`, scripting on with no script run. Through Forewarn the
block is the first element in <body> and the rest of the document is the one Chromium builds
without Forewarn; a document without a place comes through byte for byte, with no block."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.corpus import (
    DOCUMENT,
    NOT_FIRST,
    SERIALIZED,
    first_difference,
    reader_context,
)
from tests.e2e.origin import StaticOrigin
from tests.support import LiveServer
from tests.webapp.page.oracle import cases, html5lib_cannot_judge, suite_dump
from tests.webapp.page.pieces import BODY_PIECES, HEAD_PIECES, page_text
from webapp.page.placement import find_placement

SEED = 20261201
_COMMENT = re.compile(r"<!--.*?-->\n?", re.S)


def sample() -> dict[str, bytes]:
    """Named documents: the suite's that html5lib cannot judge, 60 others, 80 generated."""
    chosen: dict[str, bytes] = {}
    others = []
    for case in cases():
        if case.fragment or case.scripting == "off":
            continue
        name = f"{case.file.removesuffix('.dat')}-{case.index}"
        data = (case.data + "<body>").encode("utf-8", "surrogatepass")
        if html5lib_cannot_judge(case.data) or suite_dump(case.data) != case.expected:
            chosen[name] = data
        else:
            others.append((name, data))
    rng = random.Random(SEED)
    chosen.update(rng.sample(others, 60))
    for index in range(80):
        head = [rng.choice(HEAD_PIECES) for _ in range(rng.randint(1, 16))]
        body = [rng.choice(BODY_PIECES[:4]) for _ in range(rng.randint(0, 3))]
        chosen[f"generated-{index}"] = page_text(head, body, rng.random() < 0.3).encode()
    return chosen


@dataclass(frozen=True)
class Seen:
    name: str
    kind: str  # "placed", or the reason there is no place
    problems: tuple[str, ...]


def _check(name: str, data: bytes, plain: Page, through: Page, served: bytes) -> Seen:
    placement = find_placement(data, complete=True)
    assert placement is not None
    not_first = str(through.evaluate(NOT_FIRST))  # before DOCUMENT takes the block out
    (plain_blocks, _), (blocks, _) = plain.evaluate(DOCUMENT), through.evaluate(DOCUMENT)
    plain_doc, doc = plain.evaluate(SERIALIZED), through.evaluate(SERIALIZED)
    problems = []
    if placement.offset is None:
        if served != data:
            problems.append("the bytes changed though the document has no place")
        if blocks:
            problems.append(f"{blocks} blocks in a document without a place")
        return Seen(name, placement.reason, tuple(problems))
    if blocks != 1:
        problems.append(f"{blocks} blocks in the document")
    if not_first:
        problems.append(not_first)
    if b"\x00" in data[:placement.offset + 1]:
        # The standard has a NUL before the body begin it, and html5lib agrees; Chromium drops
        # such NULs, so a comment after one lands in <body> with the block before it. Compared
        # without comments: everything else must be the same.
        doc, plain_doc = _COMMENT.sub("", doc), _COMMENT.sub("", plain_doc)
        name = f"{name} (NUL before the body)"
    if doc != plain_doc or plain_blocks:
        problems.append(first_difference(plain_doc, doc))
    return Seen(name, "placed", tuple(problems))


@pytest.fixture(scope="module")
def seen(browser: Browser, origin: StaticOrigin, forewarn_proxy: LiveServer) -> list[Seen]:
    documents = sample()
    origin.documents.update(documents)
    results = []
    with reader_context(browser, (origin.url, forewarn_proxy.url)) as context:
        plain, through = context.new_page(), context.new_page()
        for name, data in documents.items():
            plain.goto(f"{origin.url}/doc/{name}", wait_until="domcontentloaded")
            response = through.goto(f"{forewarn_proxy.url}/doc/{name}",
                                    wait_until="domcontentloaded")
            assert response is not None
            results.append(_check(name, data, plain, through, response.body()))
    return results


def test_chromium_puts_the_block_first_in_body_and_keeps_each_document(
    seen: list[Seen], output_path: str
) -> None:
    counts = Counter(result.kind for result in seen)
    counts["documents"] = len(seen)
    counts["failures"] = sum(bool(result.problems) for result in seen)
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chromium-counts.json").write_text(json.dumps(counts, indent=1))
    print("chromium documents:", dict(counts))
    failures = [f"{result.name}: {'; '.join(result.problems)}" for result in seen
                if result.problems]
    assert not failures, "\n".join(failures)


def test_the_corpus_comparison_sees_one_changed_character_and_the_block(
    browser: Browser, origin: StaticOrigin, forewarn_proxy: LiveServer
) -> None:
    """The control for the real pages' comparison (tests/e2e/corpus.py): documents are told
    apart by their digests, which differ for one changed character, are equal for the same
    document, and leave the block out of the document through Forewarn."""
    origin.documents.update({"control-a": b"<!doctype html><title>t</title><p>one</p>",
                             "control-b": b"<!doctype html><title>t</title><p>One</p>"})
    with reader_context(browser, (origin.url, forewarn_proxy.url)) as context:
        pages = {}
        for label, url in (("a", f"{origin.url}/doc/control-a"),
                           ("b", f"{origin.url}/doc/control-b"),
                           ("a-through", f"{forewarn_proxy.url}/doc/control-a")):
            pages[label] = context.new_page()
            pages[label].goto(url, wait_until="domcontentloaded")
        found = {label: page.evaluate(DOCUMENT) for label, page in pages.items()}
        assert found["a"][0] == found["b"][0] == 0 and found["a-through"][0] == 1
        assert found["a"][1] == found["a-through"][1] != found["b"][1]
        assert "the documents differ at character" in first_difference(
            pages["a"].evaluate(SERIALIZED), pages["b"].evaluate(SERIALIZED))
