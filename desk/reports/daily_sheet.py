"""L3: the daily sheet for the handover: received, done, still open, overdue with owners, chain head."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from desk.store import Store

log = logging.getLogger(__name__)

KINDS_ZH = {
    "work_order": "报修工单",
    "complaint": "投诉",
    "parcel": "快递",
    "visit": "访客",
    "key_loan": "钥匙借用",
    "call": "来电",
    "request": "安全员请求",
}
DONE_STATUSES = {
    "work_order": ("done", "closed"),
    "complaint": ("resolved", "closed"),
    "parcel": ("collected", "returned"),
    "visit": ("checked_out",),
    "key_loan": ("returned",),
    "request": ("handled", "turned_down"),
}


class DueLike(Protocol):
    """What the sheet reads of the desk's due report (``desk.service.DueItem``)."""

    kind: str
    number: str
    what: str
    due: datetime
    state: str
    summary: str


@dataclass(frozen=True)
class OverdueLine:
    """One promised time missed, with who must act (L3)."""

    number: str
    what: str
    due: datetime
    owner: str
    summary: str


@dataclass
class DailySheet:
    """What a shift hands over."""

    day: date
    printed_at: datetime
    received: Counter[str] = field(default_factory=Counter)
    done: Counter[str] = field(default_factory=Counter)
    still_open: Counter[str] = field(default_factory=Counter)
    overdue: list[OverdueLine] = field(default_factory=list)
    chain_seq: int = 0
    chain_head: str = ""


def _owner(doc: dict | None) -> str:
    """Who must act on an overdue record: the technician, else the last person who handled it."""
    if not doc:
        return "—"
    if doc.get("assignee"):
        return doc["assignee"]
    history = doc.get("history") or []
    for change in reversed(history):
        actor = change.get("actor") or {}
        if actor.get("role") in ("staff", "supervisor", "guard") and actor.get("name"):
            return actor["name"]
    return "客服（未指派）"


def daily_sheet(store: Store, day: date, now: datetime, due_items: Sequence[DueLike]) -> DailySheet:
    """The sheet of ``day``: counts from the store, ``due_items`` from the desk's due report.

    The chain head is the hash of the last entry of the audit log (desk/audit.py): written on
    paper at each handover, it pins the log as it stood (L2, L3).
    """
    store.refresh()
    sheet = DailySheet(day=day, printed_at=now)
    for kind in KINDS_ZH:
        for doc in store.iter_days(kind, day, day):
            if kind == "call" and doc.get("direction") == "out":
                continue
            sheet.received[kind] += 1
        sheet.still_open[kind] = len(store.open_docs(kind)) if kind != "call" else 0
    today = day.isoformat()
    for kind, statuses in DONE_STATUSES.items():
        # done today: a record whose history entered a done status today, created any day
        # in the last 60 (older ones still open cannot have been finished: they stay open)
        for doc in store.iter_days(kind, day - timedelta(days=60), day):
            history = doc.get("history") or ()
            if any(c["status"] in statuses and c["at"].startswith(today) for c in history):
                sheet.done[kind] += 1
    for item in due_items:
        if item.state != "overdue":
            continue
        found = store.get(str(item.kind), item.number)
        sheet.overdue.append(
            OverdueLine(item.number, item.what, item.due, _owner(found), item.summary)
        )
    stats = store.stats()
    sheet.chain_seq = stats["seq"]
    sheet.chain_head = store.head
    return sheet
