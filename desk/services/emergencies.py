"""Emergencies (E1): one operation for every channel; recorded first, listed first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from desk.record_types import GuardRequest
from desk.records import SYSTEM, Actor, Kind
from desk.services.base import Core
from desk.services.requests import EmergencyReport
from desk.validate import unit_label_zh

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmergencyOutcome:
    """What the channel tells the person, after the emergency is on record."""

    request: GuardRequest
    """The record on the guard's list (first) and the desk's (blocking the handover)."""
    staffed: bool
    advice: str
    """"请立即拨打119/110/120…" when lives or fire may be at stake or the desk is unstaffed;
    "" otherwise."""
    ask_where: bool
    """The record has no place yet: a channel that can ask should (then call add_details)."""


class Emergencies:
    """E1 for the kiosk button, the hotline's `*` and spoken words, and staff alike."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def report(self, req: EmergencyReport, actor: Actor) -> EmergencyOutcome:
        """Record at once (guard list + duty log), before any prompt is spoken; then say
        what to tell the person. Never refused, whoever reports it."""
        core = self.core
        where = req.where or (actor.unit if actor.unit else "")
        note = f"紧急情况（{_channel_zh(req.channel)}{'，' + req.via if req.via else ''}）：{req.what or '未说明'}"

        def build(number: str, now: datetime) -> GuardRequest:
            return GuardRequest(number=number, created_at=now, status="open", request_kind="emergency",
                                unit=where if _is_unit(where) else "", note=note[:500],
                                source=actor.source or req.channel, channel=req.channel,
                                where=where, what=req.what[:200], contact_phone=req.contact_phone,
                                work_order=req.work_order)  # fmt: skip

        request = core.create(Kind.REQUEST, actor, build)
        log.warning("EMERGENCY %s from %s at %s (E1)", request.number, req.channel, where or "?")
        place = unit_label_zh(where) if _is_unit(where) else (where or "地点未知")
        self.desk.dutylog.write(
            f"紧急事件 {request.number}：{place}，{req.what[:40] or '未说明'}"
            + (f"，工单 {req.work_order}" if req.work_order else ""),
            SYSTEM,
        )
        staffed = core.policy.is_staffed(core.now())
        at_stake = core.policy.lives_at_stake(req.what) or not req.what
        advice = core.settings.policy.public_services_advice if (at_stake or not staffed) else ""
        return EmergencyOutcome(request, staffed, advice, ask_where=not where)

    def add_details(
        self, number: str, actor: Actor, where: str = "", what: str = ""
    ) -> GuardRequest:
        """The channel asked and got where / what after the record was made."""
        changes: dict[str, str] = {}
        if where:
            changes["where"] = where
            if _is_unit(where):
                changes["unit"] = where
        if what:
            changes["what"] = what[:200]
        updated = self.core.amend(number, actor, f"补充：{where} {what}".strip(), **changes)
        assert isinstance(updated, GuardRequest)
        return updated

    def open(self) -> list[GuardRequest]:
        """Open emergencies, oldest first (the guard screen and the desk list them first)."""
        return [r for r in self.desk.guard.pending() if r.request_kind == "emergency"]


def _is_unit(where: str) -> bool:
    from desk.validate import parse_unit

    try:
        parse_unit(where)
    except Exception:  # noqa: BLE001 - a place in words
        return False
    return True


def _channel_zh(channel: str) -> str:
    return {"kiosk": "自助终端", "hotline": "热线", "desk": "前台"}.get(channel, channel)
