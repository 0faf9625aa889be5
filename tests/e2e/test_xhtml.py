"""A page served as XHTML (``application/xhtml+xml``) is read by the browser's XML parser, which
shows an error instead of the page at the first markup that is not well-formed XML. Through
Forewarn it must still show the whole page, with the notice first: the block is written so
that both parsers read it the same (templates/notices/block.html)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.conftest import ReaderFactory
from tests.support import LiveServer

# Each block has a mirror line with an onion address field and loads guard.js; Belarus's two
# notices come with their other languages, Iran's in Persian, right to left.
PLACES = [("russia", "192.0.2.10", "ru-undesirable"),
          ("belarus", "203.0.113.129", "by-extremist"),
          ("iran", "198.51.100.129", "ir-hostile-media")]


@pytest.mark.parametrize(("place", "address", "notice"), PLACES)
def test_an_xhtml_page_shows_the_notice_and_the_whole_page(
    reader: ReaderFactory, forewarn_proxy: LiveServer, screenshot: Callable[..., Path],
    place: str, address: str, notice: str,
) -> None:
    page = reader(address, servers=(forewarn_proxy.url,)).page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    response = page.goto(f"{forewarn_proxy.url}/pages/article.xhtml")
    assert response is not None
    assert response.headers["content-type"].startswith("application/xhtml+xml")
    assert notice in response.headers["x-forewarn-notices"]
    assert page.evaluate("document.contentType") == "application/xhtml+xml"
    # Chromium's XML parser puts a <parsererror> into the page where it stopped.
    assert page.locator("parsererror").count() == 0, page.locator("parsererror").inner_text()
    block = page.locator("aside.forewarn")
    block.wait_for(state="visible")
    assert page.evaluate("document.body.firstElementChild.matches('aside.forewarn')")
    assert page.locator(f'section.forewarn-notice[data-notice-id="{notice}"]').is_visible()
    assert page.locator("p.last").inner_text() == "The last paragraph of the article."
    page.wait_for_load_state("networkidle")
    screenshot(page, f"xhtml-{place}.png")
    assert errors == []


# A page in windows-1251 that says so only in its XML declaration (no charset in Content-Type,
# no <meta>): Forewarn cannot know the charset, so the block is written in ASCII with every
# other character as &#NNN;, which any ASCII-compatible charset reads the same.
# The title shown (the page's language when the notice has it, else the reader's), and one
# behind "This notice in" (the language of the reader's jurisdiction).
TITLES = {"russia": ("Example Radio признано в России «нежелательной организацией»",
                     "Example Radio is an “undesirable organization” in Russia"),
          "iran": ("Iran calls foreign Persian-language media “hostile”: take care",
                   "ایران رسانه‌های فارسی‌زبان خارجی را «متخاصم» می‌خواند: مراقب باشید")}


@pytest.mark.parametrize(("place", "address", "notice"),
                         [entry for entry in PLACES if entry[0] in TITLES])
def test_a_page_whose_charset_only_its_xml_declaration_names_reads_the_notice_right(
    reader: ReaderFactory, forewarn_proxy: LiveServer, screenshot: Callable[..., Path],
    place: str, address: str, notice: str,
) -> None:
    page = reader(address, servers=(forewarn_proxy.url,)).page
    response = page.goto(f"{forewarn_proxy.url}/pages/article-1251.xhtml")
    assert response is not None
    assert response.headers["content-type"] == "application/xhtml+xml"
    assert notice in response.headers["x-forewarn-notices"]
    assert page.evaluate("document.characterSet") == "windows-1251"
    assert page.locator("parsererror").count() == 0, page.locator("parsererror").inner_text()
    assert page.evaluate("document.body.firstElementChild.matches('aside.forewarn')")
    section = page.locator(f'section.forewarn-notice[data-notice-id="{notice}"]')
    shown, other = TITLES[place]
    assert section.locator("h2").first.inner_text() == shown
    assert other in (page.locator("aside.forewarn").text_content() or "")
    assert page.locator("h1").inner_text() == "Паромы в гавани ходят всю зиму"
    assert page.locator("p.last").inner_text() == "Последний абзац статьи."
    screenshot(page, f"xhtml-1251-{place}.png")
