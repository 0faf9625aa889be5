"""Hold what Forewarn loads at start (catalog, geo databases, renderer) and answer, per request,
where the reader is, which notices apply and what the block looks like."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from geoip.location import UNKNOWN, Location
from geoip.locator import Locator
from webapp.catalog import load_catalog
from webapp.cdn import cdn_headers, cdn_location
from webapp.clientaddr import client_address, is_trusted, parse_address
from webapp.jurisdiction import JurisdictionIndex
from webapp.links import Request
from webapp.metrics import Metrics
from webapp.render import Rendered, Renderer
from webapp.selection import Decision, decide
from webapp.settings import IPNetwork, Settings


def utc_today() -> date:
    return datetime.now(UTC).date()


class Engine:
    """Everything loaded once; the per-request methods do look-ups and a cached render only.

    Raises CatalogError or GeoDatabaseError at construction when the files are unusable.
    """

    def __init__(
        self, settings: Settings, clock: Callable[[], date] = utc_today,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.metrics = metrics or Metrics()
        self.catalog = load_catalog(settings.catalog)
        self.index = JurisdictionIndex(self.catalog)
        self.locator = Locator(settings.geoip_dbs)
        self.renderer = Renderer(self.catalog, settings.prefix)
        self._cdn = cdn_headers(settings.country_header, settings.region_header)
        self.loaded_at = datetime.now(UTC)

    def locate(self, environ: Mapping[str, Any]) -> Location:
        """The reader's probable location from the request (address via trusted proxies)."""
        return self.place(environ)[0]

    def place(self, environ: Mapping[str, Any]) -> tuple[Location, tuple[str, ...]]:
        """The reader's location, and the request headers it was decided from when they were a
        trusted CDN's country headers (the response then Varies on them instead of being
        private). A CDN header counts only when the direct peer is a trusted proxy."""
        settings = self.settings
        location: Location | None = None
        vary: tuple[str, ...] = ()
        if self._cdn is not None and _peer_trusted(environ, settings.trusted_proxies):
            location = cdn_location(environ, self._cdn)
            vary = self._cdn.vary if location is not None else ()
        if location is None:
            address = client_address(environ, settings.trusted_proxies, settings.proxy_header)
            location = UNKNOWN if address is None else self.locator.locate(address)
        self.metrics.lookups.labels("located" if location.known else "unknown").inc()
        return location, vary

    def decide(
        self, location: Location, page_lang: str | None, day: date | None = None, *,
        accept_language: str | None = None,
    ) -> Decision:
        return decide(self.catalog, self.index, location, page_lang, day or self.clock(),
                      accept_language=accept_language)

    def block(
        self, decision: Decision, request: Request | None = None, day: date | None = None
    ) -> Rendered:
        """The block as this request gets it (deep links to its path, not via its own mirror)."""
        return self.renderer.block(decision, request, day or self.clock())

    def health(self) -> dict[str, Any]:
        """The /healthz document: what is loaded, from where, how old. No reader data."""
        now = datetime.now(UTC)
        return {
            "status": "ok",
            "catalog": {
                "path": self.catalog.path,
                "organization": self.catalog.organization,
                "notices": len(self.catalog.notices),
                "jurisdictions": len(self.catalog.jurisdictions),
                "loaded_at": self.loaded_at.isoformat(timespec="seconds"),
                "last_error": None,
            },
            "geoip": [
                {
                    "path": str(info.path),
                    "type": info.database_type,
                    "build_date": info.build_time.isoformat(timespec="seconds"),
                    "age_days": round((now - info.build_time).total_seconds() / 86400, 1),
                }
                for info in self.locator.databases
            ],
        }


def _peer_trusted(environ: Mapping[str, Any], trusted: tuple[IPNetwork, ...]) -> bool:
    peer = parse_address(str(environ.get("REMOTE_ADDR", "")))
    return peer is not None and is_trusted(peer, trusted)
