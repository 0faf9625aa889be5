"""Read and validate the preview's query string (and the same values from the command line):
every value is checked against ISO codes, Babel's languages and the site, or refused with a
QueryError naming the parameter. Values are never echoed back in the message."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

import pycountry
from babel import Locale, UnknownLocaleError
from werkzeug.datastructures import MultiDict

from webapp.errors import QueryError
from webapp.preview.places import Place

PARAMS = ("path", "country", "region", "asn", "lang", "date", "accept_language", "sig")
MAX_VALUE = 2048
_COUNTRY = re.compile(r"[A-Za-z]{2}", re.ASCII)
_REGION = re.compile(r"[A-Za-z]{2}-[A-Za-z0-9]{1,3}", re.ASCII)
_LANG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", re.ASCII)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_RANGE = re.compile(  # one Accept-Language item (RFC 9110, section 12.5.4)
    r"\s*(\*|[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*)\s*(;\s*q\s*=\s*(0(\.\d{0,3})?|1(\.0{0,3})?))?\s*",
    re.ASCII)
_PARAM_NAME = re.compile(r"[A-Za-z0-9_.-]{1,40}", re.ASCII)


@dataclass(frozen=True)
class Sites:
    """Where an article URL may point: this site's host and the configured upstream."""

    host: str
    upstream: str | None = None
    prefix: str = "/_forewarn"


@dataclass(frozen=True)
class PreviewQuery:
    """What the editor asked for; ``dropped_region`` is a region that was not in ``country``
    (the form keeps the old region when only the country was changed)."""

    path: str = "/"
    country: str | None = None
    region: str | None = None
    asn: int | None = None  # a network only: for jurisdictions given by ASN alone
    lang: str | None = None
    day: date | None = None
    accept_language: str | None = None
    sig: str | None = None
    dropped_region: str | None = field(default=None, compare=False)

    @property
    def place(self) -> Place | None:
        """The place picked in the form, or None when the editor picked none."""
        if self.country is None:
            return Place(asn=self.asn) if self.asn is not None else None
        return Place(self.country, self.region, self.asn)

    def common(self) -> dict[str, str]:
        """The query values every frame and link carries (not the place)."""
        values = {"path": self.path if self.path != "/" else None, "lang": self.lang,
                  "date": self.day.isoformat() if self.day else None,
                  "accept_language": self.accept_language, "sig": self.sig}
        return {key: value for key, value in values.items() if value}


def parse_query(args: MultiDict[str, str], sites: Sites, *, lenient_region: bool = False,
                ) -> PreviewQuery:
    """Validate ``args``; with ``lenient_region`` a region outside the chosen country is dropped
    (and reported in ``dropped_region``) instead of refused."""
    values = _single_values(args)
    country = parse_country(values.get("country"))
    region = parse_region(values.get("region"))
    dropped = None
    if region is not None and country not in (None, region[:2]):
        if not lenient_region:
            raise QueryError("region", f"is not a region of the country {country}")
        region, dropped = None, region
    if region is not None:
        country = region[:2]
    return PreviewQuery(
        path=parse_path(values.get("path") or "/", sites), country=country, region=region,
        asn=parse_asn(values.get("asn")), lang=parse_lang(values.get("lang")),
        day=parse_date(values.get("date")),
        accept_language=parse_accept_language(values.get("accept_language")),
        sig=values.get("sig") or None, dropped_region=dropped)


def _single_values(args: MultiDict[str, str]) -> Mapping[str, str]:
    """Each known parameter once; repeated or unknown parameters and huge values are refused."""
    for key in args:
        if key not in PARAMS:
            name = key if _PARAM_NAME.fullmatch(key) else "a parameter"
            raise QueryError(name, f"unknown parameter (the preview takes {', '.join(PARAMS)})")
        if len(args.getlist(key)) > 1:
            raise QueryError(key, "is given more than once")
        if len(args[key]) > MAX_VALUE:
            raise QueryError(key, f"is longer than {MAX_VALUE} characters")
    return {key: args[key] for key in args}


def parse_country(value: str | None) -> str | None:
    if not value:
        return None
    if not _COUNTRY.fullmatch(value) or pycountry.countries.get(alpha_2=value) is None:
        raise QueryError("country", "must be an ISO 3166-1 country code such as RU")
    return value.upper()


def parse_region(value: str | None) -> str | None:
    if not value:
        return None
    if not _REGION.fullmatch(value) or pycountry.subdivisions.get(code=value) is None:
        raise QueryError("region", "must be an ISO 3166-2 region code such as UA-43")
    return value.upper()


def parse_asn(value: str | None) -> int | None:
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**32):
        raise QueryError("asn", "must be an autonomous system number such as 64505")
    return int(value)


def parse_lang(value: str | None) -> str | None:
    if not value:
        return None
    try:
        if not _LANG.fullmatch(value):
            raise ValueError(value)
        Locale.parse(value, sep="-")
    except (ValueError, UnknownLocaleError):
        raise QueryError("lang", "must be a language code such as ru or pt-BR") from None
    return value


def parse_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError("date", "must be a day written YYYY-MM-DD, such as 2026-01-31") from None


def parse_accept_language(value: str | None) -> str | None:
    """An Accept-Language value: language ranges with optional weights, each language known."""
    if not value or not value.strip():
        return None
    if len(value) > 256:
        raise QueryError("accept_language", "is longer than 256 characters")
    for item in value.split(","):
        found = _RANGE.fullmatch(item)
        if found is None:
            raise QueryError("accept_language", "must look like 'ru-RU, ru;q=0.9, en;q=0.5'")
        primary = found.group(1).split("-")[0]
        if primary != "*" and not _known_language(primary):
            raise QueryError("accept_language", "names a language that is not ISO 639")
    return value.strip()


def _known_language(code: str) -> bool:
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True


def parse_path(value: str, sites: Sites) -> str:
    """A path on this site, or a full URL naming this site or the upstream, as path?query."""
    if value.lower().startswith(("http://", "https://")):
        value = _path_of_url(value, sites)
    if not value.startswith("/") or value.startswith("//"):
        raise QueryError("path", "must be a path on this site starting with one '/', or a URL "
                                 "on this site or its origin")
    if any(char.isspace() or not char.isprintable() or char == "\\" for char in value):
        raise QueryError("path", "must not hold spaces, control characters or backslashes")
    if value == sites.prefix or value.startswith((sites.prefix + "/", sites.prefix + "?")):
        raise QueryError("path", f"must be an article, not Forewarn's own {sites.prefix}")
    return value


def _path_of_url(value: str, sites: Sites) -> str:
    try:
        parts = urlsplit(value)
        netloc = parts.netloc.lower()
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise QueryError("path", "is not a valid URL") from None
    if parts.username is not None or parts.password is not None:
        raise QueryError("path", "must not carry a user name or password")
    base = ""
    if netloc != sites.host.lower():
        upstream = urlsplit(sites.upstream) if sites.upstream else None
        if upstream is None or netloc != upstream.netloc.lower():
            allowed = " or ".join(filter(None, (sites.host, upstream and upstream.netloc)))
            raise QueryError("path", f"must be a URL on this site ({allowed})")
        base = upstream.path.rstrip("/")
    path = parts.path or "/"
    if base:
        if path != base and not path.startswith(base + "/"):
            raise QueryError("path", f"must be a URL under the origin's {base}/")
        path = path[len(base):] or "/"
    return path + (f"?{parts.query}" if parts.query else "")
