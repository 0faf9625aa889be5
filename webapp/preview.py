"""The editors' preview: an article as readers in each place get it, side by side."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pycountry
from babel import Locale
from flask import Blueprint, Response, abort, current_app, render_template, request
from werkzeug.test import EnvironBuilder, run_wsgi_app

from geoip.location import Location
from webapp.catalog import Catalog
from webapp.headers import NOTICES_HEADER
from webapp.overrides import DAY_KEY, LANG_KEY, LOCATION_KEY

if TYPE_CHECKING:
    from webapp.middleware import NoticeMiddleware

preview_blueprint = Blueprint("preview", __name__)
EXTRA_COUNTRIES = ("DE", "US", "UA")


@dataclass(frozen=True)
class Target:
    """One column of the preview: a place (or nowhere: unknown) and how to ask for it."""

    label: str
    country: str | None = None
    region: str | None = None

    def query(self, path: str, day: date | None) -> str:
        params = {"country": self.country, "region": self.region, "path": path,
                  "date": day.isoformat() if day else None}
        return urlencode({k: v for k, v in params.items() if v})


ENGLISH = Locale("en")


def default_targets(catalog: Catalog) -> list[Target]:
    """Each jurisdiction's countries and first region, then Germany, the US, Ukraine, unknown."""
    targets: list[Target] = []
    for jid, jur in catalog.jurisdictions.items():
        targets += [Target(f"{_country_name(c)} ({jid})", c) for c in jur.countries]
        if jur.regions:
            region = jur.regions[0]
            targets.append(Target(f"{_region_name(region)} ({jid})", region[:2], region))
    seen = {t.country for t in targets if t.region is None}
    targets += [Target(_country_name(c), c) for c in EXTRA_COUNTRIES if c not in seen]
    return [*targets, Target("Unknown location")]


def _country_name(code: str) -> str:
    """The short English name an editor knows ("Russia", not "Russian Federation")."""
    return str(ENGLISH.territories.get(code, code))


def _region_name(code: str) -> str:
    region = pycountry.subdivisions.get(code=code)
    return f"{region.name}, {code}" if region else code


def _middleware() -> NoticeMiddleware:
    middleware: NoticeMiddleware = current_app.extensions["forewarn"]
    return middleware


@preview_blueprint.before_request
def _allowed() -> None:
    """Preview is on in the demo; elsewhere only with the configured token, else it is not there."""
    settings = _middleware().settings
    if settings.demo:
        return
    token = settings.preview_token
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        abort(404)


@preview_blueprint.get("/preview")
def index() -> str:
    path = _path_arg()
    day = _date_arg()
    columns = []
    for target in default_targets(_middleware().engine.catalog):
        query = target.query(path, day)
        notices = _render(target.country, target.region, path, day, None)[2].get(NOTICES_HEADER)
        columns.append({"target": target, "src": f"preview/page?{query}",
                        "notices": notices or "(page not served)"})
    return render_template("preview/index.html", path=path, day=day, columns=columns,
                           organization=_middleware().engine.catalog.organization)


@preview_blueprint.get("/preview/page")
def page() -> Response:
    country, region = _place_args()
    body, status, headers = _render(country, region, _path_arg(), _date_arg(), _lang_arg())
    response = Response(body, status=status, headers=headers)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _render(
    country: str | None, region: str | None, path: str, day: date | None, lang: str | None
) -> tuple[list[bytes], str, dict[str, str]]:
    """Serve ``path`` through the middleware as a reader at that place would get it."""
    middleware = _middleware()
    location = Location(country=country, regions=(region,) if region else ())
    builder = EnvironBuilder(path=path.split("?")[0], query_string=path.partition("?")[2])
    environ = builder.get_environ()
    environ.update({LOCATION_KEY: location, DAY_KEY: day, LANG_KEY: lang})
    app_iter, status, headers = run_wsgi_app(middleware.process, environ, buffered=True)
    return list(app_iter), status, dict(headers)


def _path_arg() -> str:
    path = request.args.get("path", "/")
    prefix = _middleware().settings.prefix
    if not path.startswith("/") or path.startswith("//") or path.startswith(prefix):
        abort(400, description="path must be a path on this site, starting with one '/'")
    return path


def _date_arg() -> date | None:
    value = request.args.get("date")
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, description="date must be YYYY-MM-DD")


def _lang_arg() -> str | None:
    value = request.args.get("lang")
    if not value:
        return None
    try:
        Locale.parse(value, sep="-")
    except ValueError:
        abort(400, description="lang must be a language code such as ru or pt-BR")
    return value


def _place_args() -> tuple[str | None, str | None]:
    country = (request.args.get("country") or "").upper() or None
    region = (request.args.get("region") or "").upper() or None
    if region is not None:
        if pycountry.subdivisions.get(code=region) is None:
            abort(400, description="region must be an ISO 3166-2 code such as UA-43")
        if country not in (None, region[:2]):
            abort(400, description="region must lie in country")
        country = region[:2]
    if country is not None and pycountry.countries.get(alpha_2=country) is None:
        abort(400, description="country must be an ISO 3166-1 code such as RU")
    return country, region
