"""What the editors' preview forces for one internal request: the reader's place, the day and
the page's language. It travels in the WSGI environ under FORCED_KEY; readers cannot set environ
keys (only HTTP_* headers), so it is not an attack surface."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from geoip.location import Location

FORCED_KEY = "forewarn.forced"


@dataclass(frozen=True, slots=True)
class Forced:
    """A reader placed at ``location`` on ``day`` (None: today), reading a page whose language
    is ``lang`` (None: the page's own). A forced request is a preview, not a reader: not counted."""

    location: Location
    day: date | None = None
    lang: str | None = None
