"""Chinese working-day arithmetic (C3, C4) on the `chinese_calendar` package, Mon-Fri outside it."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta

import chinese_calendar

log = logging.getLogger(__name__)

DAY_START = time(8, 30)
"""Start of business used when a deadline starts on a rest day."""
DAY_END = time(17, 30)
"""End of business for working-hour arithmetic."""

_warned_years: set[int] = set()


def covered_years() -> tuple[int, int]:
    """First and last year for which the package knows the official holiday schedule."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def is_working_day(d: date | datetime) -> bool:
    """True on official working days (incl. adjusted weekend working days, 调休).

    Outside the package's years it falls back to Monday-Friday and logs a warning once
    per year: the package must be updated then, but the desk never stops.
    """
    if isinstance(d, datetime):
        d = d.date()
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        if d.year not in _warned_years:
            _warned_years.add(d.year)
            first, last = covered_years()
            log.warning(
                "chinese_calendar has no holiday data for %d (covers %d-%d); "
                "counting Monday-Friday as working days - update the chinesecalendar package",
                d.year,
                first,
                last,
            )
        return d.weekday() < 5


def next_working_day(d: date, include_today: bool = False) -> date:
    """The first working day after `d` (or `d` itself when include_today and it is one)."""
    if isinstance(d, datetime):
        d = d.date()
    if not include_today:
        d += timedelta(days=1)
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def add_working_days(dt: datetime, n: int, day_start: time = DAY_START) -> datetime:
    """`dt` plus `n` working days, keeping the time of day.

    A start on a rest day counts from the next working day at `day_start`: a complaint
    received on Saturday 10:00 with 1 working day is due on Tuesday 08:30 (when Monday
    and Tuesday are working days).
    """
    if n < 0:
        raise ValueError("n must not be negative")
    if not is_working_day(dt):
        dt = datetime.combine(next_working_day(dt.date()), day_start, tzinfo=dt.tzinfo)
    d = dt.date()
    for _ in range(n):
        d = next_working_day(d)
    return datetime.combine(d, dt.timetz())


def add_working_hours(
    dt: datetime,
    hours: float,
    day_start: time = DAY_START,
    day_end: time = DAY_END,
) -> datetime:
    """`dt` plus `hours` of business time (day_start-day_end on working days).

    A start outside business hours counts from the next opening. A deadline that falls
    exactly on closing time stays there (it does not move to the next morning).
    """
    if hours < 0:
        raise ValueError("hours must not be negative")
    if day_end <= day_start:
        raise ValueError("day_end must be after day_start")
    tz = dt.tzinfo
    left = timedelta(hours=hours)
    d = dt.date()
    cursor = dt
    if not is_working_day(d) or dt.time() >= day_end:
        d = next_working_day(d)
        cursor = datetime.combine(d, day_start, tzinfo=tz)
    elif dt.time() < day_start:
        cursor = datetime.combine(d, day_start, tzinfo=tz)
    while True:
        close = datetime.combine(d, day_end, tzinfo=tz)
        if cursor + left <= close:
            return cursor + left
        left -= close - cursor
        d = next_working_day(d)
        cursor = datetime.combine(d, day_start, tzinfo=tz)


def working_days_between(start: date, end: date) -> int:
    """Number of working days in (start, end]; 0 when end <= start."""
    if isinstance(start, datetime):
        start = start.date()
    if isinstance(end, datetime):
        end = end.date()
    count = 0
    d = start
    while d < end:
        d += timedelta(days=1)
        count += is_working_day(d)
    return count
