"""Complaints (C1-C4): deadlines by severity, collective events escalated, resolution."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from desk import deadlines
from desk.record_types import Complaint
from desk.records import SYSTEM, Actor, Kind, StatusChange
from desk.services.base import Core
from desk.services.requests import ComplaintRequest, fields_of
from desk.validate import parse_unit

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

ComplaintAction = Literal["classify", "reply"]
PUBLIC_AREA = "public"
"""The place of a complaint about the compound's public areas (not one building)."""


def complaint_event_key(category: str, place: str, day: date) -> str:
    """C2: the event a complaint is about, as any channel can tell it: its category, where
    (building "b3" or "public") and the day: `cleaning@b3@2026-11-23`. Five households with
    the same key within the collective window make a collective complaint."""
    return f"{category}@{place}@{day:%Y-%m-%d}" if place else ""


def place_zh(place: str) -> str:
    """The complaint's `place` field: 3栋 / 小区公共区域."""
    if place == PUBLIC_AREA:
        return "小区公共区域"
    return f"{place[1:]}栋" if place.startswith("b") else ""


class Complaints:
    """C1-C4; complaints are taken 24 hours a day on every channel (L1)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def event_key(self, category: str, place: str) -> str:
        """C2: today's event key for a complaint about ``place`` (b3, public or "")."""
        return complaint_event_key(category, place, self.core.now().date())

    def file(self, req: ComplaintRequest, actor: Actor) -> Complaint:
        """C1-C3: deadlines by severity; 5+ households on one event escalate (C2)."""
        core = self.core
        fields = fields_of(req)
        if req.event_key is None:
            # A channel that did not ask where: the complainant's building on that day.
            fields["event_key"] = (
                self.event_key(req.category, f"b{parse_unit(req.unit)[0]}") if req.unit else ""
            )

        def build(number: str, now: datetime) -> Complaint:
            due = deadlines.complaint_deadlines(now, req.severity, req.validity)
            return Complaint(number=number, created_at=now, status="received",
                             history=(StatusChange(now, "received", actor, "受理投诉"),),
                             reply_by=due["reply_by"], resolve_by=due["resolve_by"], **fields)  # fmt: skip

        complaint = core.create(Kind.COMPLAINT, actor, build)
        if complaint.event_key:
            self._check_collective(complaint.event_key)
        return core.require(complaint.number, Complaint)

    def _check_collective(self, event_key: str) -> None:
        core = self.core
        rules = core.settings.rules
        since = core.now() - timedelta(hours=rules.collective_window_hours)
        same = [Complaint.from_doc(d) for d in core.store.find("complaint", "event_key", event_key)]
        same = [c for c in same if c.created_at >= since]
        households = {c.unit or c.phone or c.number for c in same}
        if len(households) < rules.collective_households:
            return
        for c in same:
            if not c.collective:
                core.amend(c.number, SYSTEM, "集体投诉，已上报主任 (C2)", collective=True,
                           escalated_to="主任", severity="major")  # fmt: skip
        log.warning("collective complaint: %d households on %r (C2)", len(households), event_key)

    def resolve(self, number: str, actor: Actor, resolution: str) -> Complaint:
        now = self.core.now()
        return self.core.transition(Complaint, number, "resolve", actor, resolution=resolution,
                                    follow_up_by=deadlines.complaint_follow_up_by(now))  # fmt: skip

    def transition(
        self, number: str, action: ComplaintAction, actor: Actor, note: str = ""
    ) -> Complaint:
        return self.core.transition(Complaint, number, action, actor, note)

    def open(self) -> list[Complaint]:
        return self.core.open_records(Kind.COMPLAINT, Complaint)
