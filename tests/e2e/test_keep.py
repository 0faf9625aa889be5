"""The block's own script (webapp/static/keep.js) puts the notice back where the body begins
when the page's script throws it away: a body written again by the page's script, before the
page has loaded and after. A script that removes the block every time wins after a few tries:
the page is never caught in a fight. (React 18's rebuild of the whole document: see
test_hydration.py.)"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import ReaderFactory
from tests.support import LiveServer

RUSSIA = "192.0.2.10"
NOTICE = 'aside.forewarn section.forewarn-notice[data-notice-id="ru-undesirable"]'
FIRST = "document.body.firstElementChild.matches('aside.forewarn[data-forewarn]')"


def test_a_body_written_again_by_the_pages_script_gets_the_notice_back(
    reader: ReaderFactory, forewarn_proxy: LiveServer
) -> None:
    """Its body written again before load, then a whole new <html> after (as React 18 does):
    the notice is back first in the new body, and the share link the new body brings gets its
    caution."""
    page = reader(RUSSIA, servers=(forewarn_proxy.url,)).page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{forewarn_proxy.url}/pages/replaces-body.html")
    page.wait_for_function("window.__rendered === true")
    expect(page.locator("p.rendered")).to_have_text("Rendered again after load.")
    assert page.locator("aside.forewarn").count() == 1
    assert page.evaluate(FIRST)
    expect(page.locator(NOTICE)).to_be_visible()
    share = page.locator("a.share")
    expect(share).to_have_attribute("aria-describedby", re.compile(r"\S"))
    caution = page.locator(f"#{share.get_attribute('aria-describedby')}")
    expect(caution).to_contain_text("Sharing, reposting or liking this page from Russia")
    assert errors == []


def test_a_share_asked_about_before_the_page_built_itself_anew_is_asked_about_after(
    reader: ReaderFactory, forewarn_proxy: LiveServer
) -> None:
    """After the page built its document anew once more, the new share link gets its caution
    (guard.js watches the document, not the body it was loaded in: before, only the block's
    move by keep.js happened to wake it), and the caution's dialog, made at the first share and
    thrown away with the old document, is put in the new body when asked again (before, showing
    it failed, and the share went through without asking)."""
    page = reader(RUSSIA, servers=(forewarn_proxy.url,)).page
    page.goto(f"{forewarn_proxy.url}/pages/replaces-body.html")
    page.wait_for_function("window.__rendered === true")
    dialog = page.get_by_role("dialog")
    page.locator("a.share").click()
    expect(dialog).to_contain_text("Share anyway?")
    page.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.evaluate("window.rebuild('Built once more.')")
    expect(page.locator("p.rendered")).to_have_text("Built once more.")
    # the new share link has its caution (guard.js watches the document, not the first body)
    expect(page.locator("a.share")).to_have_attribute("aria-describedby", re.compile(r"\S"))
    page.locator("a.share").click()
    expect(dialog).to_contain_text("Share anyway?")
    assert page.url.startswith(forewarn_proxy.url)  # still here: nothing went through


def test_without_the_blocks_script_the_notice_is_gone(
    reader: ReaderFactory, forewarn_proxy: LiveServer
) -> None:
    """The control: keep.js refused, the page's script leaves no notice."""
    reader_ = reader(RUSSIA, servers=(forewarn_proxy.url,))
    reader_.context.route("**/_forewarn/static/keep.js", lambda route: route.abort())
    page = reader_.page
    page.goto(f"{forewarn_proxy.url}/pages/replaces-body.html")
    page.wait_for_function("window.__rendered === true")
    assert page.locator("aside.forewarn").count() == 0


def test_a_script_that_removes_the_notice_every_time_is_not_fought_for_ever(
    reader: ReaderFactory, forewarn_proxy: LiveServer
) -> None:
    page = reader(RUSSIA, servers=(forewarn_proxy.url,)).page
    page.goto(f"{forewarn_proxy.url}/pages/removes-notice.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(500)
    removed = page.evaluate("window.__removed")
    assert 1 <= removed <= 11  # the block as served, and ten times put back
    page.wait_for_timeout(500)
    assert page.evaluate("window.__removed") == removed  # and then no more
    assert page.locator("h1").inner_text() == "Weather warning for the weekend"
