"""How long a page with its notices may be kept: until the next day on which any notice begins
or ends (its ``since`` or ``until``), or a mirror set that rotates moves on. Days are UTC days,
as the engine's clock counts them."""

from __future__ import annotations

import bisect
from datetime import UTC, date, datetime, time, timedelta

from webapp.catalog.model import Catalog


class Freshness:
    """The catalog's change days, and the seconds left until the next one."""

    def __init__(self, catalog: Catalog) -> None:
        self._days = sorted({d for n in catalog.notices for d in (n.since, n.until) if d})
        self._daily = any(m.show is not None for m in catalog.mirrors.values())
        self._next: dict[date, float | None] = {}  # a day -> the next change, as a timestamp

    @property
    def changes(self) -> bool:
        """Whether any day ahead can change a page (else ``seconds_left`` is always None)."""
        return self._daily or bool(self._days)

    def next_change(self, day: date) -> date | None:
        """The first day after ``day`` on which what readers get can change, if any."""
        found = bisect.bisect_right(self._days, day)
        upcoming = self._days[found] if found < len(self._days) else None
        if self._daily:
            tomorrow = day + timedelta(days=1)
            return tomorrow if upcoming is None else min(upcoming, tomorrow)
        return upcoming

    def seconds_left(self, day: date, now: float) -> int | None:
        """Whole seconds from ``now`` (a Unix time on ``day``) to the next change; None when
        nothing is due, or when ``now`` is not before it (a clock set to another day, in
        tests: the day decides the notices, and no lifetime is stated for it)."""
        if not self.changes:
            return None
        change = self._next.get(day, 0.0)
        if change == 0.0:
            upcoming = self.next_change(day)
            change = None if upcoming is None else \
                datetime.combine(upcoming, time(), UTC).timestamp()
            if len(self._next) > 64:
                self._next.clear()
            self._next[day] = change
        if change is None or change <= now:
            return None
        return int(change - now)
