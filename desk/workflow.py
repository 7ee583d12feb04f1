"""State machines of the desk's records: allowed transitions and who may make them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desk.errors import DeskError
from desk.records import Actor, Kind, Record, Role, StatusChange

log = logging.getLogger(__name__)

G, S, SV, O, V, SYS = Role.GUARD, Role.STAFF, Role.SUPERVISOR, Role.OWNER, Role.VISITOR, Role.SYSTEM
TECH = Role.TECHNICIAN
DESK = frozenset({G, S, SV})
OFFICE = frozenset({S, SV})


class TransitionRefused(DeskError):
    """A transition the rules do not allow; nothing was changed."""

    def __init__(self, kind: str, number: str, status: str, action: str, reason: str) -> None:
        self.kind, self.number, self.status, self.action, self.reason = (
            kind,
            number,
            status,
            action,
            reason,
        )
        super().__init__(f"{kind} {number}: cannot {action} from {status}: {reason}")


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of ``sources`` to ``target`` by one of ``roles``."""

    sources: frozenset[str]
    target: str
    roles: frozenset[Role]
    label: str


def t(sources: str, target: str, roles: frozenset[Role] | set[Role], label: str) -> Transition:
    return Transition(frozenset(sources.split()), target, frozenset(roles), label)


@dataclass(frozen=True)
class Machine:
    """The statuses and actions of one kind of record."""

    initial: frozenset[str]
    final: frozenset[str]
    actions: dict[str, Transition]
    create_roles: frozenset[Role]

    @property
    def statuses(self) -> frozenset[str]:
        found = set(self.initial) | set(self.final)
        for tr in self.actions.values():
            found |= tr.sources | {tr.target}
        return frozenset(found)


MACHINES: dict[Kind, Machine] = {
    # V1-V5: a visitor waits for the host (V2), a guard (V3, no ID) or holds a code (V5).
    Kind.VISIT: Machine(
        initial=frozenset({"waiting_host", "waiting_approval", "preauthorised", "admitted"}),
        final=frozenset(
            {"checked_out", "declined", "refused", "message_left", "expired", "cancelled"}
        ),
        actions={
            "admit": t("waiting_host", "admitted", {O, G, S, SV, SYS}, "住户同意来访"),
            "decline": t("waiting_host", "declined", {O, G, S, SV, SYS}, "住户拒绝来访"),
            # after a decline the message is added to the closed visit (core.amend), not a move
            "leave_message": t("waiting_host", "message_left", {V, G, S, SV, SYS}, "访客留言"),
            # Issue 12: the visitor left before anyone answered; a pass ran out (V1).
            "give_up": t(
                "waiting_host waiting_approval", "expired", {V, G, S, SV, SYS}, "等待超时，登记关闭"
            ),
            "auto_check_out": t("admitted", "checked_out", {SYS}, "通行证到期，自动离开登记"),
            # V2 + V3: a visitor without ID needs the host and a guard, in either order.
            "host_agrees": t(
                "waiting_host", "waiting_approval", {O, G, S, SV, SYS}, "住户同意，待安全员核实"
            ),
            "guard_agrees": t(
                "waiting_host", "waiting_host", {G, SV}, "无证件，安全员已核实，待住户确认"
            ),
            "approve": t("waiting_approval", "admitted", {G, SV}, "无证件，安全员批准"),
            "refuse": t("waiting_host waiting_approval", "refused", {G, S, SV}, "无证件，不予放行"),
            "arrive": t("preauthorised", "admitted", {V, G, S, SV, SYS}, "凭预约码到访"),
            "check_out": t("admitted", "checked_out", {V, G, S, SV, SYS}, "离开登记"),
            "expire": t("preauthorised", "expired", {S, SV, SYS}, "预约码过期"),
            "cancel": t(
                "preauthorised waiting_host waiting_approval", "cancelled", {O, G, S, SV}, "取消"
            ),
        },
        create_roles=frozenset({V, O, G, S, SV, SYS}),
    ),
    # R3: received -> dispatched -> accepted -> on site -> done -> closed (followed up).
    # A technician may report arrival without a separate accept (scan or hotline), go for
    # parts (waiting_parts, back on site with arrive) or hand the order back to the desk.
    Kind.WORK_ORDER: Machine(
        initial=frozenset({"received"}),
        final=frozenset({"closed", "cancelled"}),
        actions={
            "dispatch": t("received reopened", "dispatched", OFFICE | {SYS}, "已派工"),
            "accept": t("dispatched", "accepted", OFFICE | {TECH}, "维修人员已接单"),
            "arrive": t(
                "dispatched accepted waiting_parts", "on_site", OFFICE | {TECH}, "维修人员已到场"
            ),
            "need_parts": t(
                "dispatched accepted on_site",
                "waiting_parts",
                OFFICE | {TECH},
                "需要配件，待配件后上门",
            ),
            "hand_back": t(
                "dispatched accepted waiting_parts",
                "received",
                OFFICE | {TECH},
                "维修人员退回，待重新派工",
            ),
            "complete": t("on_site", "done", OFFICE | {TECH}, "维修完成"),
            "follow_up": t("done", "closed", OFFICE | {SYS}, "回访满意，结单"),
            "reopen": t("done", "reopened", OFFICE | {SYS}, "回访不满意，重新处理"),
            "cancel": t(
                "received dispatched accepted waiting_parts reopened",
                "cancelled",
                OFFICE | {O},
                "取消",
            ),
        },
        create_roles=frozenset({V, O, G, S, SV, TECH, SYS}),
    ),  # fmt: skip
    # C1-C4.
    Kind.COMPLAINT: Machine(
        initial=frozenset({"received"}),
        final=frozenset({"closed"}),
        actions={
            "classify": t("received", "classified", OFFICE, "已分类定级"),
            "reply": t("received classified", "replied", OFFICE, "已答复客户"),
            "resolve": t("classified replied", "resolved", OFFICE, "已处理完毕"),
            "follow_up": t("resolved", "closed", OFFICE | {SYS}, "已回访"),
        },
        create_roles=frozenset({V, O, G, S, SV, SYS}),
    ),
    # P1-P5: every item is in a known place or with a recorded person.
    Kind.PARCEL: Machine(
        initial=frozenset({"stored"}),
        final=frozenset({"collected", "returned"}),
        actions={
            "notify": t("stored", "notified", DESK | {SYS}, "已通知收件人"),
            "pick_up": t("stored notified", "picked_up", {V, O, G, S, SV, SYS}, "凭取件码取件"),
            "countersign": t("picked_up", "collected", DESK, "安全员确认交接"),
            "hand_over": t("stored notified", "collected", DESK, "当面交接"),
            "return": t("stored notified", "returned", OFFICE, "退回寄件方"),
        },
        create_roles=frozenset({G, S, SV}),
    ),
    # K2-K3.
    Kind.KEY_LOAN: Machine(
        initial=frozenset({"lent"}),
        final=frozenset({"returned"}),
        actions={"return": t("lent", "returned", DESK, "钥匙已归还")},
        create_roles=DESK,
    ),
    # P3 (counter and proxy pickups), V3, E1: a guard settles what the kiosk or line asked for.
    Kind.REQUEST: Machine(
        initial=frozenset({"open"}),
        final=frozenset({"handled", "turned_down"}),
        actions={
            "handle": t("open", "handled", DESK, "已处理"),
            "turn_down": t("open", "turned_down", DESK, "不予办理"),
        },
        create_roles=frozenset({V, O, G, S, SV, SYS}),
    ),
    Kind.PRINT_JOB: Machine(
        initial=frozenset({"queued"}),
        final=frozenset({"printed", "cancelled"}),
        actions={
            "printed": t("queued", "printed", {SYS}, "已打印"),
            "cancel": t("queued", "cancelled", OFFICE, "取消打印"),
        },
        create_roles=frozenset({V, O, G, S, SV, SYS}),
    ),
    # Notices (SMS): sent only when the modem accepted every part; delivered from reports.
    Kind.NOTICE: Machine(
        initial=frozenset({"queued"}),
        # "sent" is final for the queue (only queued notices stay open); a status report
        # may still move it to delivered or failed.
        final=frozenset({"sent", "delivered", "failed", "cancelled"}),
        actions={
            "sent": t("queued", "sent", {SYS}, "短信已由模块发出"),
            "delivered": t("sent", "delivered", {SYS}, "短信已送达"),
            "fail": t("queued sent", "failed", {SYS}, "短信发送失败"),
            "cancel": t("queued", "cancelled", OFFICE | {SYS}, "取消发送"),
        },
        create_roles=frozenset({V, O, G, S, SV, SYS}),
    ),
}

STATUS_ZH = {
    "waiting_host": "等待住户确认",
    "waiting_approval": "等待安全员批准",
    "preauthorised": "已预约",
    "admitted": "已放行",
    "checked_out": "已离开",
    "declined": "住户拒绝",
    "refused": "不予放行",
    "message_left": "已留言",
    "expired": "已过期",
    "cancelled": "已取消",
    "received": "已受理",
    "dispatched": "已派工",
    "accepted": "已接单",
    "on_site": "维修中",
    "waiting_parts": "待配件",
    "done": "已完成待回访",
    "closed": "已结单",
    "reopened": "重新处理",
    "classified": "已分类",
    "replied": "已答复",
    "resolved": "已处理",
    "stored": "待取件",
    "notified": "已通知",
    "picked_up": "已取件待确认",
    "collected": "已领取",
    "returned": "已退回",
    "lent": "借出",
    "open": "待处理",
    "handled": "已处理",
    "turned_down": "不予办理",
    "queued": "待打印",
    "printed": "已打印",
    "sent": "已发送",
    "delivered": "已送达",
    "failed": "发送失败",
}


def is_open(kind: Kind | str, doc: dict[str, Any]) -> bool:
    """True while a record still needs someone to act (not in a final state)."""
    machine = MACHINES.get(Kind(kind))
    return machine is not None and doc.get("status") not in machine.final


def check_create(kind: Kind, status: str, actor: Actor) -> None:
    machine = MACHINES.get(kind)
    if machine is None:
        return
    if status not in machine.initial:
        raise TransitionRefused(kind, "-", "-", "create", f"a new record cannot start as {status}")
    if actor.role not in machine.create_roles:
        raise TransitionRefused(kind, "-", "-", "create", f"role {actor.role} may not create it")


def apply(
    record: Record, action: str, actor: Actor, now: datetime, note: str = "", **changes: Any
) -> Record:
    """The record after ``action``; raises TransitionRefused and changes nothing if not allowed."""
    machine = MACHINES[record.kind]
    tr = machine.actions.get(action)
    if tr is None:
        raise TransitionRefused(record.kind, record.number, record.status, action, "no such action")
    if record.status not in tr.sources:
        raise TransitionRefused(
            record.kind, record.number, record.status, action, f"only from {sorted(tr.sources)}"
        )
    if actor.role not in tr.roles:
        raise TransitionRefused(
            record.kind, record.number, record.status, action, f"role {actor.role} may not"
        )
    change = StatusChange(now, tr.target, actor, note or tr.label)
    return record.replace(status=tr.target, history=(*record.history, change), **changes)


def allowed_actions(record: Record, role: Role) -> list[str]:
    machine = MACHINES.get(record.kind)
    if machine is None:
        return []
    return [
        a for a, tr in machine.actions.items() if record.status in tr.sources and role in tr.roles
    ]
