"""The month in figures (S1, R2, R5, C3-C5, P4, V3, K2, T3, E1) computed from the store's records."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from desk import deadlines
from desk.config import Settings
from desk.masking import mask_name
from desk.record_types import (
    COMPLAINT_CATEGORIES,
    COMPLAINT_VALIDITY,
    REPAIR_CATEGORIES,
    Complaint,
    FollowUp,
    Satisfaction,
    WorkOrder,
)
from desk.records import Record, record_from_doc
from desk.reports.figures_desk import DeskFigures, desk_figures
from desk.reports.measures import (
    NOT_RECORDED,
    FollowUpTally,
    Miss,
    Rate,
    days_of,
    month_bounds,
)
from desk.store import Store

log = logging.getLogger(__name__)

SATISFACTION_TARGET = 0.9
"""S1: satisfaction rate target."""
LOOKBACK = timedelta(days=45)
"""Records created this long before the month can be completed (and followed up) in it."""
LOOKAHEAD = timedelta(days=45)
"""Follow-ups and calls this long after the month still count for its completed records."""
REACHED_OUTCOMES = frozenset({"answered", "rated", "no_choice"})


@dataclass
class MonthFigures:
    """Everything the monthly report shows; each figure traceable to records."""

    month: str
    as_of: datetime
    days: list[date]
    satisfaction: Counter[str] = field(default_factory=Counter)
    satisfaction_rate: Rate = field(default_factory=lambda: Rate(target=SATISFACTION_TARGET))
    follow_orders: FollowUpTally = field(default_factory=FollowUpTally)
    follow_complaints: FollowUpTally = field(default_factory=FollowUpTally)
    on_time: dict[str, Rate] = field(default_factory=dict)
    orders: int = 0
    orders_urgent: int = 0
    orders_emergency: int = 0
    orders_by_category: Counter[str] = field(default_factory=Counter)
    orders_by_building: Counter[str] = field(default_factory=Counter)
    orders_by_technician: Counter[str] = field(default_factory=Counter)
    orders_by_day: Counter[date] = field(default_factory=Counter)
    complaints: int = 0
    complaints_by_category: Counter[str] = field(default_factory=Counter)
    complaints_by_class: Counter[str] = field(default_factory=Counter)
    complaints_by_day: Counter[date] = field(default_factory=Counter)
    collective_events: int = 0
    collective_complaints: int = 0
    desk: DeskFigures = field(default_factory=DeskFigures)
    not_recorded: list[str] = field(default_factory=list)
    """Figures asked for that the records cannot give (shown as 未记录)."""

    @property
    def valid_share(self) -> Rate:
        """C5: the share of valid complaints among the classified ones."""
        classified = sum(n for k, n in self.complaints_by_class.items() if k != "未分类")
        return Rate(self.complaints_by_class.get("有效", 0), classified)


def _records(store: Store, kind: str, first: date, last: date) -> Iterator[Record]:
    for doc in store.iter_days(kind, first, last):
        yield record_from_doc(kind, doc)


def _first(record: Record, status: str) -> datetime | None:
    """When ``record`` first entered ``status`` (the deadline counts the first time)."""
    return next((c.at for c in record.history if c.status == status), None)


def _done_in(record: Record, status: str, first: datetime, end: datetime) -> datetime | None:
    at = _first(record, status)
    return at if at is not None and first <= at < end else None


def _building(location: str) -> str:
    if location.startswith("public:"):
        return "公共区域"
    return f"{location.split('-')[0]}栋"


def month_figures(store: Store, settings: Settings, month: str, now: datetime) -> MonthFigures:
    """All figures of ``month`` (YYYY-MM) as the records stand at ``now``."""
    first, end = month_bounds(month)
    ahead = min(end + LOOKAHEAD, max(now, end)).date()
    fig = MonthFigures(month=month, as_of=now, days=days_of(first, end))
    fig.satisfaction = Counter({s.value: 0 for s in Satisfaction})

    follow_ups: dict[str, list[FollowUp]] = defaultdict(list)
    for fu in _records(store, "follow_up", first.date(), ahead):
        assert isinstance(fu, FollowUp)
        follow_ups[fu.target].append(fu)
        if first <= fu.created_at < end and fu.satisfaction:
            fig.satisfaction[fu.satisfaction] += 1
            fig.satisfaction_rate.total += 1
            fig.satisfaction_rate.hit += Satisfaction(fu.satisfaction).satisfied
    fig.desk = desk_figures(store, settings, first, end, now, ahead)
    reached = fig.desk.follow_up_calls
    _work_orders(store, fig, first, end, now, follow_ups, reached)
    _complaints(store, fig, first, end, now, follow_ups, reached)
    fig.not_recorded = _not_recorded(fig)
    log.info("month figures %s: %d orders, %d complaints", month, fig.orders, fig.complaints)
    return fig


def _follow_up(
    tally: FollowUpTally,
    record: WorkOrder | Complaint,
    done_at: datetime,
    due: datetime | None,
    now: datetime,
    follow_ups: dict[str, list[FollowUp]],
    calls: dict[str, Counter[str]],
    who: str,
) -> None:
    """R5/C4: one completed record: followed up (when), reached, rated; else an exception."""
    tally.completed += 1
    mine = [f for f in follow_ups.get(record.number, []) if f.created_at >= done_at]
    attempts = calls.get(record.number, Counter())
    reached_by_call = sum(n for outcome, n in attempts.items() if outcome in REACHED_OUTCOMES)
    followed_at = min((f.created_at for f in mine), default=None)
    tally.on_time.count(followed_at, due, now)
    if mine:
        tally.followed += 1
        tally.reached += 1
        tally.rated += any(f.satisfaction for f in mine)
        unhappy = [f for f in mine if f.satisfaction and not Satisfaction(f.satisfaction).satisfied]
        if unhappy:
            tally.exceptions.append(
                Miss(record.number, who, f"回访{unhappy[0].satisfaction}，已重新处理")
            )
        elif due is not None and followed_at is not None and followed_at > due:
            tally.exceptions.append(Miss(record.number, who, "回访超时"))
        return
    tally.reached += reached_by_call > 0
    tries = sum(attempts.values())
    if reached_by_call:
        reason = "接通但未评价"
    elif tries:
        reason = f"未接通（{tries}次）"
    else:
        reason = "未回访"
    if due is not None and now > due:
        reason += "，已超时"
    elif due is not None:
        reason += f"，期限 {due:%m-%d %H:%M}"
    tally.exceptions.append(Miss(record.number, who, reason))


def _work_orders(
    store: Store,
    fig: MonthFigures,
    first: datetime,
    end: datetime,
    now: datetime,
    follow_ups: dict[str, list[FollowUp]],
    calls: dict[str, Counter[str]],
) -> None:
    last = (end - timedelta(days=1)).date()
    dispatch = fig.on_time.setdefault("派工（急修立即，普通2小时）", Rate(target=1.0))
    urgent_arrival = fig.on_time.setdefault("急修到场（30分钟）", Rate(target=1.0))
    booked_arrival = fig.on_time.setdefault("普通维修按预约到场", Rate(target=1.0))
    completion = fig.on_time.setdefault("维修完成（预约时段内）", Rate(target=1.0))
    fig.on_time["工单回访（3天内）"] = fig.follow_orders.on_time
    fig.follow_orders.on_time.target = 1.0
    for wo in _records(store, "work_order", (first - LOOKBACK).date(), last):
        assert isinstance(wo, WorkOrder)
        done_at = _done_in(wo, "done", first, end)
        if done_at is not None:
            due = deadlines.follow_up_by(done_at)
            _follow_up(
                fig.follow_orders, wo, done_at, due, now, follow_ups, calls,
                mask_name(wo.contact_name),
            )  # fmt: skip
        if not first <= wo.created_at < end or wo.status == "cancelled":
            continue
        fig.orders += 1
        fig.orders_urgent += wo.urgent
        fig.orders_emergency += wo.emergency
        fig.orders_by_category[REPAIR_CATEGORIES.get(wo.category, wo.category)] += 1
        fig.orders_by_building[_building(wo.location)] += 1
        fig.orders_by_technician[wo.assignee or NOT_RECORDED] += 1
        fig.orders_by_day[wo.created_at.date()] += 1
        dispatch.count(_first(wo, "dispatched"), wo.dispatch_by, now)
        arrival = urgent_arrival if wo.urgent else booked_arrival
        arrival.count(_first(wo, "on_site"), wo.on_site_by, now)
        completion.count(_first(wo, "done"), wo.appointment_end, now)


def _complaints(
    store: Store,
    fig: MonthFigures,
    first: datetime,
    end: datetime,
    now: datetime,
    follow_ups: dict[str, list[FollowUp]],
    calls: dict[str, Counter[str]],
) -> None:
    last = (end - timedelta(days=1)).date()
    contact = fig.on_time.setdefault("有效投诉联系客户（2小时）", Rate(target=1.0))
    reply = fig.on_time.setdefault("投诉答复（C3时限）", Rate(target=1.0))
    resolve = fig.on_time.setdefault("投诉处理完成（C3时限）", Rate(target=1.0))
    fig.on_time["投诉回访（3个工作日内）"] = fig.follow_complaints.on_time
    fig.follow_complaints.on_time.target = 1.0
    fig.complaints_by_category = Counter({v: 0 for v in COMPLAINT_CATEGORIES.values()})
    fig.complaints_by_class = Counter({v: 0 for v in COMPLAINT_VALIDITY.values()})
    events: set[str] = set()
    for c in _records(store, "complaint", (first - LOOKBACK).date(), last):
        assert isinstance(c, Complaint)
        resolved_at = _done_in(c, "resolved", first, end)
        if resolved_at is not None:
            due = c.follow_up_by or deadlines.complaint_follow_up_by(resolved_at)
            _follow_up(
                fig.follow_complaints, c, resolved_at, due, now, follow_ups, calls,
                mask_name(c.name) or "匿名",
            )  # fmt: skip
        if not first <= c.created_at < end:
            continue
        fig.complaints += 1
        fig.complaints_by_category[COMPLAINT_CATEGORIES.get(c.category, c.category)] += 1
        fig.complaints_by_class[COMPLAINT_VALIDITY.get(c.validity, c.validity)] += 1
        fig.complaints_by_day[c.created_at.date()] += 1
        if c.collective:
            fig.collective_complaints += 1
            events.add(c.event_key or c.number)
        replied = _first(c, "replied")
        if c.validity == "valid":
            contact.count(replied, deadlines.complaint_contact_by(c.created_at), now)
        reply.count(replied, c.reply_by, now)
        resolve.count(_first(c, "resolved"), c.resolve_by, now)
    fig.collective_events = len(events)


def _not_recorded(fig: MonthFigures) -> list[str]:
    """The figures the records cannot give, named for the report."""
    out = []
    if fig.orders_by_technician.get(NOT_RECORDED):
        out.append(f"维修人员：{fig.orders_by_technician[NOT_RECORDED]} 张工单派工时未记录维修人员")
    if fig.orders and not fig.on_time["维修完成（预约时段内）"].total:
        out.append("维修完成及时率：工单未约定预约时段，无完成时限可比")
    out.append("投诉联系客户：以“已答复客户”的时间计，系统不单独记录首次联系")
    if fig.desk.calls_in and not fig.desk.callbacks_done:
        out.append("回拨：未接来电的回拨情况未记录（来电记录无回拨标记）")
    return out
