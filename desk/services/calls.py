"""Calls and callbacks (T1-T5) and follow-up calls' ratings (R5, C4, S1)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from desk.errors import ValidationError
from desk.record_types import Call, Complaint, FollowUp, Satisfaction, WorkOrder
from desk.records import Actor, Kind, Record
from desk.services.base import Core, NotFound
from desk.services.requests import CallLog, ComplaintRequest, fields_of

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


class Calls:
    """Every call in or out is a record; missed ones go on the callback list (T3)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def record(self, req: CallLog, actor: Actor) -> Call:
        def build(number: str, now: datetime) -> Call:
            return Call(number=number, created_at=now, **fields_of(req))

        return self.core.create(Kind.CALL, actor, build)

    def callbacks(self) -> list[Call]:
        """T3: missed and abandoned calls not yet called back (last 7 days)."""
        first = self.core.now().date() - timedelta(days=7)
        calls = [Call.from_doc(d) for d in self.core.store.iter_days("call", first)]
        return [
            c
            for c in calls
            if c.status in ("missed", "abandoned", "voicemail", "visitor_message")
            and not c.callback_done
        ]

    def called_back(self, number: str, actor: Actor, note: str = "已回电") -> Call:
        """T3: staff called the caller back; the call leaves the callback list."""
        return self.callback_result(number, actor, note, "hand", reached=True)

    def callback_list(self, now: datetime | None = None) -> list[Call]:
        """T3: the callback list, what came in while the desk was closed first (L1: waiting
        for the 07:30 opening), then oldest first."""
        now = now or self.core.now()
        overnight = {c.number for c in self.overnight(now)}
        return sorted(self.callbacks(), key=lambda c: (c.number not in overnight, c.number))

    def overnight(self, now: datetime | None = None) -> list[Call]:
        """L1, T3: missed calls and voicemails left since the desk last closed (after hours)."""
        now = now or self.core.now()
        policy = self.core.policy
        return [c for c in self.callbacks() if not policy.is_staffed(c.created_at)
                and now - c.created_at < timedelta(hours=24)]  # fmt: skip

    def request_callback(self, number: str, actor: Actor) -> Call:
        """T3: ask the hotline's dialer to call the caller and put them through to the desk."""
        if not self.core.settings.hotline.operator_uri:
            raise ValidationError(
                "operator_uri", "", "未配置客服分机（[hotline] operator_uri），请手动回电"
            )
        call = self.core.require(number, Call)
        if call.callback_done:
            return call
        updated = self.core.amend(
            number, actor, "请热线回拨", callback_requested_at=self.core.now()
        )
        assert isinstance(updated, Call)
        return updated

    def callback_requests(self) -> list[Call]:
        """T3: callbacks the dialer is asked to place (oldest request first)."""
        asked = [c for c in self.callbacks() if c.callback_requested_at is not None]
        return sorted(asked, key=lambda c: c.callback_requested_at or c.created_at)

    def callback_result(self, number: str, actor: Actor, result: str, via: str,
                        reached: bool = True) -> Call:  # fmt: skip
        """T3: the result of calling back; reached closes the entry, otherwise it stays on the
        list (the request cleared) for another try."""
        if not result.strip():
            raise ValidationError("callback_result", result, "请填写回电结果")
        self.core.require(number, Call)
        updated = self.core.amend(number, actor, ("热线回拨：" if via == "dialer" else "") + result.strip(),
                                  callback_done=reached, callback_result=result.strip(), callback_via=via,
                                  callback_requested_at=None)  # fmt: skip
        assert isinstance(updated, Call)
        return updated

    def outbound(self, purpose: str, days: int = 3) -> list[Call]:
        """The outbound attempts made for ``purpose`` in the last days (host:…, follow_up:…)."""
        first = self.core.now().date() - timedelta(days=days)
        docs = self.core.store.iter_days("call", first)
        return [
            Call.from_doc(d)
            for d in docs
            if d.get("direction") == "out" and d.get("purpose") == purpose
        ]


class FollowUps:
    """R5, C4, S1: a rating; not satisfied reopens the order / opens a new complaint."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def record(self, target: str, satisfaction: str | Satisfaction, actor: Actor,
               comment: str = "", channel: str = "hotline") -> FollowUp:  # fmt: skip
        core = self.core
        level = Satisfaction(satisfaction)
        record = core.get(target)
        if not isinstance(record, WorkOrder | Complaint):
            raise NotFound(f"没有找到编号为 {target} 的工单或投诉")

        def build(number: str, now: datetime) -> FollowUp:
            return FollowUp(number=number, created_at=now, status="done", target=target, channel=channel,
                            satisfaction=level.value, comment=comment, by=actor.name)  # fmt: skip

        follow = core.create(Kind.FOLLOW_UP, actor, build)
        note = f"回访：{level.value}"
        if isinstance(record, WorkOrder):
            if level.satisfied:
                core.transition(
                    WorkOrder, target, "follow_up", actor, note, satisfaction=level.value
                )
            else:
                core.transition(WorkOrder, target, "reopen", actor, note, satisfaction=level.value,
                                reopen_count=record.reopen_count + 1, follow_up_by=None)  # fmt: skip
        else:
            core.transition(Complaint, target, "follow_up", actor, note, satisfaction=level.value)
            if not level.satisfied:
                self.desk.complaints.file(
                    ComplaintRequest(channel="hotline" if channel == "hotline" else "desk", name=record.name,
                                     unit=record.unit, phone=record.phone, category=record.category,
                                     content=f"对投诉 {target} 的处理不满意：{comment or record.content}"),
                    actor,
                )  # fmt: skip
        return follow

    def exception(self, number: str, actor: Actor, reason: str) -> WorkOrder:
        """R5: a completed order that could not be followed up (never reached, moved out...) is
        closed on the named exception list with the reason and who decided it."""
        if not reason.strip():
            raise ValidationError("follow_up_exception", reason, "请填写无法回访的原因")
        return self.core.transition(WorkOrder, number, "follow_up", actor,
                                    f"未能回访，列入例外：{reason.strip()}",
                                    follow_up_exception=reason.strip())  # fmt: skip

    def coverage(self, month: str) -> dict[str, list[str]]:
        """R5: the month's completed orders: followed up, on the named exception list (number
        with reason and who), or missing (neither; the target is none)."""
        year, mon = (int(x) for x in month.split("-"))
        first = date(year, mon, 1)
        last = date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)
        out: dict[str, list[str]] = {
            "completed": [],
            "followed_up": [],
            "exceptions": [],
            "missing": [],
        }
        for doc in self.core.store.iter_days("work_order", first, last):
            order = WorkOrder.from_doc(doc)
            if order.changed_at("done") is None:
                continue
            out["completed"].append(order.number)
            if order.follow_up_exception:
                who = next(
                    (h.actor.name for h in reversed(order.history) if h.status == "closed"), ""
                )
                out["exceptions"].append(f"{order.number} {order.follow_up_exception}（{who}）")
            elif order.status == "closed":
                out["followed_up"].append(order.number)
            else:
                out["missing"].append(order.number)
        return out

    def due(self) -> list[Record]:
        """Work orders done and complaints resolved that still need their follow-up call."""
        orders = [w for w in self.desk.repairs.open() if w.status == "done"]
        complaints = [c for c in self.desk.complaints.open() if c.status == "resolved"]
        return [*orders, *complaints]
