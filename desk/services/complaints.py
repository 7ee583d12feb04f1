"""Complaints (C1-C4): deadlines by severity, collective events escalated, resolution."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from desk import deadlines
from desk.errors import ValidationError
from desk.record_types import Complaint
from desk.records import SYSTEM, Actor, Kind, StatusChange, format_number
from desk.services.base import Core
from desk.services.notices import Notice
from desk.services.requests import ComplaintRequest, fields_of
from desk.validate import parse_unit
from desk.vocabulary import COMPLAINT_SEVERITIES, COMPLAINT_VALIDITY

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
        if complaint.phone and complaint.channel in ("hotline", "kiosk", "email"):
            when = f"{complaint.reply_by:%m-%d %H:%M}" if complaint.reply_by else "尽快"
            self.desk.notices.send(Notice("complaint_ack", complaint.number,
                                          f"您的投诉已受理（编号 {format_number(complaint.number)}），"
                                          f"我们将在 {when} 前与您联系。", complaint.name, complaint.phone),
                                   actor)  # fmt: skip
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
        newly = [c for c in same if not c.collective]
        for c in newly:
            core.amend(c.number, SYSTEM, "集体投诉，已上报主任 (C2)", collective=True,
                       escalated_to="主任", severity="major", director_alerted_at=core.now())  # fmt: skip
        if newly and len(newly) < len(same):
            return  # the director was alerted already; later households join the same event
        if newly:
            first = min(same, key=lambda c: c.number)
            self.desk.notices.send(Notice("collective_complaint", first.number,
                                          f"集体投诉：{len(households)} 户反映同一事件（{event_key}），"
                                          f"请主任立即处理。", "主任"), SYSTEM)  # fmt: skip
        log.warning("collective complaint: %d households on %r (C2)", len(households), event_key)

    def classify(self, number: str, actor: Actor, validity: str, reason: str,
                 severity: str = "") -> Complaint:  # fmt: skip
        """C2, C3: 有效/协助/无效 with a reason; the deadlines follow the class, and a valid
        complaint's customer is to be contacted within 2 h of receipt."""
        if validity not in ("valid", "assist", "invalid"):
            raise ValidationError("validity", validity, "应为 有效/协助/无效")
        if not reason.strip():
            raise ValidationError("validity_reason", reason, "请填写分类理由")
        c = self.core.require(number, Complaint)
        severity = "major" if c.collective else (severity or c.severity)
        due = deadlines.complaint_deadlines(c.created_at, severity, validity)
        contact_by = deadlines.complaint_contact_by(c.created_at) if validity == "valid" else None
        note = f"分类：{COMPLAINT_VALIDITY[validity]}（{reason.strip()}），{COMPLAINT_SEVERITIES[severity]}"
        return self.core.transition(Complaint, number, "classify", actor, note, validity=validity,
                                    validity_reason=reason.strip(), severity=severity,
                                    reply_by=due["reply_by"], resolve_by=due["resolve_by"],
                                    contact_by=contact_by)  # fmt: skip

    def contact(self, number: str, actor: Actor, note: str) -> Complaint:
        """C3: the first contact with the customer (timed against ``contact_by``)."""
        if not note.strip():
            raise ValidationError("contact_note", note, "请填写联系情况（如约定答复时间）")
        c = self.core.require(number, Complaint)
        now = self.core.now()
        if c.contacted_at is not None:
            return self.handle(number, actor, f"再次联系：{note.strip()}")
        timing = ""
        if c.contact_by is not None:
            late = (now - c.contact_by).total_seconds() / 60
            timing = f"（超时 {late:.0f} 分钟）" if late > 0 else "（2小时内）"
        updated = self.core.amend(number, actor, f"首次联系客户{timing}：{note.strip()}",
                                  contacted_at=now, contact_note=note.strip())  # fmt: skip
        assert isinstance(updated, Complaint)
        return updated

    def contact_late(self, c: Complaint, now: datetime | None = None) -> bool:
        """C3: a valid complaint whose customer was not contacted within 2 h."""
        now = now or self.core.now()
        if c.contact_by is None:
            return False
        return (c.contacted_at or now) > c.contact_by

    def handle(self, number: str, actor: Actor, note: str) -> Complaint:
        """C3: a handling step recorded on the complaint (who did what)."""
        if not note.strip():
            raise ValidationError("note", note, "请填写处理情况")
        updated = self.core.amend(number, actor, f"处理：{note.strip()}")
        assert isinstance(updated, Complaint)
        return updated

    def reply(self, number: str, actor: Actor, note: str) -> Complaint:
        """C3: the reply given to the customer."""
        return self.core.transition(Complaint, number, "reply", actor, f"答复：{note.strip()}")

    def resolve(self, number: str, actor: Actor, resolution: str) -> Complaint:
        """C3, C4: resolved with what was done; the follow-up is due within 3 working days."""
        if not resolution.strip():
            raise ValidationError("resolution", resolution, "请填写处理结果")
        now = self.core.now()
        return self.core.transition(Complaint, number, "resolve", actor, f"处理完毕：{resolution.strip()}",
                                    resolution=resolution.strip(),
                                    follow_up_by=deadlines.complaint_follow_up_by(now))  # fmt: skip

    def collective(self) -> list[Complaint]:
        """C2: open collective complaints (the desk's screen shows them first)."""
        return [c for c in self.open() if c.collective]

    def transition(
        self, number: str, action: ComplaintAction, actor: Actor, note: str = ""
    ) -> Complaint:
        return self.core.transition(Complaint, number, action, actor, note)

    def open(self) -> list[Complaint]:
        return self.core.open_records(Kind.COMPLAINT, Complaint)
