"""Read the country (and region) a trusted CDN or edge says the reader is in, from its headers.

Only used when the direct peer is a trusted proxy and the operator named the header: anyone else
could send ``CF-IPCountry: DE`` to switch a notice off. ``country_header`` may be a header name or
one of the presets below, which also bring the CDN's region header.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pycountry

from geoip.location import UNKNOWN, Location

# name -> (country header, region header or None). The region headers carry only the part of
# the ISO 3166-2 code after the dash ("43"), which is made into the full code ("UA-43").
PRESETS: dict[str, tuple[str, str | None]] = {
    # CF-Region-Code comes with Cloudflare's "Add visitor location headers" managed transform
    "cloudflare": ("CF-IPCountry", "CF-Region-Code"),
    "cloudfront": ("CloudFront-Viewer-Country", "CloudFront-Viewer-Country-Region"),
    "vercel": ("X-Vercel-IP-Country", "X-Vercel-IP-Country-Region"),
    "appengine": ("X-AppEngine-Country", "X-AppEngine-Region"),
}
# Request headers in which CDNs, load balancers and proxies pass on the reader's address or
# place (docs/deploying.md lists them). The proxy never forwards any of them to the origin
# (privacy), whether or not Forewarn reads them, nor any header starting with a prefix below.
READER_HEADERS = frozenset({
    # the forwarding headers everyone writes
    "x-forwarded-for", "forwarded", "x-real-ip", "true-client-ip", "x-client-ip",
    "x-cluster-client-ip", "client-ip", "x-original-forwarded-for", "x-originating-ip",
    # Cloudflare
    "cf-connecting-ip", "cf-connecting-ipv6", "cf-pseudo-ipv4", "cf-ipcountry", "cf-ipcity",
    "cf-ipcontinent", "cf-iplatitude", "cf-iplongitude", "cf-region", "cf-region-code",
    "cf-metro-code", "cf-postal-code", "cf-timezone",
    # Fastly, Akamai, Azure Front Door, Netlify, Fly.io, Google Cloud load balancers
    "fastly-client-ip", "x-akamai-edgescape", "x-azure-clientip",
    "x-azure-socketip", "x-nf-client-connection-ip", "x-nf-geo", "fly-client-ip",
    "x-client-geo-location", "x-client-region", "x-client-region-subdivision", "x-client-city",
    "x-client-city-lat-long",
    # Vercel and Google App Engine
    "x-vercel-forwarded-for", "x-appengine-user-ip", "x-appengine-country",
    "x-appengine-region", "x-appengine-city", "x-appengine-citylatlong",
})
# Every CloudFront-Viewer-* header (address, country, region, city, postal code, time zone,
# latitude, longitude, metro code, ASN, TLS fingerprints) and every X-Vercel-IP-* header.
READER_HEADER_PREFIXES = ("cloudfront-viewer-", "x-vercel-ip-")


def carries_reader(name: str) -> bool:
    """Whether the request header ``name`` carries the reader's address or place."""
    lower = name.lower()
    return lower in READER_HEADERS or lower.startswith(READER_HEADER_PREFIXES)


# Values CDNs use for "we do not know": Cloudflare's XX and T1 (Tor), App Engine's ZZ, and the
# legacy anonymous-proxy / satellite codes.
NOT_A_PLACE = frozenset({"XX", "T1", "ZZ", "A1", "A2", "O1", "EU", "AP"})


@dataclass(frozen=True, slots=True)
class CdnHeaders:
    """The header names to read; ``vary`` is what a response decided from them must Vary on."""

    country: str
    region: str | None
    asn: str | None = None  # an edge's own header with the network's ASN (nginx geoip2)

    @property
    def vary(self) -> tuple[str, ...]:
        return tuple(h for h in (self.country, self.region, self.asn) if h)


def cdn_headers(country_header: str | None, region_header: str | None,
                asn_header: str | None = None) -> CdnHeaders | None:
    """The headers configured by the settings (a preset name or a header name), or None."""
    if not country_header:
        return None
    preset = PRESETS.get(country_header.strip().lower())
    if preset is not None:
        return CdnHeaders(preset[0], region_header or preset[1], asn_header)
    return CdnHeaders(country_header.strip(), region_header, asn_header)


def cdn_location(environ: Mapping[str, Any], headers: CdnHeaders) -> Location | None:
    """The location the headers give; None when the country header is absent (then the address
    decides), UNKNOWN when it is present but says "unknown" (Tor, XX) or is not a country."""
    raw = environ.get(_environ_key(headers.country))
    if raw is None:
        return None
    asn = _asn(environ, headers.asn)
    country = str(raw).strip().upper()
    if country in NOT_A_PLACE or not _is_country(country):
        # As from a database: a network the catalog lists can place a reader with no country.
        return UNKNOWN if asn is None else Location(None, (), asn, (("asn", str(headers.asn)),))
    sources = [("country", headers.country)]
    if asn is not None:
        sources.append(("asn", str(headers.asn)))
    regions: tuple[str, ...] = ()
    if headers.region:
        region = _full_region(country, str(environ.get(_environ_key(headers.region), "")))
        if region:
            regions = (region,)
            sources.append(("regions", headers.region))
    return Location(country, regions, asn, tuple(sources))


def _asn(environ: Mapping[str, Any], header: str | None) -> int | None:
    """The ASN header's number ("64500" or "AS64500"), or None."""
    if not header:
        return None
    text = str(environ.get(_environ_key(header), "")).strip().upper().removeprefix("AS")
    return int(text) if text.isdigit() and len(text) <= 10 else None


def _environ_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


@lru_cache(maxsize=512)
def _is_country(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and pycountry.countries.get(alpha_2=code) is not None


@lru_cache(maxsize=4096)
def _full_region(country: str, value: str) -> str | None:
    text = value.strip().upper()
    if not text or len(text) > 6:
        return None
    code = text if "-" in text else f"{country}-{text}"
    if not code.startswith(country + "-"):
        return None
    return code if pycountry.subdivisions.get(code=code) is not None else None
