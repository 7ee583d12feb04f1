"""The front desk's month: parcels (P1-P4), visitors (V1-V3), keys (K2), hotline (T1-T3, E1)."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from desk.clock import parse as parse_time
from desk.config import Settings
from desk.deadlines import parcel_reminder_at
from desk.reports.measures import Rate, after_hours, median_hours
from desk.store import Store

log = logging.getLogger(__name__)

ABANDONED = frozenset({"abandoned", "missed", "voicemail"})
"""Inbound calls nobody finished with the caller (T3: they go on the callback list)."""
BLOCKED = frozenset({"declined", "refused"})
"""V2/V3: visitors not let in (host declined, no ID and not approved)."""
NEVER_CAME = frozenset({"preauthorised", "expired", "cancelled"})
"""The end states of a pre-authorisation (V5) whose visitor never came."""


@dataclass
class DeskFigures:
    """Counts of the desk's other duties in the month."""

    parcels_received: int = 0
    parcels_collected: int = 0
    parcels_proxy: int = 0
    parcels_overdue: int = 0
    parcels_returned: int = 0
    parcels_waiting: int = 0
    parcels_median_hours: float | None = None
    parcels_by_day: Counter[date] = field(default_factory=Counter)
    visits: int = 0
    visits_admitted: int = 0
    visits_no_id_approved: int = 0
    visits_blocked: int = 0
    visits_by_day: Counter[date] = field(default_factory=Counter)
    visits_by_hour: Counter[int] = field(default_factory=Counter)
    key_loans: int = 0
    key_returned: int = 0
    key_overdue: int = 0
    key_out: int = 0
    calls_in: int = 0
    calls_answered: int = 0
    calls_abandoned: int = 0
    callbacks_done: int = 0
    calls_after_hours: int = 0
    calls_emergency: int = 0
    calls_out: int = 0
    calls_by_day: Counter[date] = field(default_factory=Counter)
    follow_up_calls: dict[str, Counter[str]] = field(default_factory=dict)
    """Outbound follow-up calls (R5, C4) by the record they followed up: outcome -> count."""

    @property
    def answered_rate(self) -> Rate:
        return Rate(self.calls_answered, self.calls_in)

    @property
    def after_hours_share(self) -> Rate:
        return Rate(self.calls_after_hours, self.calls_in)


def desk_figures(
    store: Store, settings: Settings, first: datetime, end: datetime, now: datetime, ahead: date
) -> DeskFigures:
    """Parcels, visits, key loans and calls created in [first, end), seen at ``now``."""
    fig = DeskFigures()
    last = (end - timedelta(days=1)).date()
    _parcels(store, settings, fig, first.date(), last, now)
    _visits(store, fig, first.date(), last)
    _keys(store, fig, first.date(), last, now)
    _calls(store, settings, fig, first, end, ahead)
    return fig


def _at(value: str | None) -> datetime | None:
    return parse_time(value) if value else None


def _parcels(
    store: Store, settings: Settings, fig: DeskFigures, first: date, last: date, now: datetime
) -> None:
    overdue_days = settings.rules.parcel_overdue_days
    waits: list[timedelta] = []
    for doc in store.iter_days("parcel", first, last):
        created = parse_time(doc["created_at"])
        fig.parcels_received += 1
        fig.parcels_by_day[created.date()] += 1
        status = doc["status"]
        collected = _at(doc.get("collected_at"))
        reminder = parcel_reminder_at(created, overdue_days)
        if status in ("collected", "picked_up") and collected is not None:
            fig.parcels_collected += 1
            fig.parcels_proxy += bool(doc.get("proxy_name"))
            waits.append(collected - created)
            fig.parcels_overdue += collected > reminder
        elif status == "returned":
            fig.parcels_returned += 1
            fig.parcels_overdue += 1
        else:
            fig.parcels_waiting += 1
            fig.parcels_overdue += now > reminder
    fig.parcels_median_hours = median_hours(waits)


def _visits(store: Store, fig: DeskFigures, first: date, last: date) -> None:
    for doc in store.iter_days("visit", first, last):
        status = doc["status"]
        if status in NEVER_CAME and doc.get("preauthorised_by") and not doc.get("time_in"):
            continue  # V5: an owner's code nobody came with (a visitor who came counts)
        created = parse_time(doc["created_at"])
        fig.visits += 1
        fig.visits_by_day[created.date()] += 1
        fig.visits_by_hour[created.hour] += 1
        fig.visits_admitted += bool(doc.get("time_in"))
        fig.visits_no_id_approved += bool(doc.get("approved_by"))
        fig.visits_blocked += status in BLOCKED


def _keys(store: Store, fig: DeskFigures, first: date, last: date, now: datetime) -> None:
    for doc in store.iter_days("key_loan", first, last):
        fig.key_loans += 1
        due = _at(doc.get("due_back"))
        returned = _at(doc.get("returned_at"))
        if returned is not None:
            fig.key_returned += 1
            fig.key_overdue += due is not None and returned > due
        else:
            fig.key_out += 1
            fig.key_overdue += due is not None and now > due


def _calls(
    store: Store, settings: Settings, fig: DeskFigures, first: datetime, end: datetime, ahead: date
) -> None:
    hours = settings.hours
    follow: dict[str, Counter[str]] = defaultdict(Counter)
    for doc in store.iter_days("call", first.date(), ahead):
        purpose = doc.get("purpose") or ""
        if doc.get("direction") == "out" and purpose.startswith("follow_up:"):
            follow[purpose.removeprefix("follow_up:")][doc.get("outcome") or ""] += 1
        created = parse_time(doc["created_at"])
        if not first <= created < end:
            continue
        if doc.get("direction") == "out":
            fig.calls_out += 1
            continue
        fig.calls_in += 1
        fig.calls_by_day[created.date()] += 1
        status = doc["status"]
        fig.calls_answered += status == "answered"
        if status in ABANDONED:
            fig.calls_abandoned += 1
            fig.callbacks_done += bool(doc.get("callback_done"))
        fig.calls_after_hours += after_hours(created, hours.staffed_from, hours.staffed_until)
        fig.calls_emergency += purpose == "emergency"
    fig.follow_up_calls = dict(follow)
