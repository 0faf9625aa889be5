"""The placement judged by html5lib (tests/webapp/page/oracle.py) on two populations: every
document of the html5lib-tests tree-construction suite with ``<body>`` appended, and generated
pages built from the token kinds that matter before the body, served through the middleware in
any chunking. Counts per population go to the terminal summary and to
test-results/oracle-counts.json."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from tests.webapp.page.oracle import (
    DAT,
    cases,
    html5lib_cannot_judge,
    judge,
    judge_output,
    judge_unplaced,
    place,
    suite_dump,
)
from tests.webapp.page.pieces import pages
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware

COUNTS: dict[str, Counter[str]] = {"html5lib-tests": Counter(), "generated": Counter()}
BLOCK = ('<aside class="forewarn" data-forewarn="ru-undesirable"><section class="forewarn-notice"'
         ' lang="ru"><h2>Внимание</h2><p>Текст &amp; ссылки</p></section></aside>')


def _excluded(case: Any) -> str:
    """Why a test of the suite is left out ("" when it is in)."""
    if case.fragment:
        return "fragment case (parsed in a context element, not a document)"
    if case.scripting == "off":
        return "scripting off only (Forewarn places for scripting on)"
    if suite_dump(case.data) != case.expected:
        return "html5lib 1.1 fails this test itself (" + (
            html5lib_cannot_judge(case.data) or "its parse differs from the expected tree") + ")"
    return ""


@pytest.mark.parametrize("dat", sorted(path.name for path in DAT.glob("*.dat")))
def test_each_html5lib_test_document_gets_the_block_where_its_body_begins(dat: str) -> None:
    counts, failures = COUNTS["html5lib-tests"], []
    for case in (case for case in cases() if case.file == dat):
        reason = _excluded(case)
        if reason:
            counts[f"excluded: {reason}"] += 1
            continue
        page = case.data + "<body>"
        placement = place(page)
        counts["documents"] += 1
        counts[{"frameset": "frameset", "no-body": "no place (ends inside markup)"}.get(
            placement.reason, "notices placed")] += 1
        wrong = judge_unplaced(page, placement.reason, BLOCK) if placement.offset is None \
            else judge(page, placement, BLOCK)
        if wrong:
            counts["failures"] += 1
            failures.append(f"{case.file} #{case.index} {case.data!r}: {wrong}")
    assert not failures, "\n".join(failures)


def _serve(engine: Engine, page: bytes, cuts: list[int]) -> Any:
    points = sorted({min(c, len(page)) for c in cuts})
    chunks = [page[a:b] for a, b in itertools.pairwise([0, *points, len(page)])]

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return chunks

    return Client(NoticeMiddleware(app, engine=engine)).get(
        "/a", headers={"X-Forwarded-For": "192.0.2.10"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pages, st.lists(st.integers(0, 600), max_size=8))
def test_generated_pages_in_any_chunking_get_the_block_where_html5lib_begins_the_body(
    engine: Engine, text: str, cuts: list[int]
) -> None:
    counts = COUNTS["generated"]
    counts["documents"] += 1
    page = text.encode("utf-8")
    response = _serve(engine, page, cuts)
    output = response.get_data().decode("utf-8")
    placement = place(text)
    placed = response.headers["X-Forewarn-Notices"] != "none"
    assert placed == (placement.offset is not None)
    if not placed:
        assert output == text
        counts[placement.reason] += 1
    else:
        counts["notices placed"] += 1
    cannot = html5lib_cannot_judge(text)
    if cannot or "forewarn" in text:
        counts[f"excluded from html5lib: {cannot or 'a marker (the block is not first)'}"] += 1
        return
    block = output[placement.offset:len(output) - (len(text) - placement.offset)] if placed \
        else BLOCK
    wrong = judge_output(text, output, block) if placed else \
        judge_unplaced(text, placement.reason, BLOCK)
    if wrong:
        counts["failures"] += 1
    assert wrong == "", text
