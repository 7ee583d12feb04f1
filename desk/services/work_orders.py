"""A work order carried to done (R2-R6): dispatch, accept, arrive, price, complete, cancel, R4."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from desk import deadlines
from desk.errors import ValidationError
from desk.masking import mask_phone
from desk.record_types import WorkOrder
from desk.records import Actor, Kind, Role, format_number
from desk.services.base import Core
from desk.services.notices import Notice
from desk.validate import unit_label_zh
from desk.workflow import TransitionRefused

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

ACTION_ZH = {
    "dispatch": "派工",
    "accept": "接单",
    "arrive": "到场",
    "need_parts": "需要配件",
    "hand_back": "退回",
    "complete": "完工",
    "cancel": "取消",
    "confirm_price": "业主确认价格",
}
"""What each action is called on screens, the 派工单 and the phone."""
TECHNICIAN_ACTIONS = ("accept", "arrive", "complete", "need_parts", "hand_back")
"""What a technician does with a scanned or keyed-in order, in the order offered."""
PRICE_CONFIRMED_VIA = {
    "phone": "电话按键确认",
    "kiosk": "终端确认",
    "signed": "派工单签字确认",
    "desk": "客服电话确认",
}


@dataclass(frozen=True)
class AtRisk:
    """R4: an order whose next promised time is near or past."""

    order: WorkOrder
    what: str
    """派工, 到场 or 回访."""
    due: datetime
    state: str
    """due_soon or overdue."""


def promise(order: WorkOrder) -> tuple[str, datetime | None]:
    """The order's next promised time: (what, when)."""
    if order.status in ("received", "reopened"):
        return "派工", order.dispatch_by
    if order.status in ("dispatched", "accepted", "waiting_parts"):
        return "到场", order.on_site_by
    if order.status == "done":
        return "回访", order.follow_up_by
    return "", None


class WorkOrders:
    """The life of a work order after it was reported (desk.repairs.report)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def get(self, number: str) -> WorkOrder:
        """The order of a number as typed, scanned (digits) or keyed on the phone."""
        return self.core.require(number, WorkOrder)

    def next_actions(self, order: WorkOrder, actor: Actor) -> list[str]:
        """What ``actor`` may do with the order now, technician steps first."""
        from desk.workflow import allowed_actions

        allowed = allowed_actions(order, actor.role)
        first = [a for a in TECHNICIAN_ACTIONS if a in allowed]
        rest = [a for a in ("dispatch", "cancel") if a in allowed]
        extra = ["confirm_price"] if self.needs_price_confirmation(order) else []
        return first + extra + rest

    @staticmethod
    def slip_actor(order: WorkOrder, login: Actor) -> Actor:
        """R3: who acts when a technician shows the order's 派工单 (its QR scanned) at a terminal
        where ``login`` is signed in: the order's technician, witnessed by the login (audit)."""
        name = order.assignee or order.team or "维修人员"
        return Actor(Role.STAFF, name, f"{login.source}:派工单扫码，{login.name}在场")

    @staticmethod
    def needs_price_confirmation(order: WorkOrder) -> bool:
        """R6: a paid service whose price the owner has not confirmed yet."""
        return (
            order.paid
            and not order.price_confirmed
            and order.status not in ("done", "closed", "cancelled")
        )

    # ---- transitions ---------------------------------------------------------------------
    def dispatch(self, number: str, actor: Actor, assignee: str = "", team: str = "") -> WorkOrder:
        """R2, R3: to a named technician and/or a team; the 派工单 is printed by the caller."""
        assignee, team = assignee.strip(), team.strip()
        if not (assignee or team):
            raise ValidationError("assignee", "", "请填写维修人员或班组")
        who = "、".join(x for x in (team, assignee) if x)
        return self.core.transition(WorkOrder, number, "dispatch", actor, f"已派工给 {who}",
                                    assignee=assignee, team=team)  # fmt: skip

    def accept(self, number: str, actor: Actor) -> WorkOrder:
        return self.core.transition(WorkOrder, number, "accept", actor, f"{actor.name} 已接单")

    def arrive(self, number: str, actor: Actor) -> WorkOrder:
        """R2: on site; the time is compared with the promise (30 min for urgent ones)."""
        order = self.get(number)
        now = self.core.now()
        note = f"{actor.name} 已到场"
        if order.on_site_by is not None:
            late = (now - order.on_site_by).total_seconds() / 60
            note += f"（承诺 {order.on_site_by:%H:%M} 前，" + (
                f"超时 {late:.0f} 分钟）" if late > 0 else "按时）"
            )
        return self.core.transition(WorkOrder, number, "arrive", actor, note, arrived_at=now)

    def need_parts(self, number: str, actor: Actor, parts: str = "") -> WorkOrder:
        note = "需要配件" + (f"：{parts}" if parts else "") + "，配件到后再上门"
        return self.core.transition(WorkOrder, number, "need_parts", actor, note,
                                    parts_needed=parts.strip())  # fmt: skip

    def hand_back(self, number: str, actor: Actor, reason: str = "") -> WorkOrder:
        """The technician returns the order to the desk, which dispatches it again."""
        note = f"{actor.name} 退回" + (f"：{reason}" if reason else "") + "，待重新派工"
        return self.core.transition(WorkOrder, number, "hand_back", actor, note, assignee="")

    def quote(self, number: str, actor: Actor, price_yuan: float) -> WorkOrder:
        """R6: a paid special service: the price to tell the owner (not yet confirmed)."""
        if price_yuan <= 0:
            raise ValidationError("price_yuan", price_yuan, "有偿服务请填写大于0的价格")
        order = self.get(number)
        if order.status in ("done", "closed", "cancelled"):
            raise TransitionRefused(
                Kind.WORK_ORDER, number, order.status, "quote", "已完工或已关闭"
            )
        updated = self.core.amend(number, actor, f"有偿服务报价 ¥{price_yuan:.2f}，待业主确认",
                                  paid=True, price_yuan=float(price_yuan), price_confirmed=False,
                                  price_confirmed_at=None, price_confirmed_via="")  # fmt: skip
        assert isinstance(updated, WorkOrder)
        return updated

    def confirm_price(self, number: str, actor: Actor, via: str) -> WorkOrder:
        """R6: the owner confirmed the price (phone key, kiosk, signed slip, desk)."""
        if via not in PRICE_CONFIRMED_VIA:
            raise ValidationError("via", via, f"应为 {', '.join(PRICE_CONFIRMED_VIA)}")
        order = self.get(number)
        if not order.paid:
            raise TransitionRefused(
                Kind.WORK_ORDER, number, order.status, "confirm_price", "不是有偿服务"
            )
        note = f"业主确认价格 ¥{order.price_yuan:.2f}（{PRICE_CONFIRMED_VIA[via]}）"
        updated = self.core.amend(number, actor, note, price_confirmed=True,
                                  price_confirmed_at=self.core.now(), price_confirmed_via=via)  # fmt: skip
        assert isinstance(updated, WorkOrder)
        return updated

    def complete(self, number: str, actor: Actor, work_done: str = "", materials: str = "",
                 cost_yuan: float = 0.0, large: bool = False) -> WorkOrder:  # fmt: skip
        """R5, R6: what was done, materials and cost; starts the follow-up clock (30 days for
        a large project). A paid service needs the owner's price confirmation first."""
        order = self.get(number)
        if order.paid and not order.price_confirmed:
            raise TransitionRefused(Kind.WORK_ORDER, number, order.status, "complete",
                                    "有偿服务须先经业主确认价格（R6）")  # fmt: skip
        now = self.core.now()
        note = "维修完成" + (f"：{work_done.strip()}" if work_done.strip() else "")
        if cost_yuan:
            note += f"，费用 ¥{cost_yuan:.2f}"
        return self.core.transition(WorkOrder, number, "complete", actor, note,
                                    work_done=work_done.strip(), materials=materials.strip(),
                                    cost_yuan=float(cost_yuan), large_project=large or order.large_project,
                                    follow_up_by=deadlines.follow_up_by(now, large or order.large_project))  # fmt: skip

    def cancel(self, number: str, actor: Actor, reason: str) -> WorkOrder:
        """R3: cancelled only with a reason."""
        if not reason.strip():
            raise ValidationError("reason", reason, "取消须填写原因")
        return self.core.transition(WorkOrder, number, "cancel", actor, f"取消：{reason.strip()}",
                                    cancel_reason=reason.strip())  # fmt: skip

    # ---- R4: at risk, and the owner told -------------------------------------------------
    def at_risk(self, now: datetime | None = None) -> list[AtRisk]:
        """R4: open orders whose next promise is within the warning time or already past."""
        now = now or self.core.now()
        soon = timedelta(minutes=self.core.settings.rules.due_soon_minutes)
        found = []
        for order in self.desk.repairs.open():
            what, due = promise(order)
            state = deadlines.classify(due, now, soon)
            if due is not None and state != "ok":
                found.append(AtRisk(order, what, due, state))
        return sorted(found, key=lambda r: (r.state != "overdue", r.due))

    def tell_late(self, number: str, actor: Actor, how: str = "") -> WorkOrder:
        """R4: the owner is told the promised time will be missed, with an apology; through
        the notice hook (desk.notices) unless staff already told them (``how``)."""
        order = self.get(number)
        what, due = promise(order)
        when = f"{due:%m-%d %H:%M}" if due else "约定时间"
        text = (f"抱歉，您的报修 {format_number(order.number)}（{unit_label_zh(order.location)}）"
                f"未能在 {when} 前{what or '处理'}，我们正在加紧安排，给您带来不便深表歉意。")  # fmt: skip
        if not how:
            slots = (("number", format_number(order.number)), ("unit", unit_label_zh(order.location)),
                     ("time", when), ("what", what or "处理"))  # fmt: skip
            self.desk.notices.send(Notice("late_repair", order.number, text, order.contact_name,
                                          order.contact_phone, slots), actor)  # fmt: skip
        note = f"已向业主致歉说明延误（{how or '待通知'}，{mask_phone(order.contact_phone)}）"
        updated = self.core.amend(number, actor, note, late_notice_at=self.core.now())
        assert isinstance(updated, WorkOrder)
        return updated

    def escalate(self, number: str, actor: Actor, why: str = "") -> WorkOrder:
        """R4: an order at risk passed up to the supervisor (duty log through desk.notices)."""
        order = self.get(number)
        what, due = promise(order)
        when = f"{due:%m-%d %H:%M}" if due else "—"
        text = (f"工单 {format_number(order.number)}（{unit_label_zh(order.location)}）{what}期限 {when}"
                f"，请主管协调。{why}").strip()  # fmt: skip
        self.desk.notices.send(Notice("escalation", order.number, text, "主管"), actor)
        updated = self.core.amend(number, actor, f"已上报主管：{why or what + '将超时'}")
        assert isinstance(updated, WorkOrder)
        return updated

    def tell_late_all(self, actor: Actor, now: datetime | None = None) -> list[WorkOrder]:
        """R4: every order whose on-site or dispatch promise is about to be missed and whose
        owner was not told yet gets its apology notice (run by the desk's periodic check)."""
        told = []
        for risk in self.at_risk(now):
            if risk.what in ("派工", "到场") and risk.order.late_notice_at is None:
                told.append(self.tell_late(risk.order.number, actor))
        return told
