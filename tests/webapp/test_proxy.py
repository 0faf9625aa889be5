"""The proxy's settings, through the app in-process against a real origin on 127.0.0.1: which
Host the origin sees, whether it gets the reader's address, and bad settings refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.upstream import Origin
from tests.support import ROOT
from webapp.app import create_app
from webapp.errors import SettingsError
from webapp.settings import load_settings


@pytest.fixture(scope="module")
def origin() -> Iterator[Origin]:
    server = Origin()
    yield server
    server.stop()


def seen_by_origin(origin: Origin, demo_db: Path, **settings: object) -> dict[str, str]:
    app = create_app(load_settings({
        "catalog": str(ROOT / "catalog" / "notices.toml"), "geoip_dbs": [str(demo_db)],
        "upstream": origin.url, **settings}, environ={}))
    response = app.test_client().get("/echo", headers={"Host": "news.example"},
                                     environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 200
    headers: dict[str, str] = json.loads(response.data)["headers"]
    return headers


def test_origin_sees_its_own_host_by_default(origin: Origin, demo_db: Path) -> None:
    assert seen_by_origin(origin, demo_db)["host"] == f"127.0.0.1:{origin.port}"


@pytest.mark.parametrize(("setting", "host"), [
    ("preserve", "news.example"), ("origin.internal", "origin.internal")])
def test_upstream_host_setting_chooses_the_host_the_origin_sees(
    origin: Origin, demo_db: Path, setting: str, host: str
) -> None:
    assert seen_by_origin(origin, demo_db, upstream_host=setting)["host"] == host


@pytest.mark.parametrize(("forward", "expected"), [(False, None), (True, "192.0.2.10")])
def test_reader_address_reaches_the_origin_only_when_the_operator_asks(
    origin: Origin, demo_db: Path, forward: bool, expected: str | None
) -> None:
    headers = seen_by_origin(origin, demo_db, forward_client_address=forward)
    assert headers.get("x-forwarded-for") == expected


def test_location_headers_set_by_a_cdn_are_not_passed_to_the_origin(
    origin: Origin, demo_db: Path
) -> None:
    app = create_app(load_settings({
        "catalog": str(ROOT / "catalog" / "notices.toml"), "geoip_dbs": [str(demo_db)],
        "upstream": origin.url, "country_header": "cloudfront",
        "trusted_proxies": ["127.0.0.0/8"]}, environ={}))
    response = app.test_client().get("/echo", headers={
        "CloudFront-Viewer-Country": "RU", "CloudFront-Viewer-Country-Region": "MOW"})
    headers = json.loads(response.data)["headers"]
    assert not {"cloudfront-viewer-country", "cloudfront-viewer-country-region"} & set(headers)


def test_upstream_with_a_path_prefix_is_joined_to_the_request_path(
    origin: Origin, demo_db: Path
) -> None:
    app = create_app(load_settings({
        "catalog": str(ROOT / "catalog" / "notices.toml"), "geoip_dbs": [str(demo_db)],
        "upstream": f"{origin.url}/articles"}, environ={}))
    response = app.test_client().get("/plain", environ_base={"REMOTE_ADDR": "192.0.2.10"})
    assert response.status_code == 200
    assert response.headers["X-Forewarn-Notices"] == "ru-undesirable"


@pytest.mark.parametrize(("key", "value", "problem"), [
    ("upstream", "ftp://origin", "must start with http:// or https://"),
    ("upstream", "http://", "has no host"),
    ("upstream", "http://origin/?a=1", "must not carry a query"),
    ("upstream", "http://origin:99999", "has a bad port"),
    ("upstream_timeout", "soon", "expected a number"),
    ("upstream_timeout", "0", "must be at least"),
    ("max_body", "1.5", "expected an integer"),
    ("forward_client_address", "maybe", "expected true or false"),
])
def test_bad_proxy_settings_are_refused_naming_the_variable(
    key: str, value: str, problem: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={f"FOREWARN_{key.upper()}": value})
    assert f"FOREWARN_{key.upper()}" in str(caught.value)
    assert problem in str(caught.value)


def test_proxy_settings_from_toml_keep_their_types(tmp_path: Path) -> None:
    config = tmp_path / "forewarn.toml"
    config.write_text('upstream = "https://origin.example/"\nupstream_timeout = 2.5\n'
                      "max_body = 4096\nforward_client_address = true\n")
    settings = load_settings(config_file=config)
    assert (settings.upstream, settings.upstream_timeout, settings.max_body,
            settings.forward_client_address) == ("https://origin.example", 2.5, 4096, True)
