"""Which changes of the desk's records send which notice, to whom (P2, P4, V2, V5, R1-R5, C2, C3, E1).

``on_change`` is called inside the write transaction of every record created, moved by a
transition or updated; the notices it decides on are written in that same transaction
(so a parcel taken in and its notice are one fsynced write). It never raises: a notice
that cannot be built is logged and the desk's operation goes on.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from desk import deadlines
from desk.errors import DeskError
from desk.notices import NoticeQueue, Request
from desk.record_types import Call, Complaint, GuardRequest, Notice, Owner, Parcel, Visit, WorkOrder
from desk.records import SYSTEM, Record, format_number
from desk.store import Transaction
from desk.validate import unit_label_zh

log = logging.getLogger(__name__)

FOLLOW_UP_CALLS = 3
"""R5: after this many unanswered follow-up calls the rating is asked by SMS (S1)."""


def queue_of(desk: Any) -> NoticeQueue:
    """The desk's notice queue (made on first use)."""
    queue = desk.__dict__.get("_notice_queue")
    if queue is None:
        queue = desk.__dict__["_notice_queue"] = NoticeQueue(desk)
    return queue


def when_zh(at: datetime | None) -> str:
    return f"{at.month}月{at.day}日{at:%H:%M}" if at else "尽快"


def on_change(desk: Any, txn: Transaction, before: Record | None, after: Record) -> list[Notice]:
    """The notices ``after`` (``before`` None: just created) causes, written in ``txn``."""
    try:
        requests = list(requests_for(desk, before, after))
        if not requests:
            return []
        return queue_of(desk).build_all(txn, requests)
    except Exception:  # noqa: BLE001 - a notice must never stop the desk's own work
        log.exception("notices for %s %s could not be built", after.kind, after.number)
        return []


def _residents(desk: Any, unit: str) -> list[Owner]:
    return [o for o in desk.directory.residents_of(unit) if o.status == "active"] if unit else []


def _alert(desk: Any, key: str, what: str, record: str) -> list[Request]:
    duty = desk.settings.notices.duty_phone
    if not duty:
        return []
    return [Request(f"alert:{key}", "staff_alert", duty, record, {"what": what[:40]}, given=True)]


def requests_for(desk: Any, before: Record | None, after: Record) -> list[Request]:
    """Every notice a change asks for (pure decision: nothing is written here)."""
    created = before is None
    moved = before is None or before.status != after.status
    hours = desk.settings.hours
    hotline = desk.settings.site.hotline_number
    out: list[Request] = []
    if isinstance(after, Parcel) and created:  # P2: at intake
        recipients = [after.phone] if after.phone else [
            o.phone for o in _residents(desk, after.unit) if o.name == after.recipient_name
        ] or [o.phone for o in _residents(desk, after.unit) if o.owner_role != "family"]  # fmt: skip
        counter = after.compartment == "counter"
        place = "物业服务中心前台" if counter else f"快递柜{after.compartment}号格口"
        for phone in recipients:
            if after.registered_mail:
                deadline = deadlines.registered_mail_return_by(after.created_at)
                slots = {"code": after.pickup_code, "deadline": when_zh(deadline)}
                out.append(Request(f"parcel:{after.number}:{phone}", "registered_mail", phone, after.number,
                                   slots, given=bool(after.phone)))  # fmt: skip
                continue
            when = (f"请于{hours.staffed_from:%H:%M}-{hours.staffed_until:%H:%M}到前台" if counter
                    else "快递柜24小时可取，请在大堂自助终端")  # fmt: skip
            slots = {
                "courier": after.courier,
                "place": place,
                "code": after.pickup_code,
                "hours": when,
            }
            out.append(Request(f"parcel:{after.number}:{phone}", "parcel_intake", phone, after.number,
                               slots, given=bool(after.phone)))  # fmt: skip
    elif isinstance(after, Parcel) and moved and after.status == "returned" and after.phone:
        slots = {"courier": after.courier, "code": after.pickup_code, "hotline": hotline}
        out.append(Request(f"parcel_returned:{after.number}", "parcel_returned", after.phone,
                           after.number, slots, given=True))  # fmt: skip
    elif isinstance(after, WorkOrder) and moved:
        out.extend(_work_order(desk, created, after, hotline))
    elif isinstance(after, Complaint):
        if created and after.phone:  # C3: acknowledgement with the promised contact time
            slots = {"number": format_number(after.number), "deadline": when_zh(after.reply_by)}
            out.append(Request(f"complaint:{after.number}", "complaint_received", after.phone,
                               after.number, slots, given=True))  # fmt: skip
        was_collective = isinstance(before, Complaint) and before.collective
        if after.collective and not was_collective:  # C2
            out += _alert(desk, f"collective:{after.event_key or after.number}",
                          f"集体投诉（5户以上）{after.content[:16]}", after.number)  # fmt: skip
    elif isinstance(after, Visit) and created:
        out.extend(_visit(desk, after))
    elif isinstance(after, Call) and created:
        out.extend(_follow_up_by_sms(desk, after))
    elif (
        isinstance(after, GuardRequest)
        and created
        and after.request_kind == "emergency"  # E1
        # one raised by a work order (emergency words in a repair) was alerted with the
        # order's number already: one event, one SMS to the duty phone
        and not after.work_order
    ):
        where = unit_label_zh(after.unit) if after.unit else (after.where or after.source or "大堂")
        what = (after.what or after.note)[:12]
        out += _alert(desk, f"emergency:{after.number}", f"紧急求助 {where} {what}",
                      after.number)  # fmt: skip
    return out


def _work_order(desk: Any, created: bool, order: WorkOrder, hotline: str) -> list[Request]:
    out: list[Request] = []
    number = format_number(order.number)
    phone = order.contact_phone
    if created:
        promise = ("紧急维修人员将于30分钟内到场。" if order.urgent
                   else f"我们将在{when_zh(order.dispatch_by)}前派工。")  # fmt: skip
        slots = {"what": order.description[:12] or "语音报修", "number": number, "promise": promise,
                 "hotline": hotline}  # fmt: skip
        out.append(Request(f"work_order:{order.number}:received", "work_order_received", phone,
                           order.number, slots, given=True))  # fmt: skip
        if order.urgent or order.emergency:  # R2, E1: the duty phone at once
            label = "紧急事件" if order.emergency else "急修"
            out += _alert(desk, f"work_order:{order.number}",
                          f"{label} {number} {unit_label_zh(order.location)} {order.description[:10]}",
                          order.number)  # fmt: skip
    elif order.status == "dispatched":
        slots = {
            "number": number,
            "tech": order.assignee or "工程部",
            "time": when_zh(order.on_site_by),
        }
        dispatches = sum(1 for h in order.history if h.status == "dispatched")
        out.append(Request(f"work_order:{order.number}:dispatched:{dispatches}", "work_order_dispatched",
                           phone, order.number, slots, given=True))  # fmt: skip
    elif order.status == "done":
        done = sum(1 for h in order.history if h.status == "done")
        out.append(Request(f"work_order:{order.number}:done:{done}", "work_order_completed", phone,
                           order.number, {"number": number, "hotline": hotline}, given=True))  # fmt: skip
    return [r for r in out if r.recipient]


def _visit(desk: Any, visit: Visit) -> list[Request]:
    residents = _residents(desk, visit.host_unit)
    if visit.status == "waiting_host":  # V2: alongside the call; the first answer counts
        slots = {"visitor": visit.visitor_name[:1] + "先生/女士" if visit.visitor_name else "访客",
                 "party": str(visit.party_size), "unit": unit_label_zh(visit.host_unit),
                 "purpose": (visit.purpose or "来访")[:12]}  # fmt: skip
        return [Request(f"visit:{visit.number}:{o.phone}", "visitor_host", o.phone, visit.number, slots)
                for o in residents if o.owner_role != "family"][:2]  # fmt: skip
    if visit.status == "preauthorised":  # V5: the code by SMS to the owner who made it
        window = (
            f"{when_zh(visit.valid_from)}至{visit.valid_until:%H:%M}"
            if visit.valid_until
            else "当日"
        )
        slots = {"code": visit.preauth_code, "window": window}
        return [Request(f"preauth:{visit.number}:{o.phone}", "preauth_code", o.phone, visit.number, slots)
                for o in residents if o.name == visit.preauthorised_by]  # fmt: skip
    return []


def _follow_up_by_sms(desk: Any, call: Call) -> list[Request]:
    """R5, S1: the third unanswered follow-up call turns into an SMS asking for 1-4."""
    if call.direction != "out" or not call.purpose.startswith("follow_up:"):
        return []
    if call.outcome not in ("no_answer", "failed", "no_choice"):
        return []
    target = call.purpose.split(":", 1)[1]
    first = desk.now().date() - timedelta(days=3)
    tries = [d for d in desk.store.iter_days("call", first)
             if d.get("purpose") == call.purpose and d.get("direction") == "out"]  # fmt: skip
    if len(tries) + 1 < FOLLOW_UP_CALLS:  # this call is not yet in the store
        return []
    record = desk.get(target)
    if not isinstance(record, WorkOrder) or record.status != "done":
        return []
    slots = {"number": format_number(record.number)}
    return [Request(f"follow_up:{record.number}", "follow_up", record.contact_phone, record.number,
                    slots, given=True)]  # fmt: skip


def after_sent(desk: Any, notice: Notice) -> None:
    """P2: a parcel is notified when its notice was really sent (``notified_at`` from the send)."""
    if notice.template not in ("parcel_intake", "registered_mail"):
        return
    parcel = desk.get(notice.record)
    if isinstance(parcel, Parcel) and parcel.status == "stored":
        try:
            desk.parcels.mark_notified(
                parcel.number, SYSTEM, f"取件短信已发出 {notice.number}", notice.sent_at
            )
        except DeskError as exc:  # picked up meanwhile: the notice stays sent all the same
            log.info("parcel %s not marked notified: %s", parcel.number, exc)


def parcel_reminders(desk: Any) -> list[Notice]:
    """P4: reminders on the policy's days (overdue, then every 3 days, 3 at most)."""
    now = desk.now()
    every = timedelta(days=3)
    requests = []
    overdue = desk.settings.rules.parcel_overdue_days
    hotline = desk.settings.site.hotline_number
    for parcel in desk.parcels.waiting():
        if (
            parcel.status not in ("stored", "notified")
            or parcel.registered_mail
            or not parcel.phone
        ):
            continue
        first = deadlines.parcel_reminder_at(parcel.created_at, overdue)
        if now < first:
            continue
        n = min(int((now - first) / every), 2)
        days = (now - parcel.created_at).days
        place = (
            "物业服务中心前台"
            if parcel.compartment == "counter"
            else f"快递柜{parcel.compartment}号格口"
        )
        slots = {"place": place, "days": str(days), "code": parcel.pickup_code, "hotline": hotline}
        requests.append(Request(f"parcel_reminder:{parcel.number}:{n}", "parcel_reminder", parcel.phone,
                                parcel.number, slots, given=True))  # fmt: skip
    return queue_of(desk).enqueue(requests) if requests else []


def device_offline(desk: Any, device: str, since: datetime) -> list[Notice]:
    """A device went offline: the duty phone is told once an hour at most."""
    reqs = _alert(desk, f"device:{device}:{since:%Y%m%d%H}", f"设备离线：{device}", "")
    if not reqs:
        return []
    req = reqs[0]
    req = Request(req.notice_id, "device_offline", req.recipient, "", {"device": device, "time": when_zh(since)},
                  given=True)  # fmt: skip
    return queue_of(desk).enqueue([req])


def notice_line(desk: Any, record: str) -> str:
    """What the guard is told after intake: only what really happened."""
    notices = queue_of(desk).for_record(record)
    if not notices:
        return "未发送取件短信（无登记手机号或短信未开启），请电话通知收件人"
    n = notices[0]
    from desk.masking import mask_phone
    from desk.notices import NOTICE_STATUS_ZH, in_quiet_hours

    cfg = desk.settings.notices
    if (
        n.status == "queued"
        and not n.urgent
        and in_quiet_hours(desk.now(), cfg.quiet_from, cfg.quiet_until)
    ):
        return f"取件短信将于{cfg.quiet_until:%H:%M}后发出（{mask_phone(n.recipient)}，免打扰时段）"
    return f"取件短信{NOTICE_STATUS_ZH[n.status]}（{mask_phone(n.recipient)}）"
