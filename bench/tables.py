"""The results as Markdown: the machine, the setups side by side, the targets, the
micro-benchmarks and memory. The same text goes to bench/results/results.md and into
docs/performance.md (bench/readme.py)."""

from __future__ import annotations

from typing import Any

CHART = "bench/results/chart.png"
MET = {True: "yes", False: "**no**", None: "-"}  # None: a figure to report, or too noisy to judge


def markdown(results: dict[str, Any]) -> str:
    parts = [machine_line(results), "", setups_table(results), "", f"![requests/s and p99 "
             f"latency per setup]({CHART})", "", targets_table(results)]
    if results["micro"]:
        parts += ["", micro_table(results)]
    if results["memory"]:
        parts += ["", memory_table(results)]
    if results.get("cache"):
        parts += ["", cache_table(results)]
    return "\n".join(parts) + "\n"


def machine_line(results: dict[str, Any]) -> str:
    m, o = results["machine"], results["options"]
    load = ", ".join(f"{value:.1f}" for value in m["load_before"])
    return (f"Run of {m['date'][:10]} on {m['nproc']} cores ({m['cpu']}), load average "
            f"{load} at the start; Python {m['python']}, gunicorn {m['gunicorn']}, Flask "
            f"{m['flask']}, maxminddb {m['maxminddb']}, nginx {m['nginx']}, Varnish "
            f"{m['varnish']}, wrk {m['wrk']}. wrk: {o['connections']} connections, "
            f"{o['threads']} threads, {o['seconds']:g} s per setup in {o['rounds']} rounds "
            f"(figures are medians of the rounds); latency at one connection measured apart.")


def setups_table(results: dict[str, Any]) -> str:
    setups = results["setups"]
    peer = next((s["rps"] for s in setups if s["name"] == "peer" and s["rps"]), None)
    rows = ["| setup | what | requests/s | / peer | p50 / p99 ms (loaded) | p99 ms (1 conn.) "
            "| workers' CPU µs / request | worker RSS peak MiB | sampled answers wrong |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in setups:
        ratio = f"{s['rps'] / peer:.2f}" if peer and s["rps"] else "-"
        rss = f"{s['peak_rss_mib']:.0f}" if s["peak_rss_mib"] else "-"
        cpu = "-" if s.get("cpu_us") is None else \
            f"{s['cpu_us']:.0f}" if s["cpu_us"] >= 10 else f"{s['cpu_us']:.1f}"
        checked = f"{s['wrong']} of {s['samples']}" if s["check"] != "status" else \
            f"{s['wrong']} of {s['samples']} (status)"
        rows.append(f"| `{s['name']}` | {s['title']} | {s['rps']:,.0f} | {ratio} | "
                    f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f} | {s['single_p99_ms']:.2f} | "
                    f"{cpu} | {rss} | {checked} |")
    return "\n".join(rows)


def targets_table(results: dict[str, Any]) -> str:
    rows = ["| target | goal | measured | met |", "|---|---|---:|---|"]
    for t in results["targets"]:
        value = f"{t['value']:,.0f}" if abs(t["value"]) >= 100 else f"{t['value']:.3g}"
        rows.append(f"| {t['target']} | {t['goal']} | {value} | {MET[t['met']]} |")
    return "\n".join(rows)


def micro_table(results: dict[str, Any]) -> str:
    rows = ["| micro-benchmark | median µs | min µs |", "|---|---:|---:|"]
    for m in results["micro"]:
        rows.append(f"| `{m['name']}` | {m['median_us']:.2f} | {m['min_us']:.2f} |")
    return "\n".join(rows)


def memory_table(results: dict[str, Any]) -> str:
    rows = ["| memory run | requests | worker RSS after warm-up, MiB | after the run, MiB | "
            "growth | peak, MiB |", "|---|---:|---|---|---:|---:|"]
    for run in results["memory"]:
        rows.append(f"| `{run['setup']}` | {run['requests']:,} | "
                    f"{', '.join(f'{v:.1f}' for v in run['warm_rss_mib'])} | "
                    f"{', '.join(f'{v:.1f}' for v in run['final_rss_mib'])} | "
                    f"{run['growth']:+.1%} | {run['peak_rss_mib']} |")
    return "\n".join(rows)


def cache_table(results: dict[str, Any]) -> str:
    o = results["options"]
    rows = [f"Cache workload (bench/cache.py): 10,000 article URLs drawn Zipf (s = 1), readers "
            "from 50 countries and Crimea (a third in Russia, Belarus, Crimea and Iran), 16 KB "
            f"pages; each cache warmed with {o.get('cache_warm', 0):,} requests, then "
            f"{o.get('cache_requests', 0):,} counted.", "",
            "| cache keyed on | hit ratio, warm-up | hit ratio | requests/s | p50 / p99 ms | "
            "sampled answers wrong |", "|---|---:|---:|---:|---:|---:|"]
    for c in results["cache"]:
        checked = f"{c['wrong']} of {c['samples']}" + (" (status)" if c["check"] == "status"
                                                        else "")
        rows.append(f"| `{c['name']}`: {c['title']} | {c['warm_hit_ratio']:.1%} | "
                    f"{c['hit_ratio']:.1%} | {c['rps']:,.0f} | {c['p50_ms']:.2f} / "
                    f"{c['p99_ms']:.2f} | {checked} |")
    return "\n".join(rows)
