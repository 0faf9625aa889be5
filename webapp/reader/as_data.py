"""The decision as data, for the publisher's apps (``GET /_forewarn/notices.json``): the notices,
their languages, titles, summaries, texts, mirror links and cautions exactly as the block shows
them, as JSON that follows the shipped schema (static/notices-json.schema.json). Rendered once per
notice set, languages, mirror view and day, like the block; per request only the deep-link path
is filled in."""

from __future__ import annotations

import json
import threading
from datetime import date
from typing import Any

from webapp.reader.guard import cautions
from webapp.reader.links import PATH_TOKEN, Offered, PageURL
from webapp.reader.render import CACHE_LIMIT, Renderer, Section
from webapp.reader.selection import Decision

VERSION = 1  # of the JSON format: a change that breaks a client gets a new one


class DataRenderer:
    """The JSON answers of one catalog version, made from its renderer's sections and links."""

    def __init__(self, renderer: Renderer) -> None:
        self._renderer = renderer
        self._cache: dict[object, str] = {}
        self._lock = threading.Lock()

    def json(self, decision: Decision, page: PageURL, day: date) -> bytes:
        """The answer for ``decision`` on ``page`` (its path goes into the deep links), UTF-8."""
        host = self._renderer.mirror_host(page)
        key = (decision.key, host, day)
        text = self._cache.get(key)
        if text is None:
            text = json.dumps(self.data(decision, host, day), ensure_ascii=False,
                              separators=(",", ":"))
            with self._lock:
                if len(self._cache) >= CACHE_LIMIT:
                    self._cache.clear()
                self._cache[key] = text
        # The path is percent-encoded (no quote, no backslash): safe inside a JSON string.
        return text.replace(PATH_TOKEN, page.quoted).encode()

    def data(self, decision: Decision, host: str | None, day: date) -> dict[str, Any]:
        """The answer as Python data; mirror hrefs hold PATH_TOKEN."""
        sections = self._renderer.sections(decision) if decision.shown else []
        offers = self._renderer.offers(decision, host, day)
        notices: dict[str, dict[str, Any]] = {}
        for section in sections:
            entry = notices.get(section.notice.id)
            if entry is None:
                entry = notices[section.notice.id] = {
                    "id": section.notice.id, "severity": section.notice.severity,
                    "languages": [], "mirrors": _mirrors(offers.get(section.notice.id))}
            entry["languages"].append(_language(section))
        found = cautions(section.guarded for section in sections)
        return {
            "version": VERSION,
            "notices": list(notices.values()),
            "cautions": {kind: [{"text": c.text, "lang": c.lang, "dir": c.dir} for c in items]
                         for kind, items in found.items()},
        }


def _language(section: Section) -> dict[str, Any]:
    """One language of a notice; ``summary`` (the catalog's one sentence, filled in) only when
    the catalog gives one in that language, as the schema says: the block then shows the first
    of ``paragraphs`` in its place."""
    summary = {"summary": section.summary} if section.summary else {}
    return {"lang": section.lang, "dir": section.dir, "title": section.title, **summary,
            "paragraphs": list(section.paragraphs), "more_url": section.more_url,
            "guard": dict(section.guard)}


def _mirrors(offer: Offered | None) -> dict[str, Any]:
    if offer is None:
        return {"via": None, "links": []}
    return {"via": offer.via,
            "links": [{"kind": link.kind, "label": link.label, "url": href, "home": link.url}
                      for link, href in offer.links]}
