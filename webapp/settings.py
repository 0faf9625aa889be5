"""One Settings object, built once at start from defaults, the demo, a TOML file, the environment
and explicit keyword arguments (lowest to highest precedence), then passed down."""

from __future__ import annotations

import ipaddress
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pycountry

from webapp.errors import SettingsError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

DEFAULT_MARKER = "<!-- forewarn -->"
ENV_PREFIX = "FOREWARN_"
LOOPBACK = ("127.0.0.0/8", "::1/128")
PROXY_HEADERS = ("x-forwarded-for", "forwarded")
GUARD_KINDS = ("share", "comment", "contact")  # as in the catalog's guard texts
# The share links of the widgets readers in Russia, Belarus and Iran use most; a caution goes
# beside them (and controls marked data-forewarn-guard) when a notice with a guard text applies.
DEFAULT_GUARD_SELECTORS: tuple[tuple[str, str], ...] = tuple(("share", selector) for selector in (
    'a[href*="vk.com/share"]', 'a[href*="connect.ok.ru/offer"]', 'a[href*="t.me/share"]',
    'a[href*="telegram.me/share"]', 'a[href*="facebook.com/sharer"]',
    'a[href*="twitter.com/intent/"]', 'a[href*="//x.com/intent/"]',
    'a[href*="api.whatsapp.com/send"]', 'a[href*="wa.me/?text"]',
))


@dataclass(frozen=True)
class Settings:
    """Every key of the settings contract (docs/settings.md), typed; ``demo`` is set by
    ``--demo`` only."""

    catalog: Path = Path("catalog/notices.toml")
    geoip_dbs: tuple[Path, ...] = ()
    trusted_proxies: tuple[IPNetwork, ...] = ()
    proxy_header: str = "x-forwarded-for"  # or "forwarded" (RFC 7239): what your proxies write
    country_header: str | None = None
    region_header: str | None = None
    asn_header: str | None = None  # an edge's header with the reader's network's ASN
    # The CDN keys its cache on the country (and region) header: only then may a page decided
    # from them be cached there (Vary), else it is private like every other page.
    cdn_caches_per_place: bool = False
    upstream: str | None = None
    upstream_host: str | None = None  # Host sent upstream: None = the upstream's, "preserve"
    upstream_timeout: float = 10.0  # seconds to connect, and between bytes of the answer
    max_body: int = 10 * 1024 * 1024  # largest request body passed upstream, in bytes
    forward_client_address: bool = False  # X-Forwarded-For to the upstream: off (privacy)
    reload_seconds: float = 5.0  # how often changed catalog/database files are looked for; 0 off
    # The longest a reader's browser may show its copy of a page decided for their place
    # without asking again: the reader may have moved (webapp/page/headers.py, fresh_for)
    browser_max_age: int = 0
    preview_token: str | None = field(default=None, repr=False)
    # Bearer token for /_forewarn/metrics and healthz's details; without it only a bare
    # liveness answer is public (the demo shows everything)
    ops_token: str | None = field(default=None, repr=False)
    # ISO 3166-1 codes the preview shows besides the catalog's jurisdictions; None: the
    # catalog's countries plus DE, US and UA (see webapp/places.py)
    preview_countries: tuple[str, ...] | None = None
    # (kind, CSS selector) pairs: the page's controls the caution of a guard text goes beside
    guard_selectors: tuple[tuple[str, str], ...] = DEFAULT_GUARD_SELECTORS
    marker: str = DEFAULT_MARKER
    prefix: str = "/_forewarn"
    # Where the server keeps the fallback blocks an edge serves when Forewarn cannot answer
    # (webapp/fallback.py): written at start and after every catalog reload. None: not written.
    fallback_dir: Path | None = None
    demo: bool = False


KEYS = tuple(f.name for f in fields(Settings) if f.name != "demo")
_LIST_KEYS = {"geoip_dbs", "trusted_proxies", "preview_countries"}
_NUMBER_KEYS: dict[str, tuple[type[int] | type[float], float]] = {  # key -> (type, minimum)
    "upstream_timeout": (float, 0.001),
    "max_body": (int, 0),
    "reload_seconds": (float, 0),
    "browser_max_age": (int, 0),
}
_BOOL_KEYS = {"forward_client_address", "cdn_caches_per_place"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off", "")


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
    demo_defaults: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge the sources; ``environ`` is passed in by the caller (no module reads os.environ)."""
    environ = environ or {}
    settings = Settings()
    if demo_defaults is not None:
        settings = _apply(settings, demo_defaults, "demo", Path.cwd())
        settings = replace(settings, demo=True)
    config_file = config_file or environ.get(ENV_PREFIX + "CONFIG")
    if config_file:
        path = Path(config_file)
        settings = _apply(settings, _read_toml(path), str(path), path.parent)
    from_env = {
        key: environ[ENV_PREFIX + key.upper()]
        for key in KEYS
        if ENV_PREFIX + key.upper() in environ
    }
    settings = _apply(settings, from_env, "environment", Path.cwd(), env=True)
    return _apply(settings, dict(overrides or {}), "arguments", Path.cwd())


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise SettingsError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(str(path), "", f"not valid TOML: {exc}") from None


def _apply(
    settings: Settings, values: Mapping[str, Any], source: str, base: Path, env: bool = False
) -> Settings:
    changes: dict[str, Any] = {}
    for key, value in values.items():
        where = f"{ENV_PREFIX}{key.upper()}" if env else source
        if key not in KEYS:
            raise SettingsError(where, key, f"unknown setting (known: {', '.join(KEYS)})")
        changes[key] = _convert(key, value, where, base, env)
    return replace(settings, **changes)


def _convert(key: str, value: Any, where: str, base: Path, env: bool) -> Any:
    if key in _LIST_KEYS:
        items = _as_list(key, value, where, env)
        if key == "geoip_dbs":
            return tuple(_path(item, base) for item in items)
        if key == "preview_countries":
            return tuple(_country(item, where, key) for item in items)
        return tuple(_network(item, where, key) for item in items)
    if key == "guard_selectors":
        return _guard_selectors(value, where, env)
    if key in _NUMBER_KEYS:
        return _number(key, value, where)
    if key in _BOOL_KEYS:
        return _bool(key, value, where)
    if not isinstance(value, str):
        raise SettingsError(where, key, f"expected a string, got {type(value).__name__}")
    if key == "catalog":
        return _path(value, base)
    if key == "fallback_dir":
        return _path(value, base) if value else None
    if key == "prefix" and (not value.startswith("/") or value.endswith("/")):
        raise SettingsError(where, key, f"{value!r} must start with '/' and not end with '/'")
    if key == "proxy_header":
        if value.strip().lower() not in PROXY_HEADERS:
            raise SettingsError(where, key, f"{value!r} must be one of {', '.join(PROXY_HEADERS)}")
        return value.strip().lower()
    if key == "upstream":
        return _upstream(value, where) if value else None
    if key in ("country_header", "region_header", "asn_header", "upstream_host",
               "preview_token", "ops_token"):
        return value or None
    return value


def _guard_selectors(value: Any, where: str, env: bool) -> tuple[tuple[str, str], ...]:
    """A table of kind -> list of CSS selectors (in the environment: the same as JSON)."""
    key = "guard_selectors"
    if env and isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError as exc:
            raise SettingsError(where, key, f"not a JSON object: {exc}") from None
    if not isinstance(value, dict):
        raise SettingsError(where, key, "expected a table of share, comment, contact -> list "
                                        "of CSS selectors")
    pairs: list[tuple[str, str]] = []
    for kind, selectors in value.items():
        if kind not in GUARD_KINDS:
            raise SettingsError(where, f"{key}.{kind}", f"unknown kind (known: "
                                                        f"{', '.join(GUARD_KINDS)})")
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise SettingsError(where, f"{key}.{kind}", "expected a list of CSS selectors")
        for i, selector in enumerate(selectors):
            if not selector.strip() or any(char in selector for char in "{}<;"):
                raise SettingsError(where, f"{key}.{kind}[{i}]",
                                    f"{selector!r} is not a CSS selector")
            pairs.append((kind, selector.strip()))
    return tuple(pairs)


def _as_list(key: str, value: Any, where: str, env: bool) -> list[str]:
    if env and isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    raise SettingsError(where, key, "expected a list of strings")


def _path(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return path if path.is_absolute() else base / path


def _network(value: str, where: str, key: str) -> IPNetwork:
    try:
        return ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise SettingsError(where, key, f"{value!r} is not an IP network in CIDR form") from None


def _country(value: str, where: str, key: str) -> str:
    code = value.strip().upper()
    if not code.isascii() or pycountry.countries.get(alpha_2=code) is None:
        raise SettingsError(where, key, f"{value!r} is not an ISO 3166-1 country code")
    return code


def _number(key: str, value: Any, where: str) -> int | float:
    kind, minimum = _NUMBER_KEYS[key]
    try:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValueError
        number = kind(value)
    except ValueError:
        raise SettingsError(where, key, f"expected {'an integer' if kind is int else 'a number'}"
                                        f", got {value!r}") from None
    if not number >= minimum:  # also refuses NaN
        raise SettingsError(where, key, f"{value!r} must be at least {minimum}")
    return number


def _bool(key: str, value: Any, where: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return value.strip().lower() in _TRUE
    raise SettingsError(where, key, f"expected true or false, got {value!r}")


def _upstream(value: str, where: str) -> str:
    """An origin URL: http or https, a host, maybe a path prefix; no query, fragment or user."""
    parts = urlsplit(value.strip())
    problem = None
    if parts.scheme not in ("http", "https"):
        problem = "must start with http:// or https://"
    elif not parts.hostname:
        problem = "has no host"
    elif parts.query or parts.fragment or parts.username is not None:
        problem = "must not carry a query, a fragment or a user name"
    else:
        try:
            parts.port  # noqa: B018 - raises ValueError for a port out of range
        except ValueError:
            problem = "has a bad port"
    if problem:
        raise SettingsError(where, "upstream", f"{value!r} {problem}")
    return value.strip().rstrip("/")
