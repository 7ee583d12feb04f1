"""Visitors (V1-V6): registration, the host's answer, the guard's approval, codes, check-out."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from desk.identity import may_read_private
from desk.record_types import Visit
from desk.records import Actor, Kind, StatusChange
from desk.services.base import Core, NotFound
from desk.services.requests import PreauthRequest, VisitRequest, fields_of
from desk.workflow import TransitionRefused

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

VisitAction = Literal["expire", "cancel", "refuse"]
"""Actions without their own operation (the others: host_answer, approve_without_id...)."""


class Visits:
    """V2 applies to every visitor (the host confirms); V3 adds the guard for a visitor without ID."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def register(self, req: VisitRequest, actor: Actor) -> Visit:
        """V1-V4: a visitor waits for the host; without ID also for a guard (asked at once)."""
        core = self.core

        def build(number: str, now: datetime) -> Visit:
            # Codes are drawn inside the write transaction: unique across processes.
            return Visit(number=number, created_at=now, status="waiting_host",
                         history=(StatusChange(now, "waiting_host", actor, "登记"),),
                         pass_code=core.new_code("visit", "pass_code"), **fields_of(req))  # fmt: skip

        return core.create(Kind.VISIT, actor, build)

    def preauthorise(self, req: PreauthRequest, actor: Actor) -> Visit:
        """V5: an owner's one-time code, valid for one day's window (their own unit only)."""
        if not may_read_private(actor, req.host_unit):
            raise TransitionRefused(
                "visit", "-", "-", "preauthorise", "须核实业主身份后才能预约访客 (X1)"
            )
        core = self.core
        day = req.day or core.now().date()
        tz = core.now().tzinfo

        def build(number: str, now: datetime) -> Visit:
            return Visit(number=number, created_at=now, status="preauthorised",
                         history=(StatusChange(now, "preauthorised", actor, "业主预约"),),
                         host_unit=req.host_unit, party_size=req.party_size, visitor_name=req.visitor_name,
                         preauth_code=core.new_code("visit", "preauth_code"), preauthorised_by=actor.name,
                         valid_from=datetime.combine(day, req.valid_from, tz),
                         valid_until=datetime.combine(day, req.valid_until, tz))  # fmt: skip

        return core.create(Kind.VISIT, actor, build)

    def by_preauth_code(self, code: str) -> Visit | None:
        doc = self.core.store.by_code("visit", "preauth_code", code.strip())
        if not doc or doc["status"] != "preauthorised":
            return None
        visit = Visit.from_doc(doc)
        now = self.core.now()
        if (visit.valid_from and now < visit.valid_from) or (
            visit.valid_until and now > visit.valid_until
        ):
            return None
        return visit

    def arrive(self, code: str, req: VisitRequest, actor: Actor) -> Visit:
        """V5: the visitor keys in the owner's code; the owner already confirmed."""
        visit = self.by_preauth_code(code)
        if visit is None:
            raise NotFound("预约码无效或已过期")
        # what the visitor gave; the owner's pre-authorised party size and name stay otherwise
        default = VisitRequest()
        fields = {k: v for k, v in fields_of(req, skip=("host_unit",)).items()
                  if v != getattr(default, k)}  # fmt: skip
        return self.core.transition(Visit, visit.number, "arrive", actor, time_in=self.core.now(),
                                    pass_code=self.core.new_code("visit", "pass_code"), **fields)  # fmt: skip

    def host_answer(self, number: str, actor: Actor, accepted: bool, message: str = "") -> Visit:
        """V2: the host admits or declines. A visitor without ID is admitted only once a
        guard has approved too (V3), in either order."""
        core = self.core
        visit = core.require(number, Visit)
        if not accepted:
            return core.transition(
                Visit, number, "decline", actor, host_answer="拒绝", message=message
            )
        if visit.id_type == "none" and not visit.approved_by:
            return core.transition(Visit, number, "host_agrees", actor, host_answer="同意")
        return core.transition(
            Visit, number, "admit", actor, host_answer="同意", time_in=core.now()
        )

    def leave_message(self, number: str, actor: Actor, message: str) -> Visit:
        return self.core.transition(
            Visit, number, "leave_message", actor, host_answer="未接通", message=message
        )

    def approve_without_id(self, number: str, actor: Actor) -> Visit:
        """V3: a guard or supervisor vouches for a visitor without ID; the approver is
        recorded. The visitor is admitted only when the host has agreed as well (V2)."""
        core = self.core
        visit = core.require(number, Visit)
        approver = f"{actor.role}:{actor.name}"
        if visit.status == "waiting_host":
            return core.transition(Visit, number, "guard_agrees", actor, approved_by=approver)
        return core.transition(
            Visit, number, "approve", actor, approved_by=approver, time_in=core.now()
        )

    def refuse_without_id(self, number: str, actor: Actor) -> Visit:
        """V3: a guard does not vouch for a visitor without ID: not admitted."""
        return self.core.transition(Visit, number, "refuse", actor)

    def needs_guard(self, visit: Visit) -> bool:
        """V3: a visitor without ID whom no guard has approved yet."""
        return visit.id_type == "none" and not visit.approved_by

    def check_out(self, code_or_number: str, actor: Actor) -> Visit:
        code = code_or_number.strip()
        doc = self.core.store.by_code("visit", "pass_code", code)
        number = doc["number"] if doc else code
        return self.core.transition(Visit, number, "check_out", actor, time_out=self.core.now())

    def transition(self, number: str, action: VisitAction, actor: Actor, note: str = "") -> Visit:
        return self.core.transition(Visit, number, action, actor, note)

    def waiting(self) -> list[Visit]:
        """Visitors waiting for the host or a guard (V2, V3)."""
        return [v for v in self.core.open_records(Kind.VISIT, Visit)
                if v.status in ("waiting_host", "waiting_approval")]  # fmt: skip

    def waiting_host(self) -> list[Visit]:
        """Visitors whose host has not answered yet (the hotline calls them, V2)."""
        return [v for v in self.core.open_records(Kind.VISIT, Visit) if v.status == "waiting_host"]

    def overdue(self) -> list[Visit]:
        """Visits still open after N hours, for the guard (V1 time out)."""
        limit = self.core.now() - timedelta(hours=self.core.settings.rules.visit_open_hours)
        return [v for v in self.core.open_records(Kind.VISIT, Visit)
                if v.status == "admitted" and (v.time_in or v.created_at) < limit]  # fmt: skip

    def for_unit(self, unit: str, actor: Actor) -> list[Visit]:
        """X1: a unit's open visits, for its proven resident or staff only."""
        if not may_read_private(actor, unit):
            raise TransitionRefused("visit", "-", "-", "read", "须核实业主身份 (X1)")
        return [v for v in self.core.open_records(Kind.VISIT, Visit) if v.host_unit == unit]
