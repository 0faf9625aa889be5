"""``forewarn preview``: a page as served to a reader at one place (HTML, and a PNG through
Chromium), every place at once with a contact sheet (``--all``), or a signed preview link
(``--link``). Bad input raises UsageError (exit 2); a page or picture that cannot be made
raises PreviewFailed (exit 1)."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from webapp.engine import Engine
from webapp.errors import QueryError, UsageError
from webapp.preview.access import DEFAULT_TTL, MAX_TTL, LinkSigner
from webapp.preview.as_reader import View
from webapp.preview.browser import chromium
from webapp.preview.page_source import from_file, from_url
from webapp.preview.places import (
    UNKNOWN_PLACE,
    Place,
    PlaceNames,
    chosen_countries,
    preview_places,
)
from webapp.preview.query import (
    Sites,
    parse_accept_language,
    parse_country,
    parse_date,
    parse_lang,
    parse_path,
    parse_region,
)
from webapp.preview.screenshot import screenshot
from webapp.preview.snapshot import Previewer, write_all, write_contact_sheet
from webapp.settings import Settings

_SINGLE = ("country", "region", "out", "screenshot")
_LINK = ("path", "ttl", "base")
_PAGE = ("url", "file", "lang", "date", "accept_language", "width", "full_page", "all", "dir")


def run_preview(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch to --link, --all or one place. Bad options raise UsageError (exit 2); a page or
    picture that cannot be made raises PreviewFailed (exit 1)."""
    try:
        if args.link:
            _refuse(args, "--link", _SINGLE + _PAGE)
            return _link(args, settings)
        _refuse(args, "--all" if args.all else "a single place", _LINK)
        if not args.all:
            _refuse(args, "a single place", ("dir",))
        if args.all:
            _refuse(args, "--all", _SINGLE)
            return _all(args, settings, _view_options(args))
        return _one(args, settings, _view_options(args))
    except QueryError as error:
        raise UsageError(f"--{error.param.replace('_', '-')}: {error.message}") from None


def _refuse(args: argparse.Namespace, mode: str, options: tuple[str, ...]) -> None:
    for name in options:
        value = getattr(args, name)
        if value not in (None, False) and not (name == "width" and value == 1280):
            raise UsageError(f"--{name.replace('_', '-')} does not go with {mode}")


def _view_options(args: argparse.Namespace) -> View:
    """Day, page language and Accept-Language, checked as the preview's query checks them; the
    place is filled in later."""
    if not (args.url or args.file):
        raise UsageError("give the page with --url URL or --file PAGE.html")
    return View(UNKNOWN_PLACE, parse_date(args.date), parse_lang(args.lang),
                parse_accept_language(args.accept_language))


def place_option(args: argparse.Namespace) -> tuple[str, str | None]:
    """--country and --region, checked; the region must lie in the country."""
    country, region = parse_country(args.country), parse_region(args.region)
    if region is not None and country not in (None, region[:2]):
        raise UsageError(f"--region: {region} is not a region of {country}")
    country = region[:2] if region else country
    if country is None:
        raise UsageError("give --country CC (or --all for every place, --link for a link)")
    return country, region


def _link(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.preview_token:
        raise UsageError("--link needs preview_token (in the settings file or "
                         "FOREWARN_PREVIEW_TOKEN)")
    ttl = DEFAULT_TTL if args.ttl is None else args.ttl
    if not 0 < ttl <= MAX_TTL:
        raise UsageError(f"--ttl: must be 1 to {MAX_TTL} seconds")
    base = (args.base or "").rstrip("/")
    if base and (urlsplit(base).scheme not in ("http", "https") or not urlsplit(base).netloc):
        raise UsageError("--base: must be the site's address, such as https://news.example")
    sites = Sites(urlsplit(base).netloc, settings.upstream, settings.prefix)
    path = parse_path(args.path or "/", sites)
    query = urlencode({"path": path, "sig": LinkSigner(settings.preview_token).sign(ttl)})
    print(f"{base}{settings.prefix}/preview?{query}")
    return 0


def _previewer(args: argparse.Namespace, settings: Settings) -> Previewer:
    engine = Engine(settings)
    source = from_file(args.file) if args.file else from_url(args.url, settings.upstream_timeout)
    return Previewer(engine, source)


def _one(args: argparse.Namespace, settings: Settings, view: View) -> int:
    """The page as served at --country/--region: to --out or standard output, and a PNG."""
    country, region = place_option(args)
    previewer = _previewer(args, settings)
    place = Place(country, region)
    served = previewer.serve(View(place, view.day, view.lang, view.accept_language))
    notices = " ".join(served.notice_ids) or "none"
    if args.out:
        _write(args.out, served.body)
    elif not args.screenshot:
        sys.stdout.buffer.write(served.body)
        return 0
    if args.screenshot:
        with chromium(os.environ) as browser:
            screenshot(browser, previewer.shootable(served), args.screenshot, args.width,
                       full_page=args.full_page)
    label = PlaceNames(previewer.engine.catalog).label(place)
    for written in filter(None, (args.out, args.screenshot)):
        print(f"{written}: {label}: notices {notices}")
    return 0


def _all(args: argparse.Namespace, settings: Settings, view: View) -> int:
    """Every place of the preview into --dir: NAME.html and NAME.png each, and index.html."""
    if args.dir is None:
        raise UsageError("--all needs --dir OUT/ for its pages, pictures and index.html")
    previewer = _previewer(args, settings)
    catalog = previewer.engine.catalog
    places = preview_places(catalog, chosen_countries(catalog, settings.preview_countries))
    day = view.day or previewer.engine.clock()
    try:
        args.dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--dir: cannot create {args.dir}: {error.strerror or error}") from None
    with chromium(os.environ) as browser:
        shots = list(write_all(previewer, places, replace(view, day=day), args.dir, browser,
                               args.width))
    source = str(args.file) if args.file else args.url
    sheet = write_contact_sheet(args.dir, shots, source, day, args.width, catalog)
    print(f"{sheet}: {len(shots)} places")
    return 0


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise UsageError(f"--out: cannot write {path}: {error.strerror or error}") from None
