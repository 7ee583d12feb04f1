"""What the desk must act on (R4, C3, R5, P4, E1) and the purge of old visitor data (X2)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from desk import deadlines
from desk.records import SYSTEM, Actor, Kind
from desk.services.base import Core
from desk.validate import unit_label_zh

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueItem:
    """One promised time the desk tracks (R4, C3, R5, P4, E1): what, when, how it stands."""

    kind: Kind
    number: str
    what: str
    due: datetime
    state: str
    """ok, due_soon or overdue."""
    summary: str
    urgent: bool = False


class Reports:
    """The desk's list, most pressing first: open emergencies lead it (E1)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def due(self, now: datetime | None = None) -> list[DueItem]:
        """E1, R4, C3, R5, P4: every promised time still open, emergencies first."""
        core = self.core
        now = now or core.now()
        soon = timedelta(minutes=core.settings.rules.due_soon_minutes)
        items: list[DueItem] = []
        emergencies: list[DueItem] = []

        def add(
            kind: Kind,
            number: str,
            what: str,
            due: datetime | None,
            summary: str,
            urgent: bool = False,
        ) -> None:
            if due is not None:
                items.append(
                    DueItem(
                        kind, number, what, due, deadlines.classify(due, now, soon), summary, urgent
                    )
                )

        for r in self.desk.emergencies.open():
            place = unit_label_zh(r.unit) if r.unit else (r.where or "地点未知")
            emergencies.append(DueItem(Kind.REQUEST, r.number, "紧急事件", r.created_at, "overdue",
                                       f"{place} {r.what[:20]}", True))  # fmt: skip
        for w in self.desk.repairs.open():
            summary = f"{unit_label_zh(w.location)} {w.description[:20]}" + (
                " 待核实" if w.unverified else ""
            )
            if w.status in ("received", "reopened"):
                add(Kind.WORK_ORDER, w.number, "派工", w.dispatch_by, summary, w.urgent)
            elif w.status in ("dispatched", "accepted", "waiting_parts"):
                add(Kind.WORK_ORDER, w.number, "到场", w.on_site_by, summary, w.urgent)
            elif w.status == "done":
                add(Kind.WORK_ORDER, w.number, "回访", w.follow_up_by, summary)
        for c in self.desk.complaints.open():
            summary = f"{unit_label_zh(c.unit)} {c.content[:20]}"
            if c.contact_by is not None and c.contacted_at is None:
                add(Kind.COMPLAINT, c.number, "联系", c.contact_by, summary, c.collective)  # C3
            if c.status in ("received", "classified"):
                add(Kind.COMPLAINT, c.number, "答复", c.reply_by, summary, c.collective)
            if c.status in ("received", "classified", "replied"):
                add(Kind.COMPLAINT, c.number, "处理", c.resolve_by, summary, c.collective)
            if c.status == "resolved":
                add(Kind.COMPLAINT, c.number, "回访", c.follow_up_by, summary)
        overdue_days = core.settings.rules.parcel_overdue_days
        for p in self.desk.parcels.waiting():
            if p.status in ("stored", "notified"):
                due = p.return_by or deadlines.parcel_reminder_at(p.created_at, overdue_days)
                add(Kind.PARCEL, p.number, "退回邮局" if p.return_by else "催领", due,
                    f"{unit_label_zh(p.unit)} {p.courier}")  # fmt: skip
        for loan in self.desk.keys.out():  # K2: every lent key until it is back
            add(
                Kind.KEY_LOAN,
                loan.number,
                "还钥匙",
                loan.due_back,
                f"{loan.key_id} {loan.borrower_name[:1]}*",
            )
        order = {"overdue": 0, "due_soon": 1, "ok": 2}
        return emergencies + sorted(items, key=lambda i: (order[i.state], not i.urgent, i.due))

    def alert(self, actor: Actor = SYSTEM) -> list[str]:
        """R4, K2: what a front end runs every minute: owners of orders about to miss a promise
        are to be told (desk.notices), overdue keys alerted on the duty log; each once."""
        told = self.desk.orders.tell_late_all(actor)
        keys = self.desk.keys.alert_overdue(actor)
        return [f"R4 {w.number}" for w in told] + [f"K2 {k.number}" for k in keys]

    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """X2: anonymise every kind of record past its keeping period (desk.retention)."""
        from desk.retention import purge

        return purge(self.desk, now)
