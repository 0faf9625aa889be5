"""A trusted CDN's country headers decide the place; the response then Varies on them instead of
being private, but only where the operator says the CDN keys its cache on them
(``cdn_caches_per_place``); otherwise it is private like any other page. From anyone else the
headers change nothing."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from werkzeug.test import Client

from geoip.location import UNKNOWN, Location
from webapp.engine import Engine
from webapp.middleware import NoticeMiddleware
from webapp.reader.cdn import PRESETS, cdn_headers, cdn_location
from webapp.settings import load_settings

PAGE = b"<!doctype html><html lang='en'><body><p>Story</p></body></html>"


def page_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html"), ("Vary", "Accept-Encoding")])
    return [PAGE]


def with_cdn(engine: Engine, country_header: str, region_header: str | None = None,
             per_place: bool = True) -> Engine:
    """The engine behind a CDN; by default one stated to key its cache on the place."""
    settings = replace(engine.settings, country_header=country_header, region_header=region_header,
                       cdn_caches_per_place=per_place)
    return Engine(settings, clock=engine.clock)


def environ(headers: dict[str, str]) -> dict[str, str]:
    return {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}


@pytest.mark.parametrize(
    ("preset", "headers", "expected"),
    [
        ("cloudflare", {"CF-IPCountry": "RU"}, Location("RU")),
        ("cloudflare", {"CF-IPCountry": "xx"}, UNKNOWN),
        ("cloudflare", {"CF-IPCountry": "T1"}, UNKNOWN),  # Tor
        ("cloudflare", {"CF-IPCountry": "QQ"}, UNKNOWN),  # not a country
        ("cloudflare", {}, None),  # absent: the address decides
        ("cloudflare", {"CF-IPCountry": "UA", "CF-Region-Code": "43"}, Location("UA", ("UA-43",))),
        ("cloudfront", {"CloudFront-Viewer-Country": "UA",
                        "CloudFront-Viewer-Country-Region": "43"}, Location("UA", ("UA-43",))),
        ("cloudfront", {"CloudFront-Viewer-Country": "UA",
                        "CloudFront-Viewer-Country-Region": "99"}, Location("UA")),
        ("cloudfront", {"CloudFront-Viewer-Country": "UA",
                        "CloudFront-Viewer-Country-Region": "RU-MOW"}, Location("UA")),
        ("vercel", {"X-Vercel-IP-Country": "UA", "X-Vercel-IP-Country-Region": "40"},
         Location("UA", ("UA-40",))),
        ("appengine", {"X-AppEngine-Country": "ZZ"}, UNKNOWN),
        ("appengine", {"X-AppEngine-Country": "ir", "X-AppEngine-Region": "07"},
         Location("IR", ("IR-07",))),
    ],
)
def test_cdn_headers_give_a_place(
    preset: str, headers: dict[str, str], expected: Location | None
) -> None:
    config = cdn_headers(preset, None)
    assert config is not None and config.country == PRESETS[preset][0]
    found = cdn_location(environ(headers), config)
    if expected is None or expected is UNKNOWN:
        assert found is expected
    else:
        assert found is not None
        assert (found.country, found.regions) == (expected.country, expected.regions)


def test_a_custom_header_pair() -> None:
    config = cdn_headers("X-Geo-Country", "X-Geo-Region")
    assert config is not None and config.vary == ("X-Geo-Country", "X-Geo-Region")
    found = cdn_location(environ({"X-Geo-Country": "UA", "X-Geo-Region": "UA-43"}), config)
    assert found is not None and found.regions == ("UA-43",)


def request(engine: Engine, peer: str, headers: dict[str, str], path: str = "/a") -> Any:
    client = Client(NoticeMiddleware(page_app, engine=engine))
    return client.get(path, headers=headers, environ_base={"REMOTE_ADDR": peer})


def test_a_trusted_cdn_header_decides_and_the_response_varies_on_it(engine: Engine) -> None:
    cdn = with_cdn(engine, "cloudfront")
    response = request(cdn, "127.0.0.1", {"CloudFront-Viewer-Country": "UA",
                                          "CloudFront-Viewer-Country-Region": "43"})
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert set(response.headers["Vary"].split(", ")) == {
        "Accept-Encoding", "CloudFront-Viewer-Country", "CloudFront-Viewer-Country-Region"}
    assert "private" not in response.headers.get("Cache-Control", "")
    germany = request(cdn, "127.0.0.1", {"CloudFront-Viewer-Country": "DE"})
    assert germany.headers["X-Forewarn-Notices"] == "none"
    assert "CloudFront-Viewer-Country" in germany.headers["Vary"]


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"CF-IPCountry": "DE"}, "ru-undesirable"), ({"CF-IPCountry": "T1"}, "ru-undesirable"),
     ({"CF-IPCountry": "DE", "X-Forwarded-For": "198.51.100.1"}, "ru-undesirable")],
)
def test_cdn_headers_from_an_untrusted_peer_change_nothing(
    engine: Engine, headers: dict[str, str], expected: str
) -> None:
    cdn = with_cdn(engine, "cloudflare")
    response = request(cdn, "192.0.2.99", headers)  # a reader in Russia, talking directly
    assert response.headers["X-Forewarn-Notices"] == expected
    assert "private" in response.headers["Cache-Control"]
    assert "CF-IPCountry" not in response.headers.get("Vary", "")


def test_without_the_header_the_address_decides_and_the_page_is_private(engine: Engine) -> None:
    cdn = with_cdn(engine, "cloudflare")
    response = request(cdn, "127.0.0.1", {"X-Forwarded-For": "203.0.113.7"})
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert "private" in response.headers["Cache-Control"]


def test_the_fragment_varies_the_same_way(engine: Engine) -> None:
    cdn = with_cdn(engine, "cloudflare")
    client = Client(NoticeMiddleware(page_app, engine=cdn))
    response = client.get("/_forewarn/fragment", headers={"CF-IPCountry": "RU"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"
    assert "CF-IPCountry" in response.headers["Vary"]
    assert "private" not in response.headers.get("Cache-Control", "")


@pytest.mark.parametrize("path", ["/a", "/_forewarn/fragment?path=/a&lang=en"])
def test_without_the_cdn_stated_to_key_on_the_place_a_header_decision_is_private(
    engine: Engine, path: str
) -> None:
    cdn = with_cdn(engine, "cloudflare", per_place=False)
    for country, notices in (("RU", "ru-undesirable"), ("DE", "none")):
        response = request(cdn, "127.0.0.1", {"CF-IPCountry": country}, path)
        assert response.headers["X-Forewarn-Notices"] == notices  # the header still decides
        assert "private" in response.headers["Cache-Control"]
        assert "CF-IPCountry" not in response.headers.get("Vary", "")


def test_the_setting_is_off_unless_stated(engine: Engine) -> None:
    assert engine.settings.cdn_caches_per_place is False
    assert load_settings(environ={"FOREWARN_CDN_CACHES_PER_PLACE": "true"}).cdn_caches_per_place


def test_an_asn_alone_places_a_reader_in_a_group_that_lists_it(engine: Engine) -> None:
    catalog = engine.catalog
    ru = catalog.jurisdictions["ru"]
    jurisdictions = {**catalog.jurisdictions, "ru": replace(ru, asns=(64999,))}
    engine.swap_catalog(replace(catalog, jurisdictions=jurisdictions))
    decision = engine.decide(Location(asn=64999), "en")
    assert decision.jurisdictions == ("ru",)
    assert decision.notice_ids == ("ru-undesirable",)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"X-Geo-Country": "DE", "X-Geo-ASN": "64500"}, Location("DE", (), 64500)),
     ({"X-Geo-Country": "DE", "X-Geo-ASN": "AS64500"}, Location("DE", (), 64500)),
     ({"X-Geo-Country": "DE", "X-Geo-ASN": "sixty"}, Location("DE")),
     ({"X-Geo-Country": "XX", "X-Geo-ASN": "64500"}, Location(None, (), 64500)),
     ({"X-Geo-Country": "XX"}, UNKNOWN)],
)
def test_an_edges_asn_header_places_a_network(headers: dict[str, str],
                                             expected: Location) -> None:
    config = cdn_headers("X-Geo-Country", None, "X-Geo-ASN")
    assert config is not None and config.vary == ("X-Geo-Country", "X-Geo-ASN")
    found = cdn_location(environ(headers), config)
    assert found is not None
    assert (found.country, found.regions, found.asn) == (expected.country, expected.regions,
                                                         expected.asn)
