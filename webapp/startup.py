"""What the command line says before it serves or looks up: whether the address to listen on is
free, the one line with the address to open, and warnings about a set-up that runs but is
probably not what was meant (no geo database; a real site served with the example catalog)."""

from __future__ import annotations

import errno
import socket

from webapp.errors import ServeError
from webapp.resources import packaged
from webapp.settings import Settings

EXAMPLE_CATALOG = "notices.toml"  # the shipped catalog of the fictional Example Radio


def setup_warnings(settings: Settings) -> list[str]:
    """One line per thing in ``settings`` that works but gives readers the wrong notices."""
    found = []
    if not settings.geoip_dbs and settings.country_header is None:
        found.append("no geo database (geoip_dbs, FOREWARN_GEOIP_DBS): every address is an "
                     "unknown location, which gets the notices marked unknown = \"show\"; "
                     "`forewarn geoip fetch` gets one (docs/geo-databases.md)")
    if settings.upstream and _is_example_catalog(settings):
        found.append(f"{settings.catalog} is the example catalog of the fictional Example Radio, "
                     f"and readers of {settings.upstream} get its notices; write your own "
                     "(docs/catalog.md)")
    return found


def _is_example_catalog(settings: Settings) -> bool:
    try:
        return settings.catalog.read_bytes() == packaged(EXAMPLE_CATALOG).read_bytes()
    except OSError:
        return False


def ensure_free(host: str, port: int) -> None:
    """Raise ServeError, one line naming the address, when ``host:port`` cannot be listened on
    (another server has it, the address is not this machine's, a port needing root). Bound the
    way gunicorn binds (SO_REUSEADDR), so what passes here passes there; checked before gunicorn
    starts, which would otherwise log five errors over five seconds."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    address = display_address(host, port)
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except socket.gaierror as error:
            raise ServeError(f"cannot listen on {address}: {error.strerror}") from None
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise ServeError(f"cannot listen on {address}: another server is listening "
                                 "there (choose another with --port)") from None
            raise ServeError(f"cannot listen on {address}: {error.strerror or error}") from None


def display_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def open_line(settings: Settings, host: str, port: int) -> str:
    """The one line saying where to point a browser (all-interfaces hosts: this machine)."""
    local = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    url = f"http://{display_address(local, port)}/"
    if settings.upstream:
        return f"forewarn: open {url} ({settings.upstream} with the notices); Ctrl-C stops it"
    if settings.demo:
        return f"forewarn: open {url} for the demo; Ctrl-C stops it"
    return (f"forewarn: open {url}{settings.prefix.lstrip('/')}/healthz (Forewarn's endpoints "
            "only: no --upstream, no --demo); Ctrl-C stops it")
