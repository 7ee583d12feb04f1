"""The duty log and the handover (L2, L3): append-only pages; open important work blocks."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import TYPE_CHECKING

from desk.anchors import anchor_line
from desk.record_types import DutyLogEntry
from desk.records import Actor, Kind, Role
from desk.services.base import Core
from desk.workflow import TransitionRefused

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


class DutyLog:
    """L2: nothing is torn out or altered; corrections are new entries."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def write(self, text: str, actor: Actor, entry_type: str = "entry", corrects: str = "",
              handover_to: str = "", open_items: tuple[str, ...] = ()) -> DutyLogEntry:  # fmt: skip
        """L2: append a duty-log page."""
        if corrects:
            self.core.require(corrects, DutyLogEntry)

        def build(number: str, now: datetime) -> DutyLogEntry:
            return DutyLogEntry(number=number, created_at=now, status="written", author=actor.name or str(actor.role),
                                text=text, entry_type=entry_type, corrects=corrects, handover_to=handover_to,
                                open_items=open_items)  # fmt: skip

        return self.core.create(Kind.DUTY_LOG, actor, build)

    def blocking_items(self) -> list[str]:
        """L3: important unfinished work that blocks a handover: open emergencies, urgent
        repairs not yet on site, collective complaints not yet answered."""
        items = [r.number for r in self.desk.emergencies.open()]
        for w in self.desk.repairs.open():
            if w.emergency or (
                w.urgent and w.status in ("received", "dispatched", "accepted", "waiting_parts")
            ):
                items.append(w.number)
        for c in self.desk.complaints.open():
            if c.collective and c.status == "received":
                items.append(c.number)
        return items

    def handover(
        self,
        actor: Actor,
        to_name: str,
        note: str = "",
        force_by: Actor | None = None,
        incoming: Actor | None = None,
    ) -> DutyLogEntry:
        """L3: both shifts sign (the incoming with their own login); open important work blocks
        unless a supervisor overrides."""
        blocking = self.blocking_items()
        if blocking and not (force_by and force_by.role == Role.SUPERVISOR):
            raise TransitionRefused(
                "duty_log", "-", "-", "handover", f"有未完成的重要事项：{', '.join(blocking)}"
            )
        if incoming is not None and incoming.name != to_name:
            raise TransitionRefused("duty_log", "-", "-", "handover", "接班人须本人登录签名")
        if incoming is not None and incoming.name == actor.name:
            raise TransitionRefused("duty_log", "-", "-", "handover", "交班人与接班人不能是同一人")
        open_items = tuple(r.number for r in self.desk.reports.due() if r.state != "ok")
        signed = "，接班人已登录签名" if incoming is not None else ""
        # L2: the chain head goes on the page (and the printed sheet): truncation after it shows
        text = f"交接班：{actor.name} → {to_name}{signed}。{note} {anchor_line(self.core.store)}".strip()
        return self.write(text, actor, "handover", handover_to=to_name, open_items=open_items)

    def day(self, day: date) -> list[DutyLogEntry]:
        return [DutyLogEntry.from_doc(d) for d in self.core.store.iter_days("duty_log", day, day)]
