"""How long a page may be kept: until the next day a notice begins or ends, or a rotating mirror
list moves on (webapp/reader/freshness.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from webapp.catalog.model import Catalog, MirrorSet, Notice, NoticeText
from webapp.reader.freshness import Freshness

TEXT = {"en": NoticeText("Title", "Body")}


def catalog(*notices: Notice, rotating: bool = False) -> Catalog:
    mirrors = {"m": MirrorSet(show=1)} if rotating else {}
    return Catalog(schema=1, organization="Example", notices=notices, mirrors=mirrors)


def notice(since: date | None = None, until: date | None = None) -> Notice:
    return Notice(id=f"n{since}{until}", text=TEXT, everyone=True, since=since, until=until)


def at(day: date, hour: int = 0) -> float:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC).timestamp()


def test_no_date_ahead_states_no_lifetime() -> None:
    fresh = Freshness(catalog(notice(since=date(2024, 2, 20))))
    assert not fresh.changes or fresh.next_change(date(2026, 11, 24)) is None
    assert fresh.seconds_left(date(2026, 11, 24), at(date(2026, 11, 24), 12)) is None


def test_the_next_since_or_until_is_the_end() -> None:
    fresh = Freshness(catalog(notice(since=date(2026, 12, 3)),
                              notice(since=date(2026, 1, 1), until=date(2026, 12, 10))))
    assert fresh.next_change(date(2026, 12, 1)) == date(2026, 12, 3)
    assert fresh.next_change(date(2026, 12, 3)) == date(2026, 12, 10)
    assert fresh.next_change(date(2026, 12, 10)) is None
    # At noon on 1 December: a day and a half to midnight before 3 December, UTC.
    assert fresh.seconds_left(date(2026, 12, 1), at(date(2026, 12, 1), 12)) == 36 * 3600


def test_a_rotating_mirror_list_ends_every_day() -> None:
    fresh = Freshness(catalog(notice(since=date(2026, 12, 3)), rotating=True))
    assert fresh.next_change(date(2026, 12, 1)) == date(2026, 12, 2)
    assert fresh.seconds_left(date(2026, 12, 1), at(date(2026, 12, 1), 23)) == 3600


def test_a_clock_on_another_day_states_none() -> None:
    fresh = Freshness(catalog(notice(since=date(2026, 12, 3))))
    assert fresh.seconds_left(date(2026, 12, 1), at(date(2026, 12, 5))) is None

