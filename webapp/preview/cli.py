"""``forewarn preview``: a page as served to a reader at one place (HTML, and a PNG through
Chromium), every place at once with a contact sheet (``--all``), or a signed preview link
(``--link``). Bad input raises UsageError (exit 2); a page or picture that cannot be made
prints one line and exits 1."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from webapp.errors import PreviewFailed, QueryError, UsageError
from webapp.preview.access import DEFAULT_TTL, MAX_TTL, LinkSigner
from webapp.preview.as_reader import View
from webapp.preview.query import (
    Sites,
    parse_accept_language,
    parse_country,
    parse_date,
    parse_lang,
    parse_path,
    parse_region,
)
from webapp.settings import Settings

if TYPE_CHECKING:
    from webapp.preview.snapshot import Previewer

EXIT_FAILED = 1
_SINGLE = ("country", "region", "out", "screenshot")
_LINK = ("path", "ttl", "base")
_PAGE = ("url", "file", "lang", "date", "accept_language", "width", "full_page", "all", "dir")


def add_preview_parser(sub: argparse._SubParsersAction[Any],
                       settings_options: Callable[[argparse.ArgumentParser], None]) -> None:
    preview = sub.add_parser("preview", help="a page as served to a reader at a place (HTML, "
                             "PNG), every place with a contact sheet, or a signed preview link")
    settings_options(preview)
    preview.add_argument("--country", metavar="CC", help="ISO 3166-1 country of the reader")
    preview.add_argument("--region", metavar="CC-RR", help="ISO 3166-2 region, e.g. UA-43")
    preview.add_argument("--lang", metavar="xx", help="the page's language, in place of its own")
    preview.add_argument("--date", metavar="YYYY-MM-DD", help="as of this day (default today)")
    preview.add_argument("--accept-language", metavar="VALUE", help="the reader's languages")
    source = preview.add_mutually_exclusive_group()
    source.add_argument("--url", help="fetch the page from its origin")
    source.add_argument("--file", type=Path, metavar="PAGE.html", help="a page saved on disk")
    preview.add_argument("--out", type=Path, metavar="OUT.html",
                         help="write the page here (default: standard output)")
    preview.add_argument("--screenshot", type=Path, metavar="OUT.png",
                         help="write a picture of its first screen, taken in Chromium")
    preview.add_argument("--width", type=int, choices=(390, 1280), default=1280,
                         help="viewport width: 390 (a phone, 844 high) or 1280 (800 high)")
    preview.add_argument("--full-page", action="store_true", help="picture the whole page")
    preview.add_argument("--all", action="store_true",
                         help="every place of the preview, into --dir, with index.html")
    preview.add_argument("--dir", type=Path, metavar="OUT/", help="folder for --all")
    preview.add_argument("--link", action="store_true", help="print a signed preview link")
    preview.add_argument("--path", help="--link: the article the link opens (default /)")
    preview.add_argument("--ttl", type=int, help=f"--link: seconds it works (default "
                         f"{DEFAULT_TTL}, at most {MAX_TTL})")
    preview.add_argument("--base", metavar="URL", help="--link: the site's public address")


def run_preview(args: argparse.Namespace, settings: Settings) -> int:
    """Dispatch to --link, --all or one place; PreviewFailed becomes one line and exit 1."""
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
    except PreviewFailed as error:
        print(f"forewarn: {error}", file=sys.stderr)
        return EXIT_FAILED


def _refuse(args: argparse.Namespace, mode: str, options: tuple[str, ...]) -> None:
    for name in options:
        value = getattr(args, name)
        if value not in (None, False) and not (name == "width" and value == 1280):
            raise UsageError(f"--{name.replace('_', '-')} does not go with {mode}")


def _view_options(args: argparse.Namespace) -> View:
    """Day, page language and Accept-Language, checked as the preview's query checks them; the
    place is filled in later."""
    from webapp.preview.places import UNKNOWN_PLACE

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
    from webapp.engine import Engine
    from webapp.preview.page_source import from_file, from_url
    from webapp.preview.snapshot import Previewer

    engine = Engine(settings)
    source = from_file(args.file) if args.file else from_url(args.url, settings.upstream_timeout)
    return Previewer(engine, source)


def _one(args: argparse.Namespace, settings: Settings, view: View) -> int:
    """The page as served at --country/--region: to --out or standard output, and a PNG."""
    from webapp.preview.places import Place
    from webapp.preview.snapshot import notice_ids

    country, region = place_option(args)
    previewer = _previewer(args, settings)
    place = Place(country, region)
    served = previewer.serve(View(place, view.day, view.lang, view.accept_language))
    notices = " ".join(notice_ids(served)) or "none"
    if args.out:
        _write(args.out, served.body)
    elif not args.screenshot:
        sys.stdout.buffer.write(served.body)
        return 0
    if args.screenshot:
        from webapp.preview.browser import chromium
        from webapp.preview.screenshot import screenshot

        with chromium(os.environ) as browser:
            screenshot(browser, previewer.shootable(served), args.screenshot, args.width,
                       full_page=args.full_page)
    for written in filter(None, (args.out, args.screenshot)):
        print(f"{written}: {place.label}: notices {notices}")
    return 0


def _all(args: argparse.Namespace, settings: Settings, view: View) -> int:
    """Every place of the preview into --dir: NAME.html and NAME.png each, and index.html."""
    from webapp.preview.browser import chromium
    from webapp.preview.places import chosen_countries, preview_places
    from webapp.preview.snapshot import write_all, write_contact_sheet

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
