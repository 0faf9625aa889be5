"""The editors' preview (a blueprint under the prefix): an article as readers in each place get
it, side by side; the matrix of notice ids per place and page language, as a page and as CSV."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from flask import Blueprint, Response, abort, current_app, g, render_template, request, url_for

from webapp.catalog.check import text_languages
from webapp.catalog.interface import Coverage
from webapp.engine import Engine
from webapp.errors import QueryError
from webapp.fallback import IfDown, if_down
from webapp.preview.access import Access, FrameSigner, check_access, frame_scope
from webapp.preview.as_reader import Served, View, serve_as
from webapp.preview.budget import (
    BUDGETS,
    Height,
    Heights,
    block_of,
    heights_path,
    matrix_heights,
)
from webapp.preview.matrix import (
    OTHER,
    Matrix,
    build_matrix,
    language_name,
    page_languages,
    severities,
    to_csv,
)
from webapp.preview.places import (
    UNKNOWN_PLACE,
    Place,
    PlaceNames,
    all_countries,
    chosen_countries,
    country_name,
    matrix_places,
    preview_places,
    regions_of,
)
from webapp.preview.query import PreviewQuery, Sites, parse_query

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

preview_blueprint = Blueprint("preview", __name__)

# The preview's own pages: no inline script or style, nothing from elsewhere, no framing by
# other sites. Article frames are the publisher's pages and keep their own policy.
PAGE_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; frame-src 'self'; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
EXPIRED_TEXT = ("This preview link has expired. Ask for a new one "
                "(forewarn preview --link).")
FRAME_EXPIRED_TEXT = "This view has expired. Open the preview again to see it."


@dataclass(frozen=True)
class PreviewBacking:
    """What the preview's views work with, set by the endpoints app: the engine (catalog,
    settings, clock) and ``pages``, which serves a page as a reader gets it."""

    KEY: ClassVar[str] = "forewarn.preview"
    engine: Engine
    pages: WSGIApplication


@dataclass(frozen=True)
class Frame:
    """One place in the side-by-side page: its frame's URL and the notices it got."""

    place: Place
    src: str
    served: Served
    label: str  # the place as editors say it (PlaceNames)
    heading: str  # and the jurisdictions it falls in, by name
    picked: bool = False  # the place chosen in the form
    heights: tuple[Height, ...] | None = None  # the block's, from the last browser run

    @property
    def notice_ids(self) -> tuple[str, ...]:
        return self.served.notice_ids


def _backing() -> PreviewBacking:
    backing: PreviewBacking = current_app.extensions[PreviewBacking.KEY]
    return backing


@preview_blueprint.before_request
def _allowed() -> None:
    """On in the demo; elsewhere only with the token (header or signed link), else not there.
    A framed page opens with the token or its own frame signature, never a link's."""
    settings = _backing().engine.settings
    framed = request.endpoint == "preview.page"
    scope = frame_scope(request.args.items(multi=True)) if framed else None
    access = check_access(settings.demo, settings.preview_token,
                          request.headers.get("Authorization", ""), request.args.get("sig"),
                          frame=scope)
    if access is Access.EXPIRED:
        abort(404, description=FRAME_EXPIRED_TEXT if framed else EXPIRED_TEXT)
    if access is Access.DENIED:
        abort(404)
    g.sig = request.args.get("sig") if access is Access.LINK else None


@preview_blueprint.after_request
def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"  # links carry the signature
    if request.endpoint != "preview.page":
        response.headers["Content-Security-Policy"] = PAGE_POLICY
    return response


@preview_blueprint.errorhandler(QueryError)
def _bad_query(error: QueryError) -> tuple[str, int]:
    return render_template("preview/error.html", message=str(error), links=_links(None)), 400


def _query(*, lenient_region: bool = False) -> PreviewQuery:
    settings = _backing().engine.settings
    sites = Sites(request.host, settings.upstream, settings.prefix)
    query = parse_query(request.args, sites, lenient_region=lenient_region)
    return replace(query, sig=g.get("sig"))


def _links(query: PreviewQuery | None) -> dict[str, str]:
    """The navigation: each view keeps the signature, the article and the day."""
    keep = {"sig": g.get("sig")}
    if query is not None:
        keep |= {"path": query.path if query.path != "/" else None,
                 "date": query.day.isoformat() if query.day else None}
    keep = {key: value for key, value in keep.items() if value}
    return {"index": url_for("preview.index", **keep),
            "matrix": url_for("preview.matrix", **keep),
            "csv": url_for("preview.matrix_csv", **keep)}


def _serve(place: Place, query: PreviewQuery) -> Served:
    view = View(place, query.day, query.lang, query.accept_language)
    return serve_as(_backing().pages, query.path, view, base_url=request.host_url)


def _url(endpoint: str, place: Place, query: PreviewQuery) -> str:
    """A view of ``place`` with the query's article, day, languages and signature: the link's
    for the preview's own pages, a frame's own for an article as served there."""
    params: dict[str, Any] = {"country": place.country, "region": place.region,
                              "asn": place.asn, **query.common()}
    params = {key: value for key, value in params.items() if value is not None}
    if endpoint == "preview.page" and "sig" in params:
        token = _backing().engine.settings.preview_token or ""
        params["sig"] = FrameSigner(token).sign(frame_scope(params.items()))
    return url_for(endpoint, **params)


@preview_blueprint.get("/preview")
def index() -> str:
    query = _query(lenient_region=True)
    engine = _backing().engine
    chosen = chosen_countries(engine.catalog, _backing().engine.settings.preview_countries)
    places = list(preview_places(engine.catalog, chosen))
    picked = query.place
    if picked is not None:
        places = [picked, *(place for place in places if place != picked)]
    heights = Heights.load(heights_path(engine.catalog.path))
    names = PlaceNames(engine.catalog)
    frames = []
    for place in places:
        served = _serve(place, query)
        block = block_of(served.body.decode("utf-8", "replace")) if served.notices else None
        frames.append(Frame(place, _url("preview.page", place, query), served,
                            names.label(place),
                            names.heading(place, engine.index.match(place.location)),
                            picked=place is picked, heights=heights.of(block)))
    return render_template(
        "preview/index.html", query=query, frames=frames, links=_links(query),
        organization=engine.catalog.organization, countries=all_countries(),
        regions=regions_of(query.country) if query.country else (),
        languages=_language_choices(query), dropped=_dropped(query),
        severity=severities(engine.catalog), if_down=_if_down(query),
        language_name=language_name, words=_interface_words(engine))


def _if_down(query: PreviewQuery) -> IfDown:
    """What an edge serves every reader while Forewarn cannot answer (webapp/fallback.py)."""
    engine = _backing().engine
    return if_down(engine.catalog, engine.settings.prefix, query.day or engine.clock(),
                   engine.settings.fallback_dir, guard_selectors=engine.settings.guard_selectors)


def _interface_words(engine: Engine) -> list[tuple[str, str, Coverage]]:
    """Each language the notices are written in: its name, and where the block's words come
    from (its own, or English)."""
    state = engine.state
    return [(lang, language_name(lang), state.renderer.words.coverage(lang))
            for lang in text_languages(state.catalog)]


def _language_choices(query: PreviewQuery) -> list[tuple[str, str]]:
    codes = [code for code in page_languages(_backing().engine.catalog) if code != OTHER]
    if query.lang and query.lang not in codes:
        codes.append(query.lang)
    return [(code, language_name(code)) for code in codes]


def _dropped(query: PreviewQuery) -> str | None:
    if query.dropped_region is None or query.country is None:
        return None
    return (f"{query.dropped_region} is not a region of {country_name(query.country)}, so the "
            "whole country is shown; pick one of its regions below.")


@preview_blueprint.get("/preview/page")
def page() -> Response:
    """One article as served at one place; absent country, region and asn: unknown location."""
    query = _query()
    served = _serve(query.place or UNKNOWN_PLACE, query)
    response = Response(served.body, status=served.status, headers=served.headers)
    _allow_framing_here(response)
    return response


def _allow_framing_here(response: Response) -> None:
    """The site's own framing rules would keep its page out of the preview's frames: let this
    one copy be framed by the preview, and by nothing else."""
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    policies = response.headers.getlist("Content-Security-Policy")
    if policies:
        response.headers.setlist("Content-Security-Policy", [_framed_by_self(p) for p in policies])


def _framed_by_self(policy: str) -> str:
    kept = [d.strip() for d in policy.split(";")
            if d.strip() and d.split()[0].lower() != "frame-ancestors"]
    return "; ".join([*kept, "frame-ancestors 'self'"])


@preview_blueprint.get("/preview/matrix")
def matrix() -> str:
    query = _query()
    found = _matrix(query)
    engine = _backing().engine
    heights = Heights.load(heights_path(engine.catalog.path))
    measured = matrix_heights(engine, found, heights)
    rows = [(row, _url("preview.index", row.place, query), cells)
            for row, cells in zip(found.rows, measured, strict=True)]
    catalog = engine.catalog
    return render_template("preview/matrix.html", matrix=found, rows=rows, query=query,
                           budgets=sorted(BUDGETS.items()), measured_any=bool(heights.blocks),
                           links=_links(query), language_name=language_name,
                           organization=catalog.organization, severity=severities(catalog),
                           jurisdiction_names={jid: jur.name for jid, jur
                                               in catalog.jurisdictions.items()}
                           | {"unknown": "Unknown location"})


@preview_blueprint.get("/preview/matrix.csv")
def matrix_csv() -> Response:
    found = _matrix(_query())
    name = f"forewarn-matrix-{found.day.isoformat()}.csv"
    return Response(to_csv(found), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _matrix(query: PreviewQuery) -> Matrix:
    engine = _backing().engine
    chosen = chosen_countries(engine.catalog, _backing().engine.settings.preview_countries)
    return build_matrix(engine, matrix_places(engine.catalog, chosen),
                        query.day or engine.clock())
