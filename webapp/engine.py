"""Hold what Forewarn loads at start (catalog, geo databases, renderer) and give each request its
answer: where the reader is, which notices apply, the block, the headers and the counts.

``Engine.answer`` is the one answer path: the middleware (every page, the proxy's included), the
fragment endpoint and the preview's pages all call it (docs/architecture.md)."""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from geoip.database import GeoDatabase
from geoip.errors import GeoDatabaseError
from geoip.location import UNKNOWN, Location
from geoip.locator import Locator
from webapp.catalog.check import load_and_log
from webapp.catalog.model import Catalog, catalog_files
from webapp.errors import CatalogError, SettingsError
from webapp.fallback import FallbackWriter
from webapp.metrics import Metrics
from webapp.page.headers import EDGE_KEY_HEADER, MutableHeaders, finish, sendable
from webapp.reader.address import Trusted, client_address_text, parse_address
from webapp.reader.as_data import DataRenderer
from webapp.reader.cdn import cdn_headers, cdn_location
from webapp.reader.forced import FORCED_KEY, Forced
from webapp.reader.freshness import Freshness
from webapp.reader.jurisdiction import JurisdictionIndex
from webapp.reader.links import PageURL
from webapp.reader.render import Rendered, Renderer
from webapp.reader.selection import Decision, Selector
from webapp.reader.variant import Partition, mismatch
from webapp.settings import Settings
from webapp.watch import FileState, Reloader, Taken

log = logging.getLogger("forewarn")
EDGE_KEY = "HTTP_X_FOREWARN_VARIANT"  # the key a trusted edge keeps this page's copy under
# How long an edge that keeps pages per variant may serve an expired copy while it asks again:
# long enough that no reader waits on a Forewarn that hangs, short enough that a copy whose
# renewal is refused (a map older than the catalog) is not served on and on.
EDGE_STALE_SECONDS = 60


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(frozen=True, slots=True)
class Answer:
    """What Forewarn gives one request: the decision, the block encoded for the page (empty when
    no notice applies), the page's Onion-Location, the request headers the decision came from
    (a trusted CDN's place headers, and Accept-Language when it chose a language: the response
    Varies on them; with none, it is private), and the variant's name for its ETag."""

    decision: Decision
    block: bytes
    onion_location: str | None
    vary: tuple[str, ...]
    variant: str = ""
    edge_key: str | None = None  # the variant edge cache's key (webapp/reader/variant.py)
    lifetime: int | None = None  # seconds until what readers get can change, if it can
    browser: int | None = None  # the longest the reader's browser may keep it (browser_max_age)

    @property
    def notice_ids(self) -> tuple[str, ...]:
        return self.decision.notice_ids

    def finish(self, headers: MutableHeaders, added: int, *, length_known: bool = True) -> None:
        """Set the response headers for ``added`` bytes of block inserted into the body: notice
        ids, cache safety, length, ETag (webapp/page/headers.py) and Onion-Location."""
        if self.onion_location and "Onion-Location" not in headers:
            headers["Onion-Location"] = self.onion_location
        stale = EDGE_STALE_SECONDS if self.vary == (EDGE_KEY_HEADER,) else None
        finish(headers, self.notice_ids, added, length_known=length_known, vary=self.vary,
               variant=self.variant or None, edge_key=self.edge_key, lifetime=self.lifetime,
               stale=stale, browser=self.browser)


@dataclass(frozen=True, slots=True)
class DataAnswer:
    """The same decision as data for an app (webapp/notices_json.py): the JSON body and the
    request headers the decision came from, as in Answer."""

    decision: Decision
    body: bytes
    vary: tuple[str, ...]

    def finish(self, headers: MutableHeaders) -> None:
        """Notice ids and cache safety, exactly as for a page (webapp/page/headers.py)."""
        finish(headers, self.decision.notice_ids, 0, vary=self.vary)


@dataclass(frozen=True, slots=True)
class Reading:
    """One request's reader: the decision, the request headers it came from (Answer.vary), the
    day it was made for (None: today) and whether the preview forced it (then not counted)."""

    decision: Decision
    vary: tuple[str, ...]
    day: date | None
    forced: bool
    edge_key: str | None = None  # behind a variant edge cache (Engine._edge_key)
    state: CatalogState | None = None  # the catalog version decided from


@dataclass(frozen=True)
class CatalogState:
    """A catalog with what is built from it, swapped as one on reload: a request decides and
    renders with one version, never a decision from the old catalog in the new one's words."""

    catalog: Catalog
    index: JurisdictionIndex
    renderer: Renderer
    selector: Selector
    data: DataRenderer
    freshness: Freshness

    @cached_property
    def partition(self) -> Partition:
        """The catalog's variants, built when an edge first asks (webapp/reader/variant.py)."""
        return Partition(self.catalog, self.index)


class Engine:
    """Everything loaded once; the per-request methods do look-ups and a cached render only.

    Raises CatalogError or GeoDatabaseError at construction when the files are unusable. Later,
    changed files are loaded again in the background (``settings.reload_seconds``); a bad
    version keeps the last good one and shows in ``health()``.

    ``last_good`` is an engine built earlier from the same settings (gunicorn's master, before
    it forks a worker): a file that is bad now is then not an error but its last good version,
    degraded in ``health()`` as after a failed reload. Without it, a worker started while the
    catalog was being edited badly would fail to boot, and gunicorn would stop serving.
    """

    def __init__(
        self, settings: Settings, clock: Callable[[], date] = utc_today,
        metrics: Metrics | None = None, last_good: Engine | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.metrics = metrics or Metrics()
        catalog_error: CatalogError | None = None
        catalog_taken = Taken.now(settings.catalog, catalog_files)
        database_taken = [Taken.now(Path(path)) for path in settings.geoip_dbs]
        try:
            catalog = load_and_log(settings.catalog)
        except CatalogError as error:
            if last_good is None:
                raise
            catalog, catalog_error = last_good.catalog, error
        self._state = self._catalog_state(catalog)
        self._previous = self._state
        self.locator: Locator = Locator(settings.geoip_dbs,
                               last_good.locator if last_good is not None else None)
        self._cdn = cdn_headers(settings.country_header, settings.region_header,
                                settings.asn_header)
        self._trusted = Trusted(settings.trusted_proxies)
        self.reloader = Reloader(settings.reload_seconds, self._reload_failed)
        # A changed mirror list (source = "...") or .po file reloads the whole catalog.
        self._catalog_file = self.reloader.watch(
            "catalog", settings.catalog, load_and_log, self.swap_catalog, (CatalogError,),
            depends=catalog_files, taken=catalog_taken)
        self._database_files = [
            self.reloader.watch("geoip", Path(path), GeoDatabase, self.locator.replace,
                                (GeoDatabaseError,), taken=taken)
            for path, taken in zip(self.locator.paths, database_taken, strict=True)
        ]
        if last_good is not None:
            failures: list[tuple[FileState, FileState, Exception | None]] = [
                (self._catalog_file, last_good._catalog_file, catalog_error)]
            failures += [(state, previous, self.locator.failed.get(str(state.path)))
                         for state, previous in zip(self._database_files,
                                                    last_good._database_files, strict=True)]
            for state, previous, failure in failures:
                if failure is not None:
                    state.loaded_at, state.last_error = previous.loaded_at, str(failure)
                    log.warning("%s is unusable now, starting with the version loaded at %s: "
                                "%s", state.path, previous.loaded_at.isoformat(
                                    timespec="seconds"), failure)
                    self._reload_failed(state.kind)
        if settings.fallback_dir is not None:
            self._export_fallbacks(settings.fallback_dir)

    def _export_fallbacks(self, folder: Path) -> None:
        """Write the fallback blocks now (a folder that cannot be written fails the start), and
        again after each reload pass that brought a new catalog or a new day."""
        writer = FallbackWriter(folder, self.settings.prefix, self._reload_failed,
                                guard_selectors=self.settings.guard_selectors)
        try:
            writer.write_now(self.catalog, self.clock())
        except OSError as error:
            raise SettingsError(str(folder), "fallback_dir", f"cannot write: {error}") from None
        ref = weakref.ref(self)  # as the reloader's thread does: an unused engine can go

        def refresh() -> None:
            engine = ref()
            if engine is not None:
                writer.refresh(engine.catalog, engine.clock())

        self.reloader.after_each_pass(refresh)

    @property
    def state(self) -> CatalogState:
        """The catalog version in use and what is built from it; read it once and use it for a
        whole answer (a reload may swap it at any moment)."""
        return self._state

    @property
    def catalog(self) -> Catalog:
        return self._state.catalog

    @property
    def index(self) -> JurisdictionIndex:
        return self._state.index

    @property
    def renderer(self) -> Renderer:
        return self._state.renderer

    def _catalog_state(self, catalog: Catalog) -> CatalogState:
        index = JurisdictionIndex(catalog)
        renderer = Renderer(catalog, self.settings.prefix,
                            guard_selectors=self.settings.guard_selectors)
        return CatalogState(catalog, index, renderer, Selector(catalog, index),
                            DataRenderer(renderer), Freshness(catalog))

    def swap_catalog(self, catalog: Catalog) -> None:
        """Use ``catalog`` from now on (what a reload does with a good new version)."""
        state = self._catalog_state(catalog)
        self._previous, self._state = self._state, state

    def _reload_failed(self, kind: str) -> None:
        self.metrics.reload_failures.labels(kind).inc()

    def place(self, environ: Mapping[str, Any]) -> tuple[Location, tuple[str, ...]]:
        """The reader's location, and the request headers it was decided from when they were a
        trusted CDN's country headers (the response then Varies on them instead of being
        private). A CDN header counts only when the direct peer is a trusted proxy."""
        location: Location | None = None
        vary: tuple[str, ...] = ()
        if self._cdn is not None and _peer_trusted(environ, self._trusted):
            location = cdn_location(environ, self._cdn)
            # Cacheable per place only where the CDN is known to key its cache on the place.
            per_place = location is not None and self.settings.cdn_caches_per_place
            vary = self._cdn.vary if per_place else ()
        if location is None:
            address = client_address_text(environ, self._trusted, self.settings.proxy_header)
            location = UNKNOWN if address is None else self.locator.locate(address)
        self.metrics.looked_up(location.known)
        return location, vary

    def decide(
        self, location: Location, page_lang: str | None, day: date | None = None, *,
        accept_language: str | None = None,
    ) -> Decision:
        state = self._state  # one read: the decision and its rendering use this version
        return state.selector.decide(location, page_lang, day or self.clock(),
                                     accept_language=accept_language)

    def read(self, environ: Mapping[str, Any], page_lang: str | None) -> Reading:
        """Place the reader of ``environ`` and decide for a page in ``page_lang``: what every
        answer (page, fragment, JSON) starts from. The preview's forced place, day and
        language (webapp/reader/forced.py) win over the request's."""
        forced = environ.get(FORCED_KEY)
        vary: tuple[str, ...] = ()
        state = self._state  # one read: the decision and its edge key from one version
        if isinstance(forced, Forced):
            location, day = forced.location, forced.day
            page_lang = forced.lang or page_lang
        else:
            (location, vary), day = self.place(environ), None
        accept = environ.get("HTTP_ACCEPT_LANGUAGE")
        decision = state.selector.decide(location, page_lang, day or self.clock(),
                                         accept_language=accept)
        edge_key: str | None = None
        if vary:
            vary, edge_key = self._edge_key(state, decision, page_lang, accept, vary,
                                            environ.get(EDGE_KEY))
        return Reading(decision, vary, day, isinstance(forced, Forced), edge_key, state)

    def _edge_key(
        self, state: CatalogState, decision: Decision, page_lang: str | None,
        accept: str | None, vary: tuple[str, ...], sent: str | None,
    ) -> tuple[tuple[str, ...], str]:
        """What a page an edge may keep per place Varies on, and its variant key. When the edge
        sent the key it keeps the page under (``X-Forewarn-Variant``, from a trusted proxy, as
        the CDN headers are), the page Varies on that key alone if it is this reader's, and is
        private (counted by why) if not: the edge must not keep it under a key other readers
        share. Without one, it Varies on the CDN headers (and Accept-Language when that chose a
        language), as before."""
        key = state.partition.key(decision, page_lang, accept, sent)
        if sent is None:
            return ((*vary, "Accept-Language") if decision.used_accept_language else vary), key
        if sent == key:
            return (EDGE_KEY_HEADER,), key
        self.metrics.variant_mismatch(mismatch(sent, key))
        return (), key

    def answer(
        self, environ: Mapping[str, Any], page_lang: str | None, *, charset: str = "utf-8",
        path: str | None = None, reading: Reading | None = None,
    ) -> Answer:
        """The answer for the reader of ``environ`` on a page in ``page_lang`` (its ``<html
        lang>`` or Content-Language), the block encoded in ``charset``; ``path`` is the page's
        when it is not the request's own (the fragment's ``path=``). Counts the look-up, the
        notices served and the cautions the block brings, except for the preview's forced
        requests (webapp/reader/forced.py). ``reading`` is ``read``'s for the same request and
        page when the caller needed the decision first."""
        if reading is None:
            reading = self.read(environ, page_lang)
        decision = reading.decision
        block, onion = b"", None
        today = self.clock()
        if decision.shown:
            page = PageURL.from_environ(environ, path)
            block, onion = self.block_bytes(decision, page, charset, reading.day)
            if onion is not None and not sendable(onion):
                self._unsendable("Onion-Location")
                onion = None
        else:
            page = PageURL.host_of_request(environ)  # all a page without a block depends on
        lifetime = None
        if not reading.forced:
            self.metrics.served(decision.notice_ids)
            if block:
                self.metrics.cautions_served(self._renderer_for(decision).kinds(decision))
            freshness = (reading.state or self._state).freshness
            if freshness.changes:
                lifetime = freshness.seconds_left(today, time.time())
        variant = self._renderer_for(decision).variant(decision, page, reading.day or today)
        return Answer(decision, block, onion, reading.vary, variant, reading.edge_key, lifetime,
                      self.settings.browser_max_age)

    def _unsendable(self, header: str) -> None:
        """A header value from the catalog that HTTP cannot carry (URLs are checked and encoded
        at load, so only a catalog that bypassed that gets here): dropped, counted and logged,
        and the page is served with its notice. The log names the header, not the page."""
        self.metrics.dropped_header(header)
        log.warning("%s dropped: its value from the catalog cannot be sent in a header", header)

    def answer_data(self, environ: Mapping[str, Any], page_lang: str | None, *,
                    path: str | None = None) -> DataAnswer:
        """The same decision as ``answer`` gives a page, as JSON for an app (the notices,
        their texts, mirror links with deep links to ``path``, and cautions). Counted apart
        from pages, in ``forewarn_notices_json_total``."""
        reading = self.read(environ, page_lang)
        decision = reading.decision
        page = PageURL.from_environ(environ, path)
        body = self._state_for(decision).data.json(decision, page, reading.day or self.clock())
        if not reading.forced:
            self.metrics.answered_json(decision.notice_ids)
        return DataAnswer(decision, body, reading.vary)

    def block(
        self, decision: Decision, page: PageURL | None = None, day: date | None = None
    ) -> Rendered:
        """The block for ``page`` (deep links to its path, not via the mirror it came through),
        rendered from the catalog version the decision was made with."""
        return self._renderer_for(decision).block(decision, page, day or self.clock())

    def block_bytes(
        self, decision: Decision, page: PageURL | None = None, charset: str = "utf-8",
        day: date | None = None,
    ) -> tuple[bytes, str | None]:
        """``block()`` encoded in ``charset``, and the page's Onion-Location."""
        return self._renderer_for(decision).block_bytes(decision, page, day or self.clock(),
                                                        charset)

    def _renderer_for(self, decision: Decision) -> Renderer:
        return self._state_for(decision).renderer

    def _state_for(self, decision: Decision) -> CatalogState:
        """The catalog version ``decision`` was made with, and what is built from it."""
        for state in (self._state, self._previous):
            if decision.catalog is None or decision.catalog is state.catalog:
                return state
        # Two reloads while this one request was between deciding and rendering.
        assert decision.catalog is not None
        return self._catalog_state(decision.catalog)

    def health(self) -> dict[str, Any]:
        """The /healthz document: what is loaded, from where, how old, and the last reload
        error of each file. ``status`` is "degraded" while any file's newer version is bad
        (Forewarn still serves, with the last good one, and answers 200: a load balancer keeps
        it in service, docs/deploying.md "Health checks"). No reader data."""
        now = datetime.now(UTC)
        catalog = self.catalog
        states = (self._catalog_file, *self._database_files)
        return {
            "status": "degraded" if any(state.last_error for state in states) else "ok",
            "catalog": {
                "path": catalog.path,
                "organization": catalog.organization,
                "notices": len(catalog.notices),
                "jurisdictions": len(catalog.jurisdictions),
                **_file_health(self._catalog_file),
            },
            "geoip": [
                {
                    "path": str(info.path),
                    "type": info.database_type,
                    "build_date": info.build_time.isoformat(timespec="seconds"),
                    "age_days": round((now - info.build_time).total_seconds() / 86400, 1),
                    **_file_health(state),
                }
                for info, state in zip(self.locator.databases, self._database_files, strict=True)
            ],
            "reload_seconds": self.settings.reload_seconds,
        }


def _file_health(state: FileState) -> dict[str, Any]:
    return {"loaded_at": state.loaded_at.isoformat(timespec="seconds"),
            "last_error": state.last_error}


def _peer_trusted(environ: Mapping[str, Any], trusted: Trusted) -> bool:
    peer = parse_address(str(environ.get("REMOTE_ADDR", "")))
    return peer is not None and peer in trusted
