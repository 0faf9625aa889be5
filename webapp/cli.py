"""The ``forewarn`` command line: serve, preview, check, lookup, export fallback, geoip
build/info/fetch. Bad input gives one line on stderr and the error's exit status, 2 (usage) or 1
(failed check), never a traceback (webapp/errors.py draws the errors and their statuses).

``serve``, ``lookup`` and ``preview`` import the engine when they run, not at the top: ``serve``
must point prometheus-client at its multiprocess folder before anything imports it (it reads the
setting once, at import), and no command pays for the others' imports."""

from __future__ import annotations

import argparse
import atexit
import ipaddress
import json
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from geoip.build import build_database
from geoip.database import GeoDatabase
from geoip.fetch import fetch
from geoip.schema import detect_schema
from webapp.catalog.check import report
from webapp.catalog.schema import catalog_schema_text
from webapp.demo import demo_defaults, ensure_demo_database
from webapp.errors import EXIT_FAILED, EXIT_USAGE, ForewarnError, UsageError
from webapp.preview.access import DEFAULT_TTL, MAX_TTL
from webapp.reader.address import parse_address
from webapp.resources import NOTICES_JSON_SCHEMA
from webapp.settings import Settings, load_settings
from webapp.startup import ensure_free, open_line, setup_warnings

EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE

SCHEMAS = ("catalog", "notices-json")  # what `forewarn check --schema` prints


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="forewarn", description="Reader-safety notices for news publishers.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    serve = sub.add_parser("serve", help="serve the demo, a proxy in front of an origin, or the "
                           "endpoints for an edge include")
    _settings_options(serve)
    serve.add_argument("--upstream", metavar="URL",
                       help="the origin to stand in front of (the proxy shape)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--access-log", metavar="FILE",
                       help="write an access log without reader data ('-' for stderr)")
    serve.add_argument("--log-level", default="info",
                       choices=["debug", "info", "warning", "error", "critical"])
    serve.add_argument("--server", default="gunicorn", choices=["gunicorn", "granian"],
                       help="the HTTP server: gunicorn, or granian (Rust): about a third of "
                            "gunicorn's CPU a fragment, and more pages a second "
                            "(docs/performance.md)")
    check = sub.add_parser("check", help="validate a catalog; exit 1 when it is invalid")
    check.add_argument("catalog", nargs="?", type=Path)
    check.add_argument("--config", type=Path)
    check.add_argument("--strict", action="store_true", help="warnings fail the check too")
    check.add_argument("--schema", nargs="?", const="catalog", choices=SCHEMAS,
                       help="print a JSON Schema and exit: the catalog's (the default, for "
                            "editors) or notices-json, of /_forewarn/notices.json (for apps)")
    check.add_argument("--fallback-dir", type=Path, metavar="DIR",
                       help="also check the fallback blocks exported there (default: the "
                            "fallback_dir setting)")
    lookup = sub.add_parser("lookup", help="location, jurisdictions and notices, as JSON lines")
    _settings_options(lookup)
    lookup.add_argument("ips", nargs="+", metavar="IP")
    _preview_parser(sub)
    _export_parser(sub)
    geoip = sub.add_parser("geoip", help="build or inspect MaxMind DB files")
    geo_sub = geoip.add_subparsers(dest="geoip_command", required=True, parser_class=_Parser)
    build = geo_sub.add_parser("build", help="write an .mmdb from a CSV network,country,region,asn")
    build.add_argument("csv", type=Path)
    build.add_argument("out", type=Path)
    info = geo_sub.add_parser("info", help="what a database is: type, build date, IP version")
    info.add_argument("db", type=Path)
    fetch = geo_sub.add_parser("fetch", help="download a real database into --dest, atomically")
    fetch.add_argument("--source", default="ip-location-db",
                       choices=["ip-location-db", "dbip-lite", "maxmind"])
    fetch.add_argument("--dest", type=Path, default=Path("."), help="folder (default: here)")
    fetch.add_argument("--url", help="download from here instead (a mirror; for ip-location-db "
                                     "an npm registry)")
    return parser


def _preview_parser(sub: argparse._SubParsersAction[Any]) -> None:
    preview = sub.add_parser("preview", help="a page as served to a reader at a place (HTML, "
                             "PNG), every place with a contact sheet, or a signed preview link")
    _settings_options(preview)
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


def _export_parser(sub: Any) -> None:
    """`forewarn export WHAT`: files an edge serves on its own, made from the catalog."""
    export = sub.add_parser("export", help="write files an edge serves on its own")
    what = export.add_subparsers(dest="export_command", required=True, parser_class=_Parser)
    fallback = what.add_parser("fallback", help="the block a reader at an unknown place gets, "
                               "per page language, for an edge to serve when Forewarn cannot "
                               "answer (see deploy/README.md)")
    _settings_options(fallback)
    fallback.add_argument("--dir", type=Path, metavar="DIR",
                          help="where to write (default: the fallback_dir setting)")
    fallback.add_argument("--date", metavar="YYYY-MM-DD", type=_day,
                          help="as readers get it on this day (default: today, UTC)")
    for edge, says in (("nginx", "nginx maps from the geoip2 module's country, region and ASN"),
                       ("varnish", "a Varnish subroutine from the CDN headers Forewarn reads")):
        variants = what.add_parser(
            edge, help=f"{says} to the variant key an edge cache keeps one copy per (see "
            "deploy/README.md)")
        _settings_options(variants)
        variants.add_argument("--out", type=Path, metavar="FILE",
                              help="write here, atomically (default: standard output)")
        variants.add_argument("--page-languages", metavar="xx,yy", type=_languages,
                              help="the languages the site's pages are in: the reader's "
                              "language goes into the key only for variants whose notices lack "
                              "one of them (default: every language the catalog knows)")


def _languages(text: str) -> tuple[str, ...]:
    found = tuple(part.strip() for part in text.split(",") if part.strip())
    if not found or not all(part.replace("-", "").isalnum() for part in found):
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of language codes (en,ru)")
    return found


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date YYYY-MM-DD") from None


def _settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", action="store_true", help="bundled catalog, geo data, articles")
    parser.add_argument("--config", type=Path, help="settings file (TOML)")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = int(_run(build_parser().parse_args(argv)))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at the interpreter's exit
        return status
    except ForewarnError as exc:
        print(f"forewarn: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return _reader_went_away()


def _reader_went_away() -> int:
    """Whoever read standard output stopped (``forewarn lookup ... | head -1``): end quietly, as
    a Unix tool stopped by SIGPIPE does (status 128 + 13). Standard output is pointed at
    /dev/null so that the interpreter's last flush cannot fail again (the Python docs' recipe,
    library/signal.html, "Note on SIGPIPE")."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return EXIT_BROKEN_PIPE


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "check":
        return _check(args)
    if args.command == "lookup":
        return _lookup(args)
    if args.command == "preview":
        from webapp.preview.cli import run_preview

        return run_preview(args, settings_from(args))
    if args.command == "export":
        if args.export_command == "fallback":
            return _export_fallback(args)
        return _export_edge_map(args)
    if args.geoip_command == "build":
        return _geoip_build(args)
    if args.geoip_command == "fetch":
        return _geoip_fetch(args)
    return _geoip_info(args)


def settings_from(args: argparse.Namespace) -> Settings:
    """The same settings for every command: demo defaults, --config, the environment."""
    demo = None
    if getattr(args, "demo", False):
        folder = tempfile.mkdtemp(prefix="forewarn-demo-")
        atexit.register(shutil.rmtree, folder, True)
        demo = demo_defaults(ensure_demo_database(Path(folder) / "demo-geo.mmdb"))
    overrides = {"upstream": args.upstream} if getattr(args, "upstream", None) else {}
    return load_settings(overrides, environ=os.environ, config_file=args.config,
                         demo_defaults=demo)


def _serve(args: argparse.Namespace) -> int:
    if args.workers > 1 and "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        # Each worker counts on its own; this folder lets a scrape of any worker add them up.
        # prometheus-client reads it once, at import: so before anything imports it.
        folder = tempfile.mkdtemp(prefix="forewarn-metrics-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    from webapp.engine import Engine
    from webapp.server import serve

    settings = settings_from(args)
    # Fail here, with one line, rather than in every worker; then the workers' last good files.
    engine = Engine(settings)
    if not 0 < args.port < 65536 or args.workers < 1:
        raise UsageError("--port must be 1-65535 and --workers at least 1")
    if not is_loopback_host(args.host):
        _warn([f"--host {args.host} can face readers directly; forewarn serve needs a buffering "
               "proxy in front (nginx, a load balancer, a CDN), or a few dozen slow clients hold "
               "every worker thread (docs/deploying.md)"])
    ensure_free(args.host, args.port)
    _warn(setup_warnings(settings))
    print(open_line(settings, args.host, args.port), file=sys.stderr, flush=True)
    run = serve
    if args.server == "granian":
        from webapp.granian_server import serve_granian as run
    run(settings, args.host, args.port, args.workers, access_log=args.access_log,
        log_level=args.log_level, last_good=engine)
    return 0


def is_loopback_host(host: str) -> bool:
    """Whether ``--host`` binds only where no reader can connect: a loopback address."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # another name: it may resolve anywhere
    mapped = getattr(address, "ipv4_mapped", None)
    return bool((mapped or address).is_loopback)


def _warn(lines: list[str]) -> None:
    for line in lines:
        print(f"forewarn: warning: {line}", file=sys.stderr)


def _check(args: argparse.Namespace) -> int:
    if args.schema == "notices-json":
        sys.stdout.write(NOTICES_JSON_SCHEMA.read_text(encoding="utf-8"))
        return 0
    if args.schema:
        sys.stdout.write(catalog_schema_text())
        return 0
    settings = load_settings(environ=os.environ, config_file=args.config)
    return report(args.catalog or settings.catalog, args.strict, sys.stdout, sys.stderr,
                  args.fallback_dir or settings.fallback_dir, settings.prefix)


def _export_fallback(args: argparse.Namespace) -> int:
    from webapp.catalog.model import load_catalog
    from webapp.fallback import export

    settings = settings_from(args)
    folder = args.dir or settings.fallback_dir
    if folder is None:
        raise UsageError("export fallback: say where with --dir DIR (or the fallback_dir setting)")
    day = args.date or datetime.now(UTC).date()
    try:
        written = export(load_catalog(settings.catalog), settings.prefix, folder, day,
                         guard_selectors=settings.guard_selectors)
    except OSError as error:
        print(f"forewarn: {folder}: cannot write: {error}", file=sys.stderr)
        return EXIT_FAILED
    for block in written.blocks:
        print(f"{folder / block.file}: {' '.join(block.notice_ids) or '(no notice)'}")
    print(f"{folder}: fallback blocks for {day.isoformat()} from {settings.catalog}")
    return 0


def _export_edge_map(args: argparse.Namespace) -> int:
    from webapp.edge_map import edge_map_text
    from webapp.fallback import write_atomically

    settings = settings_from(args)
    text = edge_map_text(args.export_command, settings, args.page_languages,
                         datetime.now(UTC).date())
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        write_atomically(args.out, text)
    except OSError as error:
        print(f"forewarn: {args.out}: cannot write: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{args.out}: {args.export_command} variant map from {settings.catalog}")
    return 0


def _lookup(args: argparse.Namespace) -> int:
    from webapp.engine import Engine

    addresses = []
    for text in args.ips:
        address = parse_address(text)
        if address is None:
            raise UsageError(f"{text!r} is not an IP address")
        addresses.append(address)
    settings = settings_from(args)
    engine = Engine(settings)
    _warn(setup_warnings(settings))
    for text, address in zip(args.ips, addresses, strict=True):
        location = engine.locator.locate(address)
        decision = engine.decide(location, None)
        print(json.dumps(_lookup_record(text, decision), ensure_ascii=False))
    return 0


def _lookup_record(text: str, decision: Any) -> dict[str, Any]:
    location = decision.location
    return {
        "ip": text,
        "country": location.country,
        "regions": list(location.regions),
        "asn": location.asn,
        "sources": dict(location.sources),
        "jurisdictions": list(decision.jurisdictions),
        "notices": list(decision.notice_ids),
    }


def _geoip_build(args: argparse.Namespace) -> int:
    count = build_database(args.csv, args.out)
    print(f"{args.out}: wrote {count} networks from {args.csv}")
    return 0


def _geoip_fetch(args: argparse.Namespace) -> int:
    fetched = fetch(args.source, args.dest, os.environ, url=args.url)
    print(f"{fetched.path}: {fetched.source}, {fetched.size} bytes")
    return 0


def _geoip_info(args: argparse.Namespace) -> int:
    with GeoDatabase(args.db) as database:
        info = database.info
        samples, count, complete = database.survey()
        print(json.dumps({
            "path": str(info.path),
            "type": info.database_type,
            "build_date": info.build_time.isoformat(timespec="seconds"),
            "ip_version": info.ip_version,
            "node_count": info.node_count,
            "description": info.description,
            "schema": detect_schema(info.database_type, samples),
            "record_count": count,
            "record_count_complete": complete,
        }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
