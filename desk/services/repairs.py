"""Repairs and work orders (R1-R6): who may report what, urgency, after-hours, deadlines."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from desk import deadlines
from desk.identity import may_report_repair
from desk.policy import Slot
from desk.record_types import WorkOrder
from desk.records import Actor, Kind, StatusChange
from desk.services.base import Core
from desk.services.requests import EmergencyReport, RepairRequest, fields_of

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

WorkOrderAction = Literal["dispatch", "accept", "arrive", "cancel"]
"""Actions without their own operation (complete and follow-ups compute deadlines)."""
UNVERIFIED_NOTE = "待核实：报修人未经核实，请先回拨登记电话确认"


class Repairs:
    """R1-R6 on every channel: the kiosk and the hotline only ask."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    # ---- what the front ends show --------------------------------------------------------
    def slots(self) -> list[Slot]:
        """R1: the appointment slots to offer now."""
        return self.core.policy.repair_slots(self.core.now())

    def suggests_urgent(self, category: str, text: str) -> bool:
        """R2: lift and gas, or an urgent word: suggest 急修 (the reporter or staff confirm)."""
        return self.core.policy.is_urgent(category, text)

    # ---- operations ------------------------------------------------------------------------
    def report(self, req: RepairRequest, actor: Actor) -> WorkOrder:
        """R1-R2: a numbered work order with its promised times, the same on every channel.

        - Public areas from anyone; a unit from its residents or staff, and from anyone else
          flagged 待核实 with the unit's registered phone on the callback list — never refused,
          so an urgent leak is always taken. The audit names the real reporter (``actor``).
        - Lift and gas are urgent; an emergency word makes it an emergency (E1: listed first
          for the guard and the desk, recorded before anything is said).
        - After staffed hours (L1) an ordinary repair is filed all the same; its dispatch
          clock starts at the next staffed opening.
        """
        core = self.core
        policy = core.policy
        text = f"{req.description} {req.transcript}"
        emergency = policy.is_emergency(text)
        urgent = req.urgent or emergency or req.category in policy.p.urgent_categories
        decision = may_report_repair(actor, req.location, urgent)
        callback = ""
        if decision.flagged:
            residents = self.desk.directory.residents_of(req.location)
            callback = residents[0].phone if residents else ""
        appointment_end = None
        if req.appointment_start is not None and not urgent:
            appointment_end = policy.slot_at(req.appointment_start).end
        fields = fields_of(req, skip=("urgent",))
        if urgent:
            fields["appointment_start"] = None

        def build(number: str, now: datetime) -> WorkOrder:
            handling = policy.repair_handling(urgent, now)
            due = deadlines.repair_deadlines(
                handling.dispatch_from, urgent, fields["appointment_start"]
            )
            note = "受理报修" + (
                "（非工作时间受理，上班后派工）" if handling.after_hours and not urgent else ""
            )
            history = [StatusChange(now, "received", actor, note)]
            if decision.flagged:
                history.append(StatusChange(now, "received", actor, UNVERIFIED_NOTE))
            return WorkOrder(number=number, created_at=now, status="received", history=tuple(history),
                             dispatch_by=due["dispatch_by"], on_site_by=due["on_site_by"],
                             urgent=urgent, emergency=emergency, unverified=decision.flagged,
                             callback_phone=callback, appointment_end=appointment_end,
                             reported_by=actor.name, **fields)  # fmt: skip

        order = core.create(Kind.WORK_ORDER, actor, build)
        if order.emergency:
            self.desk.emergencies.report(
                EmergencyReport(channel=req.channel, via="words", where=req.location,
                                what=req.description or req.transcript, contact_phone=req.contact_phone,
                                work_order=order.number), actor)  # fmt: skip
        return order

    def unverified(self) -> list[WorkOrder]:
        """Open orders flagged 待核实: the unit's registered phone is called back first."""
        return [w for w in self.core.open_records(Kind.WORK_ORDER, WorkOrder) if w.unverified]

    def verify(self, number: str, actor: Actor, note: str = "已回拨登记电话确认") -> WorkOrder:
        """Staff called the registered phone back and confirmed the repair."""
        self.core.require(number, WorkOrder)
        updated = self.core.amend(number, actor, note, unverified=False)
        assert isinstance(updated, WorkOrder)
        return updated

    def dispatch(self, number: str, actor: Actor, assignee: str = "", team: str = "") -> WorkOrder:
        """R3: see desk.orders.dispatch (a named technician or a team)."""
        return self.desk.orders.dispatch(number, actor, assignee or "维修组", team)

    def complete(self, number: str, actor: Actor, note: str = "") -> WorkOrder:
        """R5: completion starts the 3-day follow-up clock (desk.orders.complete)."""
        return self.desk.orders.complete(number, actor, work_done=note)

    def cancel(self, number: str, actor: Actor, reason: str) -> WorkOrder:
        """R3: see desk.orders.cancel (a reason is required)."""
        return self.desk.orders.cancel(number, actor, reason)

    def transition(
        self, number: str, action: WorkOrderAction, actor: Actor, note: str = ""
    ) -> WorkOrder:
        return self.core.transition(WorkOrder, number, action, actor, note)

    def open(self) -> list[WorkOrder]:
        return self.core.open_records(Kind.WORK_ORDER, WorkOrder)
