"""Settings: defaults, demo, file, environment and arguments, in that order of precedence."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from webapp.errors import SettingsError
from webapp.settings import Settings, load_settings


def test_defaults_trust_no_proxy_and_use_the_documented_prefix_and_marker() -> None:
    settings = load_settings(environ={})
    assert settings == Settings()
    assert settings.trusted_proxies == ()
    assert settings.prefix == "/_forewarn"
    assert settings.marker == "<!-- forewarn -->"


def test_file_then_environment_then_arguments_each_override_the_one_before(tmp_path: Path) -> None:
    config = tmp_path / "forewarn.toml"
    config.write_text('catalog = "mine.toml"\nprefix = "/_fw"\ncountry_header = "CF-IPCountry"\n')
    environ = {"FOREWARN_CONFIG": str(config), "FOREWARN_PREFIX": "/_env"}
    settings = load_settings({"country_header": "X-Country"}, environ=environ)
    assert settings.catalog == tmp_path / "mine.toml"  # relative to the file's folder
    assert settings.prefix == "/_env"
    assert settings.country_header == "X-Country"


def test_the_fail_safe_keys(tmp_path: Path) -> None:
    config = tmp_path / "forewarn.toml"
    config.write_text('fallback_dir = "fallback"\ncdn_caches_per_place = true\n')
    settings = load_settings(config_file=config, environ={})
    assert settings.fallback_dir == tmp_path / "fallback"  # relative to the file's folder
    assert settings.cdn_caches_per_place is True
    assert load_settings(environ={"FOREWARN_FALLBACK_DIR": ""}).fallback_dir is None
    with pytest.raises(SettingsError, match="FOREWARN_CDN_CACHES_PER_PLACE: expected true or"):
        load_settings(environ={"FOREWARN_CDN_CACHES_PER_PLACE": "maybe"})


def test_environment_lists_are_comma_separated() -> None:
    environ = {"FOREWARN_TRUSTED_PROXIES": "10.0.0.0/8, ::1",
               "FOREWARN_GEOIP_DBS": "/a.mmdb,/b.mmdb"}
    settings = load_settings(environ=environ)
    assert settings.trusted_proxies == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("::1/128"),
    )
    assert settings.geoip_dbs == (Path("/a.mmdb"), Path("/b.mmdb"))


def test_demo_values_are_overridden_by_the_environment() -> None:
    demo = {"catalog": "/demo/notices.toml", "trusted_proxies": ["127.0.0.0/8"]}
    settings = load_settings(environ={"FOREWARN_CATALOG": "/other.toml"}, demo_defaults=demo)
    assert settings.demo
    assert settings.catalog == Path("/other.toml")
    assert settings.trusted_proxies == (ipaddress.ip_network("127.0.0.0/8"),)


@pytest.mark.parametrize(
    ("environ", "overrides", "expected"),
    [
        ({"FOREWARN_TRUSTED_PROXIES": "10.0.0.0/8,garbage"}, {},
         "FOREWARN_TRUSTED_PROXIES: 'garbage' is not an IP network in CIDR form"),
        ({}, {"prefix": "_fw/"}, "arguments: prefix: '_fw/' must start with '/'"),
        ({"FOREWARN_PROXY_HEADER": "X-Real-IP"}, {},
         "FOREWARN_PROXY_HEADER: 'X-Real-IP' must be one of x-forwarded-for, forwarded"),
        ({}, {"catalgo": "x.toml"}, "arguments: catalgo: unknown setting"),
        ({}, {"geoip_dbs": "/one.mmdb"}, "arguments: geoip_dbs: expected a list of strings"),
    ],
)
def test_bad_settings_name_the_source_key_and_problem(
    environ: dict[str, str], overrides: dict[str, object], expected: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(overrides, environ=environ)
    assert str(caught.value).startswith(expected)


def test_a_broken_settings_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("catalog = \n")
    with pytest.raises(SettingsError, match=r"bad\.toml: not valid TOML"):
        load_settings(environ={"FOREWARN_CONFIG": str(config)})


def test_guard_selectors_come_from_a_table_in_the_file_or_json_in_the_environment(
    tmp_path: Path,
) -> None:
    config = tmp_path / "forewarn.toml"
    config.write_text('[guard_selectors]\nshare = [\'a[href*="vk.com/share"]\', ".like"]\n'
                      'comment = ["form#comments"]\n')
    from_file = load_settings(config_file=config, environ={})
    assert from_file.guard_selectors == (("share", 'a[href*="vk.com/share"]'),
                                         ("share", ".like"), ("comment", "form#comments"))
    from_env = load_settings(environ={"FOREWARN_GUARD_SELECTORS": '{"contact": ["a.tip"]}'})
    assert from_env.guard_selectors == (("contact", "a.tip"),)
    assert load_settings(environ={"FOREWARN_GUARD_SELECTORS": ""}).guard_selectors == ()
    assert ("share", 'a[href*="t.me/share"]') in load_settings(environ={}).guard_selectors


@pytest.mark.parametrize(
    ("value", "key", "problem"),
    [
        ({"like": [".x"]}, "guard_selectors.like", "unknown kind (known: share, comment, contact)"),
        ({"share": ".x"}, "guard_selectors.share", "expected a list of CSS selectors"),
        ({"share": [".x", "  "]}, "guard_selectors.share[1]", "'  ' is not a CSS selector"),
        ({"share": ["a{color:red}"]}, "guard_selectors.share[0]", "is not a CSS selector"),
        (["a"], "guard_selectors", "expected a table of share, comment, contact"),
    ],
)
def test_bad_guard_selectors_name_the_kind_and_the_selector(
    value: object, key: str, problem: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings({"guard_selectors": value}, environ={})
    assert f"arguments: {key}: " in str(raised.value) and problem in str(raised.value)


def test_guard_selectors_in_the_environment_must_be_a_json_object() -> None:
    with pytest.raises(SettingsError) as raised:
        load_settings(environ={"FOREWARN_GUARD_SELECTORS": "share=a.x"})
    assert str(raised.value).startswith("FOREWARN_GUARD_SELECTORS: not a JSON object")
