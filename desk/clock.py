"""The core's clock: timezone-aware, in the site's zone (`[site] timezone`, Asia/Shanghai)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_ZONE = "Asia/Shanghai"
_site: tzinfo = ZoneInfo(DEFAULT_ZONE)
"""The zone naive datetimes are read in: stores written before the clock was aware hold
naive ISO strings, which were always the site's local time."""

Clock = Callable[[], datetime]


def zone(name: str) -> ZoneInfo:
    """The zone named in the settings; ValueError naming the key for an unknown one."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"site.timezone: unknown time zone {name!r}") from None


def set_site_zone(tz: tzinfo) -> None:
    """Called once when the desk opens (the process serves one site)."""
    global _site
    _site = tz


def site_zone() -> tzinfo:
    return _site


def in_site(value: datetime) -> datetime:
    """``value`` in the site's zone: a naive one is taken as site-local time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=_site)
    return value.astimezone(_site)


def parse(value: str) -> datetime:
    """An ISO time from the store or a front end, aware in the site's zone."""
    return in_site(datetime.fromisoformat(value))


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    """That wall-clock time in the site's zone (for tests and fixed rules)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=_site)


def site_clock(tz: tzinfo | None = None, source: Clock | None = None) -> Clock:
    """The core's clock: ``source`` (a test clock) or the system clock, always aware in
    the site's zone, so every deadline is computed in it."""
    tz = tz or _site
    if source is None:
        return lambda: datetime.now(tz)
    return lambda: in_site(source())
