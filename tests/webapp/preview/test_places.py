"""The preview names places as editors say them: the ISO name, with the catalog's own name for
the place first where it gives one, and the jurisdictions a place falls in by the catalog's names
(never an id such as "ru", which reads like a language code)."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest
from flask.testing import FlaskClient

from tests.support import ROOT
from tests.webapp.catalog.test_model import GOOD, write
from webapp.catalog.model import load_catalog
from webapp.errors import CatalogError
from webapp.preview.places import UNKNOWN_PLACE, Place, PlaceNames

SHIPPED = load_catalog(ROOT / "catalog" / "notices.toml")
RU_NAME = "Russia and the Russia-controlled parts of Ukraine"


@pytest.mark.parametrize(("place", "label", "heading"), [
    (Place("RU"), "Russia (RU)", f"Russia — {RU_NAME}"),
    (Place("UA", "UA-43"), "Crimea (Avtonomna Respublika Krym, UA-43)",
     f"Crimea (Avtonomna Respublika Krym, UA-43) — {RU_NAME}"),
    (Place("UA", "UA-40"), "Sevastopol (UA-40)", f"Sevastopol (UA-40) — {RU_NAME}"),
    (Place("UA", "UA-14"), "Donetsk region (Donetska oblast, UA-14)",
     f"Donetsk region (Donetska oblast, UA-14) — {RU_NAME}"),
    (Place("BY"), "Belarus (BY)", "Belarus"),
    (Place("DE"), "Germany (DE)", "Germany"),
    (UNKNOWN_PLACE, "Unknown location", "Unknown location"),
])
def test_places_are_named_as_editors_say_them(place: Place, label: str, heading: str) -> None:
    names = PlaceNames(SHIPPED)
    assert names.label(place) == label
    found = tuple(jid for jid, jur in SHIPPED.jurisdictions.items()
                  if place.country in jur.countries or place.region in jur.regions)
    assert names.heading(place, found) == heading


def test_the_preview_page_shows_no_jurisdiction_id(client: FlaskClient) -> None:
    page = client.get("/_forewarn/preview?path=/articles/library-winter").get_data()
    tree = html5lib.parse(page, namespaceHTMLElements=False)
    headings = ["".join(h.itertext()) for h in tree.iter("h2") if h.get("class") == "pv-place"]
    assert f"Crimea (Avtonomna Respublika Krym, UA-43) — {RU_NAME}" in headings
    assert not [h for h in headings if re.search(r"\((ru|by|ir)\)", h)]


def test_a_place_name_for_a_place_outside_the_jurisdiction_is_refused(tmp_path: Path) -> None:
    text = GOOD.replace('languages = ["ru"]\n[mirrors.m]',
                        'languages = ["ru"]\nplace_names = { UA-40 = "Sevastopol" }\n[mirrors.m]')
    with pytest.raises(CatalogError) as caught:
        load_catalog(write(tmp_path, text))
    assert caught.value.key == "jurisdictions.ru.place_names.UA-40"
    assert "not among this jurisdiction's countries and regions" in caught.value.message
