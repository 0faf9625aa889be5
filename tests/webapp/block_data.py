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
    """Notices (id, severity, languages with lang, dir, title, the line shown under the title,
    paragraphs, more_url), the mirror line under them (via, links with kind, label, url) and the
    cautions, as the block in ``page`` shows them; ``{"notices": [], "mirrors": ..., "cautions":
    {}}`` when it has none. A notice's first language is its section, the others its
    translations behind "This notice in"; its paragraphs are those behind "Full notice" (the
    line shown above them is not one). ``charset`` is the Content-Type's, as a browser would
    take it."""
    document = html5lib.parse(page, transport_encoding=charset)
    asides = _all(document, "aside", "forewarn")
    if not asides:
        return {"notices": [], "mirrors": {"via": None, "links": []}, "cautions": {}}
    [aside] = asides
    notices = []
    for section in _all(aside, "section", "forewarn-notice"):
        severity = next(c.removeprefix("forewarn-") for c in _classes(section)
                        if c != "forewarn-notice")
        translations = _all(section, "div", "forewarn-translation")
        lead = _language(section, "h2", _all(section, "details", "forewarn-full"))
        notices.append({"id": section.get("data-notice-id") or "", "severity": severity,
                        "languages": [lead, *(_language(t, "h3", [t]) for t in translations)]})
    mirrors: dict[str, Any] = {"via": None, "links": []}
    for nav in _all(aside, "nav", "forewarn-mirrors"):
        via = [_text(span) for p in _all(nav, "p", "forewarn-via") for span in _all(p, "span")]
        mirrors = {"via": via[0] if via else None, "links": [
            {"kind": a.get("data-kind"), "label": _text(_all(a, "bdi")[0]), "url": a.get("href")}
            for a in _all(nav, "a", "forewarn-mirror")]}
    guard = aside.get("data-forewarn-guard")
    return {"notices": notices, "mirrors": mirrors,
            "cautions": json.loads(guard)["cautions"] if guard else {}}


def _language(text: Element, heading: str, bodies: list[Element]) -> dict[str, Any]:
    """One language of a notice: ``text`` holds its title, ``bodies`` its paragraphs and link."""
    more = [a.get("href") for body in bodies for p in _all(body, "p", "forewarn-more")
            for a in _all(p, "a")]
    # the line under the title: a child of the section or translation, not of one inside it
    shown = [_text(p) for p in text if p.tag == NS + "p" and "forewarn-summary" in _classes(p)]
    return {"lang": text.get("lang"), "dir": text.get("dir"),
            "title": _text(_all(text, heading, "forewarn-title")[0]),
            "shown": shown[0] if shown else None,
            "paragraphs": [_text(p) for body in bodies for p in _all(body, "p", "forewarn-body")],
            "more_url": more[0] if more else None}


def as_shown(answer: dict[str, Any]) -> dict[str, Any]:
    """A notices.json answer less what the block does not show (each language's own guard texts,
    the mirrors' home addresses, the version), its notices' mirror links as the block lists them:
    one line, in notice order, each address once; each language's summary as the line under its
    title, or, where the catalog gives none, its first paragraph in that place (docs/notice.md)."""
    links: dict[str, dict[str, Any]] = {}
    for notice in answer["notices"]:
        for link in notice["mirrors"]["links"]:
            links.setdefault(link["url"], {k: v for k, v in link.items() if k != "home"})
    via = next((n["mirrors"]["via"] for n in answer["notices"] if n["mirrors"]["via"]), None)
    return {
        "notices": [
            {"id": notice["id"], "severity": notice["severity"],
             "languages": [_shown(text) for text in notice["languages"]]}
            for notice in answer["notices"]
        ],
        "mirrors": {"via": via, "links": list(links.values())},
        "cautions": answer["cautions"],
    }


def _shown(text: dict[str, Any]) -> dict[str, Any]:
    """One language of a notices.json answer as the block lays it out."""
    paragraphs, summary = text["paragraphs"], text.get("summary")
    return {"lang": text["lang"], "dir": text["dir"], "title": text["title"],
            "shown": summary or paragraphs[0],
            "paragraphs": paragraphs if summary else paragraphs[1:],
            "more_url": text["more_url"]}
