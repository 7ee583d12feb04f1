"""Small counting types of the reports: a rate against a target, on-time tallies, month bounds."""

from __future__ import annotations

import logging
import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from desk.clock import in_site

log = logging.getLogger(__name__)

NOT_RECORDED = "未记录"
"""Shown for a figure the records do not hold (never an invented number)."""
NO_DATA = "无数据"


@dataclass
class Rate:
    """``hit`` of ``total`` (e.g. on time of due), with an optional target share."""

    hit: int = 0
    total: int = 0
    target: float | None = None
    pending: int = 0
    """Not yet done and not yet due: counted in neither hit nor total."""

    @property
    def value(self) -> float | None:
        return self.hit / self.total if self.total else None

    @property
    def meets_target(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value >= self.target

    def text(self) -> str:
        if not self.total:
            return NO_DATA
        return f"{self.hit}/{self.total}（{self.value:.1%}）"

    def count(self, done_at: datetime | None, due: datetime | None, now: datetime) -> None:
        """Tally one promised time: done by ``due`` is a hit; not done and past due is a miss."""
        if due is None:
            return
        if done_at is not None:
            self.total += 1
            self.hit += done_at <= due
        elif now > due:
            self.total += 1
        else:
            self.pending += 1


@dataclass
class Miss:
    """One record that missed a rule, named for the manager (R5, C4: exceptions by name)."""

    number: str
    who: str
    """Masked name of the customer (X1)."""
    reason: str


@dataclass
class FollowUpTally:
    """R5 / C4: completed (or handled) records and how their follow-up stands."""

    completed: int = 0
    followed: int = 0
    reached: int = 0
    rated: int = 0
    on_time: Rate = field(default_factory=Rate)
    exceptions: list[Miss] = field(default_factory=list)

    @property
    def completion(self) -> Rate:
        return Rate(self.followed, self.completed, target=1.0)


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``2026-11`` -> (2026-11-01 00:00, 2026-12-01 00:00); ValueError on anything else."""
    try:
        first = datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise ValueError(f"月份格式应为 YYYY-MM，例如 2026-11（收到 {month!r}）") from None
    nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return in_site(first), in_site(nxt)


def days_of(first: datetime, end: datetime) -> list[date]:
    return [(first + timedelta(days=i)).date() for i in range((end - first).days)]


def median_hours(spans: list[timedelta]) -> float | None:
    return statistics.median(s.total_seconds() / 3600 for s in spans) if spans else None


def after_hours(at: datetime, staffed_from: time, staffed_until: time) -> bool:
    """L1: outside 07:30-20:00 (the desk's staffed hours from the settings)."""
    return not staffed_from <= at.time() < staffed_until
