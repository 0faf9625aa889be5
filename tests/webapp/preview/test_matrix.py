"""The matrix: notice ids per place and page language for the whole catalog, decided without
rendering a page, as a table and as the same table in CSV."""

from __future__ import annotations

import csv
import html
import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.test import Client

from tests.support import ROOT, TODAY
from webapp.catalog.model import load_catalog
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.preview.matrix import OTHER, build_matrix, page_languages
from webapp.preview.places import UNKNOWN_PLACE, Place, matrix_places, preview_places
from webapp.settings import Settings

RU, BY, IR = "ru-undesirable", "by-extremist", "ir-hostile-media"
# The shipped catalog, today: place code -> ids per page language (en, ru, be, fa, none/other).
# The reader's own place first (for an unknown reader: the notice for the page's language).
SHIPPED = {
    "RU": (RU, RU, f"{RU} {BY}", f"{RU} {IR}", RU),
    **{region: (RU, RU, f"{RU} {BY}", f"{RU} {IR}", RU)
       for region in ("UA-43", "UA-40", "UA-14", "UA-09", "UA-23", "UA-65")},
    "BY": (BY, f"{BY} {RU}", BY, f"{BY} {IR}", BY),
    "IR": (IR, f"{IR} {RU}", f"{IR} {BY}", IR, IR),
    "DE": ("", RU, BY, IR, ""),
    "US": ("", RU, BY, IR, ""),
    "UA": ("", RU, BY, IR, ""),
    "unknown": (RU, RU, f"{BY} {RU}", f"{IR} {RU}", RU),
}


def csv_rows(client: FlaskClient, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/_forewarn/preview/matrix.csv?{query}")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_matrix_csv_of_the_shipped_catalog(client: FlaskClient) -> None:
    rows = csv_rows(client)
    assert list(rows[0]) == ["place", "code", "jurisdictions", "en", "ru", "be", "fa", OTHER]
    assert [row["code"] for row in rows] == list(SHIPPED)
    for row in rows:
        assert (row["en"], row["ru"], row["be"], row["fa"], row[OTHER]) == SHIPPED[row["code"]], row
    assert rows[1]["place"] == "Crimea (Avtonomna Respublika Krym, UA-43)"
    assert rows[2]["place"] == "Sevastopol (UA-40)"  # the catalog gives no other name
    assert (rows[1]["jurisdictions"], rows[-1]["jurisdictions"], rows[-3]["jurisdictions"]) == (
        "ru", "unknown", "")


def test_matrix_page_shows_the_same_cells_as_the_csv(client: FlaskClient) -> None:
    response = client.get("/_forewarn/preview/matrix")
    page = response.get_data(as_text=True)
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    assert response.status_code == 200 and body
    table = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        row = BUDGET_MARK.sub("", row)  # the block's height against its budget, beside the ids
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        table.append([" ".join(re.findall(r'<code class="pv-id">([^<]+)</code>', cell))
                      or _text(cell) for cell in cells])
    # the page names the jurisdictions as the catalog does; the CSV gives their ids
    catalog = load_catalog(ROOT / "catalog" / "notices.toml")
    names = {jid: jur.name for jid, jur in catalog.jurisdictions.items()}
    names["unknown"] = "Unknown location"
    from_csv = [[row["place"], "; ".join(names[j] for j in row["jurisdictions"].split()) or "none",
                 *(row[lang] or "none" for lang in ("en", "ru", "be", "fa", OTHER))]
                for row in csv_rows(client)]
    assert table == from_csv
    assert "as of 2026-11-24" in page  # the engine's today


BUDGET_MARK = re.compile(r'<span class="pv-(?:over|none pv-unmeasured)">[^<]*</span>')


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def test_as_of_date_before_the_designation_leaves_only_the_undated_notice(
    client: FlaskClient,
) -> None:
    rows = csv_rows(client, "date=2024-02-19")
    assert all(RU not in " ".join(row.values()) for row in rows)
    assert {row["code"]: row["fa"] for row in rows}["IR"] == IR
    response = client.get("/_forewarn/preview/matrix.csv?date=2024-02-19")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="forewarn-matrix-2024-02-19.csv"')
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_each_place_links_to_its_side_by_side_view_with_the_same_day(client: FlaskClient) -> None:
    page = client.get("/_forewarn/preview/matrix?date=2025-03-01").get_data(as_text=True)
    links = [html.unescape(href) for href in re.findall(r'<th scope="row"><a href="([^"]+)"', page)]
    assert links[1] == "/_forewarn/preview?country=UA&region=UA-43&date=2025-03-01"
    assert links[-1] == "/_forewarn/preview?date=2025-03-01"  # unknown is always shown there
    assert 'href="/_forewarn/preview/matrix.csv?date=2025-03-01"' in page


def test_matrix_decides_from_the_catalog_without_asking_for_any_page(engine: Engine) -> None:
    asked: list[str] = []

    def pages(environ: dict[str, object], start_response: object) -> list[bytes]:
        asked.append(str(environ["PATH_INFO"]))
        raise AssertionError("the matrix must not render pages")

    client = Client(NoticeMiddleware(pages, engine=engine))  # type: ignore[arg-type]
    assert client.get("/_forewarn/preview/matrix").status_code == 200
    assert client.get("/_forewarn/preview/matrix.csv").status_code == 200
    assert asked == []


ASN_CATALOG = """
schema = 1
organization = "Test"
[jurisdictions.net]
name = "A network that is a place of its own"
asns = [64505]
[jurisdictions.by]
name = "Belarus"
countries = ["BY"]
languages = ["be"]
[[notices]]
id = "net-only"
jurisdictions = ["net"]
unknown = "hide"
  [notices.text.en]
  title = "t"
  body = "b"
[[notices]]
id = "by-extremist"
jurisdictions = ["by"]
languages = ["be"]
unknown = "hide"
  [notices.text.en]
  title = "t"
  body = "b"
"""


@pytest.fixture
def asn_engine(tmp_path: Path) -> Engine:
    catalog = tmp_path / "notices.toml"
    catalog.write_text(ASN_CATALOG)
    return Engine(Settings(catalog=catalog, demo=True), clock=lambda: TODAY)


def test_a_jurisdiction_given_by_network_alone_gets_its_row_and_frame(asn_engine: Engine) -> None:
    places = matrix_places(asn_engine.catalog, ("DE",))
    assert [place.code for place in places] == ["AS64505", "BY", "DE", "unknown"]
    matrix = build_matrix(asn_engine, places, TODAY)
    # Columns: the default language, then languages notices are aimed at with no text ("be").
    assert matrix.languages == ("en", "be", OTHER)
    assert [row.cells for row in matrix.rows] == [
        (("net-only",), ("net-only", "by-extremist"), ("net-only",)),
        (("by-extremist",),) * 3,
        ((), ("by-extremist",), ()),
        ((), ("by-extremist",), ()),
    ]
    assert preview_places(asn_engine.catalog, ())[0] == Place(asn=64505)
    from webapp.app import create_app

    client = create_app(engine=asn_engine).test_client()
    page = client.get("/_forewarn/preview?path=/").get_data(as_text=True)
    assert 'src="/_forewarn/preview/page?asn=64505"' in page


def test_page_languages_put_the_default_first_and_other_last(engine: Engine) -> None:
    assert page_languages(engine.catalog) == ("en", "ru", "be", "fa", OTHER)
    assert UNKNOWN_PLACE.label == "Unknown location" and UNKNOWN_PLACE.code == "unknown"
