"""Counters for /_forewarn/metrics in the Prometheus text format: what was served and skipped,
never who or where (no address, country or path is a label)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


class Metrics:
    """One set of counters per engine, in its own registry (so tests can build many engines).

    Under gunicorn with several workers, ``forewarn serve`` points prometheus-client's
    multiprocess mode at a private folder, and a scrape adds up every worker's counts.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._multiprocess_dir = (environ or {}).get(MULTIPROCESS_ENV)
        self.registry = CollectorRegistry(auto_describe=True)
        self.notices = Counter("forewarn_notices_served", "Notice blocks added, by notice id.",
                               ["notice"], registry=self.registry)
        self.pages = Counter("forewarn_pages", "HTML pages that passed, by outcome.",
                             ["outcome"], registry=self.registry)
        self.lookups = Counter("forewarn_lookups", "Reader look-ups, by whether a place was found.",
                               ["result"], registry=self.registry)
        self.skipped = Counter("forewarn_splice_skipped", "Responses passed without a look at "
                               "them, by reason.", ["reason"], registry=self.registry)
        self.variant_mismatches = Counter(
            "forewarn_edge_variant_mismatches", "Pages an edge meant to keep under a variant key "
            "that was not the reader's (so kept by none), by why: place (a map older or newer "
            "than the catalog: export it again) or language.", ["reason"],
            registry=self.registry)
        self.cautions = Counter(
            "forewarn_cautions_served", "Blocks served whose notice has a caution for this kind "
            "of control (share, comment, contact): the caution script loads with them. Whether "
            "the page has such a control and what the reader chose are not counted: the script "
            "sends nothing.", ["kind"], registry=self.registry)
        self.json_answers = Counter("forewarn_notices_json", "Answers of notices.json to apps, "
                                    "by outcome.", ["outcome"], registry=self.registry)
        self.reload_failures = Counter("forewarn_reload_failures", "Files that failed to load "
                                       "on reload, by kind.", ["kind"], registry=self.registry)
        self.headers_dropped = Counter("forewarn_headers_dropped", "Response headers left out "
                                       "because their value could not be sent, by header.",
                                       ["header"], registry=self.registry)

        # Children looked up once each, when first counted: labels() takes a lock and walks a
        # dictionary per call. Keys are labels of our own (catalog notice ids), never a reader's.
        self._children: dict[tuple[Counter, str], Any] = {}

    def served(self, notice_ids: tuple[str, ...]) -> None:
        self._count(self.pages, "notice" if notice_ids else "none")
        for notice_id in notice_ids:
            self._count(self.notices, notice_id)

    def variant_mismatch(self, reason: str) -> None:
        self._count(self.variant_mismatches, reason)

    def dropped_header(self, header: str) -> None:
        self._count(self.headers_dropped, header)

    def cautions_served(self, kinds: tuple[str, ...]) -> None:
        for kind in kinds:
            self._count(self.cautions, kind)

    def answered_json(self, notice_ids: tuple[str, ...]) -> None:
        self._count(self.json_answers, "notice" if notice_ids else "none")

    def looked_up(self, known: bool) -> None:
        self._count(self.lookups, "located" if known else "unknown")

    def _count(self, counter: Counter, label: str) -> None:
        child = self._children.get((counter, label))
        if child is None:
            child = self._children[(counter, label)] = counter.labels(label)
        child.inc()

    def render(self) -> bytes:
        if self._multiprocess_dir and os.path.isdir(self._multiprocess_dir):
            registry = CollectorRegistry()
            MultiProcessCollector(registry, path=self._multiprocess_dir)
            return generate_latest(registry)
        return generate_latest(self.registry)
