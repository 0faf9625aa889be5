"""The caution at the controls, in Chromium: beside the share links, the like button and the
comment form only where a notice with a guard text applies; the dialog asks once per kind of
control, by mouse or keyboard, and the action then goes through (a widget's pop-up, a link, a
form's POST), exactly once; nothing leaves the site but what the reader chose; axe finds no
serious or critical violation; a strict CSP reports nothing; with JavaScript off the page works
and the block is as served. Also in the preview's frames."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from pytest_playwright.pytest_playwright import CreateContextCallback

from tests.e2e.conftest import SCREENS, Reader, ReaderFactory
from tests.e2e.origin import STRICT_CSP, TRUSTED_TYPES_CSP, StaticOrigin
from tests.e2e.places import Place, demo_places, expected_notices, shipped_catalog
from tests.e2e.test_accessibility import AXE_OPTIONS, BLOCKING
from tests.e2e.test_csp import reported_problems
from tests.e2e.traffic import Traffic
from tests.support import ROOT, LiveServer

CATALOG = shipped_catalog()
PLACES = {place.label.split("-")[0]: place for place in demo_places(CATALOG)
          if place.label in ("ru-RU", "by-BY", "none-DE", "unknown")}
SHARE_SITES = ("https://vk.com/", "https://t.me/", "https://www.facebook.com/")
STORAGE = "() => [document.cookie, localStorage.length, sessionStorage.length]"
# The test page's own widget is found by the site's selectors, not by a mark in its markup.
SELECTORS = {"share": [".widget-share", 'a[href*="t.me/share"]']}


def cautioned(place: Place, lang: str) -> bool:
    """Whether the catalog gives this reader, on a page in ``lang``, a notice with a guard text
    (every shipped notice has one in every language: checked in tests/webapp/catalog)."""
    return bool(expected_notices(CATALOG, place, lang, date.today()))


@pytest.fixture(scope="module")
def guarded_proxy(
    origin: StaticOrigin, demo_db: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`forewarn serve --upstream` in front of the static origin, with the site's own
    guard_selectors (from the environment, as JSON)."""
    server = LiveServer(["--upstream", origin.url, "--workers", "1"],
                        tmp_path_factory.mktemp("guarded") / "forewarn.log",
                        env={"FOREWARN_CATALOG": str(ROOT / "catalog" / "notices.toml"),
                             "FOREWARN_GEOIP_DBS": str(demo_db),
                             "FOREWARN_TRUSTED_PROXIES": "127.0.0.1/32",
                             "FOREWARN_GUARD_SELECTORS": json.dumps(SELECTORS)})
    yield server
    server.stop()


@pytest.fixture
def visitor(new_context: CreateContextCallback, live_demo: LiveServer,
            mirror_urls: tuple[str, ...]) -> Callable[..., Reader]:
    """Like conftest's ``reader``, but the share sites' pages are answered inside the test too
    (when the reader chose to go there), so that following one is seen and nothing leaves."""

    def open_as(address: str, screen: str = "desktop", servers: tuple[str, ...] = (),
                **options: Any) -> Reader:
        context = new_context(**SCREENS[screen], locale="en-US",
                              extra_http_headers={"X-Forwarded-For": address}, **options)
        traffic = Traffic(tuple(f"{url}/" for url in servers or (live_demo.url,)),
                          (*mirror_urls, *SHARE_SITES)).attach(context)
        return Reader(context, context.new_page(), traffic)

    return open_as


@pytest.mark.parametrize("slug", ["library-winter", "radio-volunteers"])
@pytest.mark.parametrize("who", list(PLACES))
def test_the_caution_is_beside_the_controls_only_where_a_guarded_notice_applies(
    who: str, slug: str, reader: ReaderFactory, live_demo: LiveServer,
) -> None:
    place = PLACES[who]
    lang = "ru" if slug == "radio-volunteers" else "en"
    visitor = reader(place.address, "phone")
    page = visitor.page
    page.goto(f"{live_demo.url}/articles/{slug}")
    page.wait_for_load_state("networkidle")
    cautions = page.locator(".forewarn-caution")
    if not cautioned(place, lang):
        assert page.locator("aside.forewarn").count() == 0
        assert cautions.count() == 0
        return
    # One after the row of share links (the like button right after it shares it), one in the
    # comment form, one after the contact link: each named by its control's aria-describedby.
    expect(cautions).to_have_count(3)
    for control in ('.share-links a[href*="vk.com"]', ".like button", ".comment-form button",
                    ".contact a"):
        described = page.locator(control).get_attribute("aria-describedby")
        assert described and page.locator(f"#{described}").is_visible(), control
    block_lang = page.locator("aside.forewarn").get_attribute("lang")
    assert cautions.first.get_attribute("lang") == block_lang
    assert visitor.traffic.left == [], "no request left the site"


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_several_notices_cautions_each_sit_on_their_own_lines_in_their_own_direction(
    screen: str, reader: ReaderFactory, live_demo: LiveServer,
) -> None:
    """A reader at an unknown place on the Persian article gets Iran's notice and Russia's: each
    caution holds a Persian sentence (right to left) and an English one (left to right), and a
    sentence of one direction must not be broken across a line of the other."""
    page = reader("10.0.0.1", screen).page
    page.goto(f"{live_demo.url}/articles/river-teahouse")
    page.wait_for_load_state("networkidle")
    caution = page.locator(".forewarn-caution").first
    expect(caution).to_be_visible()
    sentences = caution.evaluate("""el => [...el.querySelectorAll(':scope > span[lang]')].map(
        span => ({lang: span.lang, direction: getComputedStyle(span).direction,
                  top: span.getBoundingClientRect().top,
                  bottom: span.getBoundingClientRect().bottom}))""")
    # Persian first (the page's language); Russia's in the reader's English (locale en-US)
    assert [(s["lang"], s["direction"]) for s in sentences] == [("fa", "rtl"), ("en", "ltr")]
    assert sentences[0]["bottom"] <= sentences[1]["top"], sentences  # lines of their own


@pytest.mark.parametrize(("name", "policy"), [("guarded.html", STRICT_CSP),
                                              ("guarded-trusted-types.html", TRUSTED_TYPES_CSP)])
def test_share_asks_once_then_the_widgets_own_popup_goes_through_once(
    visitor: Callable[..., Reader], guarded_proxy: LiveServer,
    screenshot: Callable[..., Path], name: str, policy: str,
) -> None:
    """Under the strict policy, and with Trusted Types enforced too (the caution and the block's
    scripts hand no string to a sink that parses it: no violation)."""
    reader = visitor(PLACES["ru"].address, "phone", servers=(guarded_proxy.url,))
    page = reader.page
    problems = reported_problems(page)
    response = page.goto(f"{guarded_proxy.url}/pages/{name}")
    assert response is not None and response.headers["content-security-policy"] == policy
    share, shared = page.locator(".widget-share"), page.locator(".shared")
    expect(page.locator(".share-widget > .widget-telegram + .forewarn-caution")).to_be_visible()

    share.click()  # the first time: asked, the widget's handler has not run
    dialog = page.get_by_role("dialog", name="Before you go on")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Sharing, reposting or liking this page from Russia")
    expect(dialog).to_contain_text("Share anyway?")
    expect(page.get_by_role("button", name="Cancel")).to_be_focused()  # the safe choice
    screenshot(page, "dialog-phone.png", full_page=False)
    assert shared.text_content() == "0"
    page.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(share).to_be_focused()
    assert shared.text_content() == "0" and len(reader.context.pages) == 1

    share.click()  # asked again: cancelling decided nothing
    expect(dialog).to_be_visible()
    with page.expect_popup() as popup:
        page.get_by_role("button", name="Continue").click()
    assert popup.value.url.startswith("https://vk.com/share.php?url=")
    assert shared.text_content() == "1"
    popup.value.close()

    with page.expect_popup():  # confirmed once for this page: straight through, once
        share.click()
    expect(dialog).to_be_hidden()
    assert shared.text_content() == "2"
    page.locator(".like").click()  # the like button is a share control too: no second question
    assert page.locator(".liked").text_content() == "1"
    assert reader.traffic.left == [], "no request left the site"
    assert [url for url in reader.traffic.requests if not url.startswith(reader.traffic.origins)
            ] == [popup.value.url] * 2, "only the pop-ups the reader asked for"
    assert page.evaluate(STORAGE) == ["", 0, 0] and reader.context.cookies() == []
    assert problems == [], "no CSP violation, no error"
    # the control: Trusted Types are enforced where the policy asks for them
    refused = page.evaluate("""() => { try { document.createElement("div").innerHTML = "<b>x</b>";
                                           return false; } catch (error) { return true; } }""")
    assert refused is (policy == TRUSTED_TYPES_CSP)


def test_by_keyboard_the_comment_is_asked_about_and_then_posted(
    visitor: Callable[..., Reader], guarded_proxy: LiveServer,
) -> None:
    reader = visitor(PLACES["by"].address, servers=(guarded_proxy.url,))
    page = reader.page
    problems = reported_problems(page)
    page.goto(f"{guarded_proxy.url}/pages/guarded.html")
    page.locator("#comment").fill("Good news for the district")
    page.locator(".comment-form button").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Comment anyway?")
    expect(dialog).to_contain_text("Commenting on this page from Belarus")
    page.keyboard.press("Escape")  # closes, decides nothing, gives the focus back
    expect(dialog).to_be_hidden()
    expect(page.locator(".comment-form button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_visible()
    page.keyboard.press("Tab")  # from Cancel to Continue
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.keyboard.press("Enter")
    assert posted.value.post_data == "comment=Good+news+for+the+district"
    page.wait_for_load_state("networkidle")
    assert reader.traffic.left == [] and problems == []


def test_asking_again_before_the_last_answer_was_read_still_lets_continue_through(
    visitor: Callable[..., Reader], guarded_proxy: LiveServer,
) -> None:
    """A reader quick on the keys: Escape closes the dialog, and Enter asks again before the
    browser has delivered the first closing's event (input comes before it on a busy
    machine). That stale event must not take away what the new question lets through: before,
    Continue then closed the dialog and posted nothing (a run of the whole suite met it). The
    same order, made certain: the dialog closed, and the form sent again, in one task."""
    reader = visitor(PLACES["by"].address, servers=(guarded_proxy.url,))
    page = reader.page
    page.goto(f"{guarded_proxy.url}/pages/guarded.html")
    page.locator("#comment").fill("Good news for the district")
    page.locator(".comment-form button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.evaluate("""() => {
      document.querySelector("dialog").close();
      document.querySelector(".comment-form button").click();
    }""")
    expect(dialog).to_be_visible()
    with page.expect_request(lambda request: request.method == "POST") as posted:
        page.get_by_role("button", name="Continue").click()
    assert posted.value.post_data == "comment=Good+news+for+the+district"


def test_a_link_goes_where_it_pointed_after_confirming(
    visitor: Callable[..., Reader], live_demo: LiveServer,
) -> None:
    reader = visitor(PLACES["unknown"].address)
    page = reader.page
    page.goto(f"{live_demo.url}/articles/library-winter")
    link = page.locator('.share-links a[href*="t.me"]')
    href = link.get_attribute("href")
    link.click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: url == href)  # the link's own target, unchanged
    assert reader.traffic.followed[-1].url == href
    assert reader.traffic.left == []


@pytest.mark.parametrize(("who", "slug"), [("ru", "radio-volunteers"), ("ir", "river-teahouse")])
def test_no_serious_accessibility_violation_in_the_caution_or_the_dialog(
    who: str, slug: str, visitor: Callable[..., Reader], live_demo: LiveServer,
    output_path: str, screenshot: Callable[..., Path],
) -> None:
    address = {"ru": PLACES["ru"].address, "ir": "198.51.100.129"}[who]
    page = visitor(address, "phone").page
    page.goto(f"{live_demo.url}/articles/{slug}")
    page.locator(".share").scroll_into_view_if_needed()
    expect(page.locator(".forewarn-caution").first).to_be_visible()
    screenshot(page, f"caution-{who}-phone.png", full_page=False)
    for caution in page.locator(".forewarn-caution").all():  # each wholly on screen in turn
        caution.scroll_into_view_if_needed()
        name = caution.get_attribute("id")
        check(page, f"#{name}", Path(output_path) / f"axe-{name}.json")
    page.locator(".share").scroll_into_view_if_needed()
    page.locator(".share-links a").first.click()
    expect(page.locator("dialog.forewarn-dialog[open]")).to_be_visible()
    screenshot(page, f"dialog-{who}-phone.png", full_page=False)
    check(page, "dialog.forewarn-dialog", Path(output_path) / "axe-dialog.json")
    if who == "ir":
        assert page.locator("dialog.forewarn-dialog").get_attribute("dir") == "rtl"
        title = page.locator(".forewarn-dialog-title")
        assert title.evaluate("el => getComputedStyle(el).direction") == "rtl"
        cancel = page.locator(".forewarn-dialog-cancel").bounding_box()
        go = page.locator(".forewarn-dialog-confirm").bounding_box()
        assert cancel and go and go["x"] < cancel["x"], "read right to left: Cancel first"


# The text's colour and the first opaque background under it, as [r, g, b] lists.
COLOURS = """el => {
  const rgb = value => value.match(/[\\d.]+/g).slice(0, 4).map(Number);
  let node = el, back = rgb(getComputedStyle(node).backgroundColor);
  while ((back.length === 4 && back[3] === 0) && node.parentElement) {
    node = node.parentElement;
    back = rgb(getComputedStyle(node).backgroundColor);
  }
  return [rgb(getComputedStyle(el).color).slice(0, 3), back.slice(0, 3)];
}"""


def contrast(fore: list[float], back: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        parts = [c / 255 for c in rgb]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(fore), luminance(back)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def check(page: Page, selector: str, report: Path) -> None:
    """axe in ``selector``: no serious or critical violation, text contrast included. Where
    axe leaves contrast undecided (the modal dialog in the top layer: "overlaps other
    elements"; the Persian caution: "partially obscured", on any screen), it is worked out from
    the computed colours with WCAG's formula instead."""
    results: dict[str, Any] = Axe().run(page, selector, AXE_OPTIONS).response
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(results["violations"], indent=1, ensure_ascii=False))
    ran = {rule["id"]: kind for kind in ("passes", "violations", "incomplete")
           for rule in results[kind]}
    if ran.get("color-contrast") == "incomplete":
        texts = page.locator(f"{selector}:not(dialog), {selector} :is(h2, p, button)").all()
        assert texts
        for text in texts:
            colours = text.evaluate(COLOURS)
            assert contrast(*colours) >= 4.5, (text.text_content(), colours)
    else:
        assert ran.get("color-contrast") in ("passes", "violations"), ran
    blocking = [f"{v['id']} ({v['impact']}): {v['help']}" for v in results["violations"]
                if v["impact"] in BLOCKING]
    assert blocking == []


def test_without_javascript_the_page_works_and_the_block_is_as_served(
    visitor: Callable[..., Reader], live_demo: LiveServer,
) -> None:
    url = f"{live_demo.url}/articles/radio-volunteers"
    with_script = visitor(PLACES["ru"].address).page
    with_script.goto(url)
    expect(with_script.locator(".forewarn-caution")).to_have_count(3)
    reader = visitor(PLACES["ru"].address, java_script_enabled=False)
    page = reader.page
    page.goto(url)
    block = "document.querySelector('aside.forewarn').outerHTML"
    assert page.evaluate(block) == with_script.evaluate(block), "the script left the block alone"
    assert page.locator(".forewarn-caution").count() == 0
    link = page.locator('.share-links a[href*="vk.com"]')
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(lambda address: address == href)
    page.go_back()
    page.locator("#comment-text").fill("Спасибо")
    with page.expect_navigation():
        page.locator(".comment-form button").click()
    expect(page.locator("h1")).to_have_text("Спасибо: комментарий появится после проверки")
    assert reader.traffic.left == []


def test_each_frame_of_the_preview_shows_the_caution_where_its_place_gets_one(
    reader: ReaderFactory, live_demo: LiveServer,
) -> None:
    page = reader("10.0.0.1").page
    page.goto(f"{live_demo.url}/_forewarn/preview?path=/articles/library-winter")
    figures = page.locator("figure.pv-frame")
    seen = {}
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.scroll_into_view_if_needed()
        ids = figure.locator(".pv-id").all_text_contents()
        frame = figure.frame_locator("iframe")
        frame.locator(".share").wait_for(state="attached")
        expected = 3 if ids else 0
        expect(frame.locator(".forewarn-caution")).to_have_count(expected)
        seen[figure.locator("h2").text_content()] = expected
    assert any(seen.values()) and not all(seen.values()), seen
