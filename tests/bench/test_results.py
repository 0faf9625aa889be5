"""How `make bench` turns rounds into figures and targets, writes Markdown, and puts it into the
performance document (docs/performance.md) between the markers."""

from __future__ import annotations

import os
import time
from typing import Any

import pytest

from bench import report
from bench.readme import BEGIN, END, rewrite
from bench.run import cpu_per_request
from bench.sampling import block_ids, problem
from bench.servers import cpu_seconds
from bench.tables import markdown
from tests.support import ROOT


def _record(name: str, rps: list[float], p99: list[float], wrong: int = 0,
            cpu: list[float | None] | None = None) -> dict[str, Any]:
    rounds = [{"rps": r, "p50_ms": 1.0, "p99_ms": 2.0, "single_p50_ms": p / 2,
               "single_p99_ms": p, "requests": 100, "errors": 0, "cpu_us": c}
              for r, p, c in zip(rps, p99, cpu or [None] * len(rps), strict=True)]
    return {"name": name, "title": f"the {name} setup", "readers": 1, "check": "header",
            "rounds": rounds, "samples": 10, "wrong": wrong, "examples": [],
            "peak_rss_mib": 50.0}


def _results(**extra: Any) -> dict[str, Any]:
    runs = [_record("bare", [1000, 2000, 1500], [1.0, 1.2, 1.1], cpu=[200.0, 210.0, 190.0]),
            _record("middleware-ru", [990, 1900, 1470], [1.1, 1.25, 1.5],
                    cpu=[250.0, None, 380.0]),
            _record("peer", [4000, 4000, 4000], [0.5, 0.5, 0.5]),
            _record("edge-cache", [2100, 1900, 3000], [0.6, 0.6, 0.6], **extra)]
    about = {"date": "2026-11-25T10:00:00+00:00", "cpu": "Test CPU", "nproc": 2,
             "load_before": (0.1, 0.2, 0.3), "python": "3.11", "gunicorn": "27", "flask": "3",
             "maxminddb": "3.2", "nginx": "1.22", "varnish": "7.1", "wrk": "4.1"}
    options = {"seconds": 10, "rounds": 3, "connections": 32, "threads": 2}
    micro = [{"name": "test_raw_get[demo-ru]", "group": "location", "median_us": 1.0,
              "min_us": 0.9, "database": "demo-ru"},
             {"name": "test_location_step[demo-ru]", "group": "location", "median_us": 1.5,
              "min_us": 1.4, "database": "demo-ru"},
             {"name": "test_splice_by_size[100KB]", "group": "splice-size", "median_us": 20.0,
              "min_us": 19.0}]
    return report.build(about, options, runs, [], micro)


def _target(results: dict[str, Any], start: str) -> dict[str, Any]:
    return next(t for t in results["targets"] if t["target"].startswith(start))


def test_ratios_are_taken_round_by_round_then_the_median() -> None:
    results = _results()
    middleware = _target(results, "middleware requests/s")
    assert middleware["value"] == pytest.approx(0.98)  # rounds 0.99, 0.95, 0.98
    assert middleware["met"] is True
    latency = _target(results, "middleware p99 added")
    assert latency["value"] == pytest.approx(0.1)  # +0.1, +0.05, +0.4
    edge = _target(results, "per-jurisdiction edge cache")
    assert edge["value"] == pytest.approx(0.525) and edge["met"] is True
    assert _target(results, "location step")["value"] == pytest.approx(1.5)
    assert _target(results, "location step")["met"] is False
    assert _target(results, "splice of a 100 KB page")["met"] is True


def test_the_workers_cpu_per_request_gives_the_same_ratios_without_wrk() -> None:
    results = _results()
    setups = {setup["name"]: setup for setup in results["setups"]}
    assert setups["middleware-ru"]["cpu_us"] == pytest.approx(315.0)  # a round without: left out
    assert setups["peer"]["cpu_us"] is None  # nginx: no Python workers
    ratio = _target(results, "bare's workers' CPU per request / middleware-ru's")
    assert ratio["value"] == pytest.approx((200 / 250 + 190 / 380) / 2)  # rounds 1 and 3 only
    assert ratio["met"] is None  # reported, not judged
    assert not [t for t in results["targets"] if "/ edge-cache's" in t["target"]]
    text = markdown(results)
    assert "| 1.25 | 315 | 50 | 0 of 10 |" in text  # p99 at one connection, CPU, RSS, checked
    assert "| 0.50 | - | 50 | 0 of 10 |" in text  # the peer: no CPU of its own to show
    results["setups"][3]["cpu_us"] = 0.1  # an edge cache's: nearly every answer from its copies
    assert "| 0.60 | 0.1 | 50 | 0 of 10 |" in markdown(results)


def test_the_cpu_per_request_is_read_from_the_workers_own_counters() -> None:
    before = cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:  # this process's CPU, 0.2 s of it
        pass
    after = cpu_seconds(os.getpid())
    assert 0.15 <= after - before <= 1.0  # the kernel counts in ticks of 10 ms
    assert cpu_seconds(2**22 + 1) == 0.0  # no such process (above the kernel's pid limit)
    assert cpu_per_request({1: 2.0, 2: 3.0}, {1: 2.5, 2: 3.5}, 1000) == pytest.approx(1000.0)
    assert cpu_per_request({1: 2.0}, {3: 0.5}, 1000) is None  # a worker replaced: no figure
    assert cpu_per_request({}, {}, 1000) is None
    assert cpu_per_request({1: 2.0}, {1: 2.5}, 0) is None


def test_a_wrong_sampled_answer_fails_the_run_and_the_edge_cache_target() -> None:
    results = _results(wrong=1)
    assert _target(results, "per-jurisdiction edge cache")["met"] is False
    assert report.failures(results) == [
        "edge-cache: 1 of 10 sampled answers wrong, e.g. []"]


def test_the_markdown_has_every_setup_the_targets_and_the_chart() -> None:
    text = markdown(_results())
    assert "| `middleware-ru` | the middleware-ru setup | 1,470 | 0.37 |" in text
    assert "| middleware requests/s, notice added, / bare | >= 0.93 | 0.98 | yes |" in text
    assert "| location step / raw maxminddb get() (demo-ru) | <= 1.3 | 1.5 | **no** |" in text
    assert "![requests/s and p99 latency per setup](bench/results/chart.png)" in text
    assert "2 cores (Test CPU)" in text


def test_the_readme_section_is_replaced_between_the_markers_only() -> None:
    readme = f"# Title\n\nBefore.\n\n{BEGIN}\nold table\n{END}\n\nAfter.\n"
    assert rewrite(readme, "| new |\n") == f"# Title\n\nBefore.\n\n{BEGIN}\n| new |\n{END}\n\n" \
        "After.\n"
    with pytest.raises(ValueError, match="markers"):
        rewrite("# no markers\n", "| new |")


def test_the_chart_link_leads_from_docs_to_the_results() -> None:
    # results.md links the chart from the repository's root; docs/performance.md is one down.
    readme = f"{BEGIN}\n{END}\n"
    text = rewrite(readme, markdown(_results()))
    assert "](../bench/results/chart.png)" in text and "](bench/" not in text


def test_the_performance_document_has_the_markers_make_bench_writes_between() -> None:
    text = (ROOT / "docs" / "performance.md").read_text()
    assert text.count(BEGIN) == 1 and text.count(END) == 1
    assert text.index(BEGIN) < text.index(END)


@pytest.mark.parametrize(("check", "expected", "status", "header", "body", "found"), [
    ("header", "ru-undesirable", 200, "ru-undesirable", b"", None),
    ("header", "none", 200, "ru-undesirable", b"", "X-Forewarn-Notices 'ru-undesirable', "
     "expected 'none'"),
    ("block", "ru-undesirable", 200, None,
     b'<body><aside class="forewarn" data-forewarn="ru-undesirable">', None),
    ("block", "none", 200, None, b"<body><p>", None),
    ("block", "none", 200, None, b'<aside class="forewarn" data-forewarn="x">',
     "block 'x', expected 'none'"),
    ("block", "a", 200, None, b'<aside class="forewarn" data-forewarn="a">' * 2,
     "2 notice blocks"),
    ("header+block", "a, b", 200, "a, b", b'<aside class="forewarn" data-forewarn="a b">', None),
    ("status", "none", 200, None, b"", "status 200, 0 bytes"),
    ("header", "none", 502, "none", b"", "status 502, 0 bytes"),
])
def test_a_sampled_answer_is_checked_for_exactly_its_readers_notices(
    check: Any, expected: str, status: int, header: str | None, body: bytes,
    found: str | None,
) -> None:
    assert problem(check, expected, status, header, body) == found


def test_block_ids_reads_every_block() -> None:
    assert block_ids(b'<aside class="forewarn" data-forewarn="a b"><aside class="forewarn" '
                     b'data-forewarn="c">') == ["a b", "c"]


def _cache(name: str, hit_ratio: float, rps: float, wrong: int = 0) -> dict[str, Any]:
    return {"name": f"cache-{name}", "title": f"keyed on {name}", "check": "header+block",
            "warm_requests": 200, "warm_hit_ratio": hit_ratio - 0.1, "requests": 100,
            "hit_ratio": hit_ratio, "rps": rps, "p50_ms": 1.0, "p99_ms": 2.0, "errors": 0,
            "samples": 10, "wrong": wrong, "examples": []}


def test_the_cache_workload_is_judged_by_points_of_hit_ratio_below_no_key() -> None:
    about = _results()["machine"]
    cache = [_cache("place", 0.77, 2000), _cache("variant", 0.95, 8000), _cache("none", 0.99, 9000)]
    results = report.build(about, {"seconds": 10, "rounds": 3, "connections": 32, "threads": 2,
                                   "cache_warm": 200, "cache_requests": 100}, [], [], [], cache)
    points = _target(results, "cache workload: variant key's hit ratio")
    assert points["value"] == pytest.approx(4.0) and points["met"] is True
    assert _target(results, "cache workload: requests/s")["value"] == pytest.approx(4.0)
    text = markdown(results)
    assert "| `cache-variant`: keyed on variant | 85.0% | 95.0% | 8,000 | 1.00 / 2.00 | 0 of 10 |" \
        in text
    cache[1] = _cache("variant", 0.93, 8000, wrong=1)
    failed = report.build(about, results["options"], [], [], [], cache)
    assert _target(failed, "cache workload: variant key's hit ratio")["met"] is False
    assert report.failures(failed) == ["cache-variant: 1 of 10 sampled answers wrong, e.g. []"]


def test_the_middleware_is_measured_against_the_naive_floor() -> None:
    micro = [{"name": f"test_page_in_process[{name}]", "group": "page", "median_us": us,
              "min_us": us} for name, us in (("bare", 30.0), ("middleware-ru", 50.0),
                                             ("naive-ru", 40.0), ("middleware-de", 42.0),
                                             ("naive-de", 33.0))]
    results = report.build(_results()["machine"], {"seconds": 10, "rounds": 3,
                                                   "connections": 32, "threads": 2}, [], [], micro)
    ru = _target(results, "middleware's added CPU per page / the naive floor's, with a notice")
    assert ru["value"] == pytest.approx(2.0) and ru["met"] is True  # 20 µs against 10
    de = _target(results, "middleware's added CPU per page / the naive floor's, without one")
    assert de["value"] == pytest.approx(4.0) and de["met"] is False  # 12 µs against 3


def test_a_floor_met_by_a_disturbed_median_alone_is_not_met() -> None:
    """As in a run of this stop: the floor's median page was disturbed (71 µs, least 46), and
    its median made the floor 30 µs, the middleware 1.6 times it."""
    micro = [{"name": f"test_page_in_process[{name}]", "group": "page", "median_us": median,
              "min_us": least}
             for name, median, least in (("bare", 41.1, 38.3), ("middleware-de", 90.1, 87.2),
                                         ("naive-de", 71.1, 45.8))]
    results = report.build(_results()["machine"], {"seconds": 10, "rounds": 3,
                                                   "connections": 32, "threads": 2}, [], [], micro)
    de = _target(results, "middleware's added CPU per page / the naive floor's, without one")
    assert de["value"] == pytest.approx(49.0 / 30.0, abs=0.001)  # rounded as reported
    assert "by minimums 6.5" in de["target"] and de["met"] is False
