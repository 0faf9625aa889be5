"""The block's height against its budget in the preview: each frame states the height measured by
the last browser run (the heights file beside the catalog) against 338 px at 390x844 and 200 px
at 1280x800, the matrix marks the cells over budget, and a block not measured as it is now is
said to be unmeasured. The shipped heights file covers every block the preview shows."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from tests.support import ROOT
from webapp.app import create_app
from webapp.engine import Engine
from webapp.preview.budget import BUDGETS, Heights, block_of, fingerprint, heights_path
from webapp.preview.places import chosen_countries, preview_places
from webapp.settings import Settings, load_settings

ARTICLE = "/articles/library-winter"
FIGURE = re.compile(r'<figure class="pv-frame[^"]*".*?</figure>', re.S)


def test_the_budgets_are_forty_and_twenty_five_per_cent_of_the_screens() -> None:
    assert BUDGETS == {390: 338, 1280: 200}


def test_a_fingerprint_ignores_link_targets_but_not_what_shows() -> None:
    block = ('<aside class="forewarn" data-forewarn="n"><a class="forewarn-mirror" '
             'href="https://m.example/a/1">Mirror</a><input readonly value="http://x.onion/a/1">'
             '</aside>')
    other_page = block.replace("/a/1", "/b/22?q=1")
    assert fingerprint(block) == fingerprint(other_page)
    assert fingerprint(block) != fingerprint(block.replace(">Mirror<", ">Mirror 2<"))
    assert block_of(f"<body><p>x</p>{block}<p>y</p></body>") == block
    assert block_of("<body><p>no block</p></body>") is None


@pytest.fixture
def own_catalog(tmp_path: Path, demo_settings: Settings) -> tuple[Settings, Path]:
    """The shipped catalog (and its mirror list) copied where a test may write its heights."""
    for name in ("notices.toml", "mirrors.json"):
        shutil.copy(ROOT / "catalog" / name, tmp_path / name)
    settings = load_settings({"catalog": str(tmp_path / "notices.toml")}, environ={},
                             demo_defaults={"geoip_dbs": [str(p) for p in demo_settings.geoip_dbs]})
    return settings, heights_path(tmp_path / "notices.toml")


def client_for(settings: Settings) -> FlaskClient:
    return create_app(engine=Engine(settings)).test_client()


def russia_block(client: FlaskClient) -> str:
    page = client.get(f"/_forewarn/preview/page?country=RU&path={ARTICLE}")
    block = block_of(page.get_data(as_text=True))
    assert block is not None
    return block


def test_a_frame_states_its_measured_height_against_the_budget(
    own_catalog: tuple[Settings, Path],
) -> None:
    settings, heights = own_catalog
    client = client_for(settings)
    block = russia_block(client)
    heights.write_text(Heights({fingerprint(block): {"390": 412, "1280": 150}}).to_json())
    page = client.get(f"/_forewarn/preview?path={ARTICLE}").get_data(as_text=True)
    russia, germany = FIGURE.findall(page)[0], FIGURE.findall(page)[4]
    text = " ".join(re.sub(r"<[^>]+>", " ", russia).split())
    assert "Block, all closed: 412 px of 338 at 390×844, over budget · 150 px of 200 at " \
           "1280×800" in text
    assert '<span class="pv-height pv-over">412 px' in russia
    assert "pv-budget" not in germany  # no notice there, no block to measure


def test_a_block_not_measured_as_it_is_now_says_so(own_catalog: tuple[Settings, Path]) -> None:
    settings, heights = own_catalog
    client = client_for(settings)
    stale = russia_block(client).replace("Danger", "High risk")  # measured before a change
    heights.write_text(Heights({fingerprint(stale): {"390": 100, "1280": 100}}).to_json())
    page = client.get(f"/_forewarn/preview?path={ARTICLE}").get_data(as_text=True)
    assert "Block height not measured" in FIGURE.findall(page)[0]
    assert "100 px" not in page


def test_an_unreadable_heights_file_means_not_measured(
    own_catalog: tuple[Settings, Path], caplog: pytest.LogCaptureFixture
) -> None:
    settings, heights = own_catalog
    heights.write_text("{not json")
    page = client_for(settings).get(f"/_forewarn/preview?path={ARTICLE}")
    assert page.status_code == 200
    assert "Block height not measured" in page.get_data(as_text=True)
    assert any("block heights not read" in record.getMessage() for record in caplog.records)


def test_the_matrix_marks_the_cells_over_budget(own_catalog: tuple[Settings, Path]) -> None:
    settings, heights = own_catalog
    client = client_for(settings)
    heights.write_text(Heights({fingerprint(russia_block(client)): {"390": 300, "1280": 260}})
                       .to_json())
    page = client.get("/_forewarn/preview/matrix").get_data(as_text=True)
    russia = re.search(r"<tr>\s*<th scope=\"row\"><a [^>]*>Russia \(RU\)</a>.*?</tr>", page, re.S)
    assert russia is not None
    # the English page's cell is that block: over budget on a desktop, not on a phone
    cells = re.findall(r"<td>(.*?)</td>", russia.group(0), re.S)
    assert "over budget: 260 px at 1280×800" in cells[1]
    assert "390×844" not in cells[1]
    # the same block on the English page in Russia, its six occupied regions and unknown
    assert page.count("over budget: 260 px") == 1 + 6 + 1
    assert "not measured" in cells[2]  # the Russian page's block is another one


def test_without_any_heights_the_matrix_says_so_once(own_catalog: tuple[Settings, Path]) -> None:
    settings, heights = own_catalog
    assert not heights.exists()
    page = client_for(settings).get("/_forewarn/preview/matrix").get_data(as_text=True)
    assert "Block heights: not measured" in page
    assert "pv-unmeasured" not in page and "over budget" not in page


def test_the_shipped_heights_cover_every_block_the_preview_shows(
    client: FlaskClient, engine: Engine
) -> None:
    """catalog/notices.heights.json is written by the browser tests (tests/e2e/test_budget.py):
    after a change to the catalog, the template or the stylesheet, run them (make test)."""
    heights = Heights.load(heights_path(ROOT / "catalog" / "notices.toml"))
    chosen = chosen_countries(engine.catalog, None)
    missing = []
    for place in preview_places(engine.catalog, chosen):
        for slug in ("library-winter", "radio-volunteers", "river-teahouse"):
            query = "&".join(f"{key}={value}" for key, value in (
                ("country", place.country), ("region", place.region)) if value)
            page = client.get(f"/_forewarn/preview/page?{query}&path=/articles/{slug}")
            block = block_of(page.get_data(as_text=True))
            if block is not None and heights.of(block) is None:
                missing.append(f"{place.code} on {slug}")
    assert missing == [], "not measured: run the browser tests (make test) and commit " \
                          "catalog/notices.heights.json"
    assert json.loads(heights_path(ROOT / "catalog" / "notices.toml").read_text())["budgets"] \
        == {"390": 338, "1280": 200}
