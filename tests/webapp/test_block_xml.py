"""Every notice block is polyglot markup: well-formed XML, which an XML parser (expat, the one
Python ships) reads into the same elements, attributes and text as the HTML standard's parser
(html5lib) does. A page served as XHTML (``application/xhtml+xml``) is read by the browser's XML
parser, which shows an error instead of the page at the first markup that is not well-formed:
a reader would get neither the article nor the notice (tests/e2e/test_xhtml.py shows it in
Chromium)."""

from __future__ import annotations

from typing import Any
from xml.etree.ElementTree import Element, ParseError, fromstring

import html5lib
import pytest

from webapp.catalog.model import Catalog
from webapp.engine import Engine
from webapp.preview.places import chosen_countries, preview_places
from webapp.reader.links import PageURL, host_of

XHTML = "http://www.w3.org/1999/xhtml"


def _tree(element: Element) -> tuple[Any, ...]:
    """An element as comparable data: tag without namespace, attributes, text, children, tail."""
    return (element.tag.removeprefix(f"{{{XHTML}}}"), sorted(element.attrib.items()),
            element.text or "", [_tree(child) for child in element], element.tail or "")


def as_xml(block: bytes) -> list[tuple[Any, ...]]:
    """The block read by expat, inside an XHTML element (as it is inside an XHTML page's body)."""
    wrapper = fromstring(f'<div xmlns="{XHTML}">'.encode() + block + b"</div>")
    return [_tree(child) for child in wrapper]


def as_html(block: bytes) -> list[tuple[Any, ...]]:
    """The block read by html5lib as the content of a div, as a browser reads it in a page."""
    fragment = html5lib.parseFragment(block.decode("utf-8"), container="div")
    return [_tree(child) for child in fragment]


def _blocks(engine: Engine) -> list[tuple[str, bytes]]:
    """The block of every place of the preview, for pages in each of the catalog's languages
    and in none, on an article whose query must be escaped, and through one of its mirrors."""
    catalog: Catalog = engine.catalog
    languages = sorted({lang for notice in catalog.notices for lang in notice.text})
    mirror = next(host_of(link.url) for mirrors in catalog.mirrors.values()
                  for link in mirrors.links if link.kind == "mirror")
    pages = [PageURL("/articles/one", "a=1&b=<2>\"'"), PageURL("/articles/one", "", mirror)]
    blocks = []
    for place in preview_places(catalog, chosen_countries(catalog, None)):
        for lang in [None, *languages]:
            decision = engine.decide(place.location, lang)
            for page in pages:
                block = engine.block_bytes(decision, page)[0]
                if block:
                    blocks.append((f"{place.code} {lang} {page.host or 'site'}", block))
    return blocks


def test_every_block_is_well_formed_xml_and_reads_the_same_to_both_parsers(
    engine: Engine,
) -> None:
    blocks = _blocks(engine)
    assert len(blocks) > 50  # places with a notice x languages x two pages
    for name, block in blocks:
        try:
            xml = as_xml(block)
        except ParseError as error:
            pytest.fail(f"{name}: not well-formed XML: {error}")
        assert xml == as_html(block), name


def test_the_comparison_sees_markup_only_html_reads() -> None:
    """The controls: what the block was before (a value-less attribute, an unclosed void
    element) is no XML, and a void element closed the HTML way reads the same to both."""
    for html_only in (b'<input type="text" readonly value="x" />',
                      b'<link rel="stylesheet" href="/a.css">'):
        with pytest.raises(ParseError):
            as_xml(html_only)
    polyglot = b'<p>A &amp; B<br />C</p><input type="text" readonly="" value="x" />'
    assert as_xml(polyglot) == as_html(polyglot)
    assert as_xml(b"<p>one</p>") != as_html(b"<p>two</p>")
