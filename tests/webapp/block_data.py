"""The notice block read back as data with html5lib (the HTML standard's parser, not Forewarn's
code), in the shape of notices.json, so that the JSON an app gets can be compared with what the
block shows the same reader."""

from __future__ import annotations

import json
from typing import Any
from xml.etree.ElementTree import Element

import html5lib

NS = "{http://www.w3.org/1999/xhtml}"


def _classes(element: Element) -> set[str]:
    return set((element.get("class") or "").split())


def _all(element: Element, tag: str, cls: str | None = None) -> list[Element]:
    return [e for e in element.iter(NS + tag) if cls is None or cls in _classes(e)]


def _text(element: Element) -> str:
    return "".join(element.itertext())


def block_data(page: bytes, charset: str = "utf-8") -> dict[str, Any]:
    """Notices (id, severity, languages with lang, dir, title, paragraphs, more_url; mirror via
    and links with kind, label, url) and the cautions, as the block in ``page`` shows them;
    ``{"notices": [], "cautions": {}}`` when it has none. ``charset`` is the Content-Type's, as
    a browser would take it."""
    document = html5lib.parse(page, transport_encoding=charset)
    asides = _all(document, "aside", "forewarn")
    if not asides:
        return {"notices": [], "cautions": {}}
    [aside] = asides
    notices: dict[str, dict[str, Any]] = {}
    for section in _all(aside, "section", "forewarn-notice"):
        notice_id = section.get("data-notice-id") or ""
        severity = next(c.removeprefix("forewarn-") for c in _classes(section)
                        if c != "forewarn-notice")
        entry = notices.setdefault(notice_id, {"id": notice_id, "severity": severity,
                                               "languages": [],
                                               "mirrors": {"via": None, "links": []}})
        more = [a.get("href") for p in _all(section, "p", "forewarn-more") for a in _all(p, "a")]
        entry["languages"].append({
            "lang": section.get("lang"), "dir": section.get("dir"),
            "title": _text(_all(section, "h2", "forewarn-title")[0]),
            "paragraphs": [_text(p) for p in _all(section, "p", "forewarn-body")],
            "more_url": more[0] if more else None,
        })
        for nav in _all(section, "nav", "forewarn-mirrors"):
            via = [_text(span) for p in _all(nav, "p", "forewarn-via") for span in _all(p, "span")]
            entry["mirrors"] = {"via": via[0] if via else None, "links": [
                {"kind": a.get("data-kind"), "label": _text(_all(a, "bdi")[0]),
                 "url": a.get("href")} for a in _all(nav, "a", "forewarn-mirror")]}
    guard = aside.get("data-forewarn-guard")
    return {"notices": list(notices.values()),
            "cautions": json.loads(guard)["cautions"] if guard else {}}


def as_shown(answer: dict[str, Any]) -> dict[str, Any]:
    """A notices.json answer less what the block does not show (each language's own guard texts,
    the mirrors' home addresses, the version)."""
    return {
        "notices": [
            {**notice,
             "languages": [{k: v for k, v in text.items() if k not in ("guard", "summary")}
                           for text in notice["languages"]],
             "mirrors": {"via": notice["mirrors"]["via"],
                         "links": [{k: v for k, v in link.items() if k != "home"}
                                   for link in notice["mirrors"]["links"]]}}
            for notice in answer["notices"]
        ],
        "cautions": answer["cautions"],
    }
