"""Incoming SMS: a host's 1/2 to a visitor (V2) and a 1-4 rating of a repair (S1), matched to a notice.

A reply counts only from the number the notice went to, and for a visit only from a
phone registered to the host's unit; anything else is written to the duty log (masked)
for staff to read, and changes nothing.
"""

from __future__ import annotations

import logging
import unicodedata
from datetime import timedelta
from typing import Any

from desk.errors import DeskError, ValidationError
from desk.masking import mask_phone
from desk.record_types import Notice, Satisfaction, Visit, WorkOrder
from desk.records import SYSTEM, Actor, Role
from desk.validate import mobile

log = logging.getLogger(__name__)

RATINGS = {"1": Satisfaction.VERY_SATISFIED, "2": Satisfaction.SATISFIED,
           "3": Satisfaction.NOT_QUITE, "4": Satisfaction.VERY_DISSATISFIED}  # fmt: skip
"""S1: the digits the follow-up SMS offers."""


def _answer(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().rstrip("。.！!")


def handle_reply(desk: Any, number: str, text: str) -> str:
    """Apply one incoming SMS; returns what was done (for the log and tests)."""
    try:
        sender = mobile(number)
    except ValidationError:
        return "ignored: not a mobile number"
    answer = _answer(text)
    since = desk.now() - timedelta(hours=desk.settings.notices.reply_hours)
    waiting: list[tuple[Notice, Any]] = []
    for doc in desk.store.find("notice", "recipient", sender):
        notice = Notice.from_doc(doc)
        if notice.status not in ("sent", "delivered") or (
            notice.sent_at and notice.sent_at < since
        ):
            continue
        if notice.template == "visitor_host" and answer in ("1", "2"):
            visit = desk.get(notice.record)
            if isinstance(visit, Visit) and visit.status == "waiting_host":
                waiting.append((notice, visit))
        elif notice.template == "follow_up" and answer in RATINGS:
            order = desk.get(notice.record)
            if isinstance(order, WorkOrder) and order.status == "done":
                waiting.append((notice, order))
    if not waiting:
        desk.dutylog.write(
            f"收到短信 {mask_phone(sender)}：{text[:60]}（未对应任何待回复通知）", SYSTEM
        )
        return "unmatched"
    notice, record = max(waiting, key=lambda pair: pair[0].number)  # the newest question
    try:
        if isinstance(record, Visit):
            host = next(
                (o for o in desk.directory.residents_of(record.host_unit) if o.phone == sender),
                None,
            )
            if host is None:  # V2: only a phone registered to the host's unit answers
                desk.dutylog.write(f"短信回复 {mask_phone(sender)} 非住户登记号码，未采用", SYSTEM)
                return "refused: not the host's registered phone"
            actor = Actor(Role.OWNER, host.name, "sms")
            desk.visits.host_answer(record.number, actor, answer == "1")
            return "admitted" if answer == "1" else "declined"
        resident = desk.directory.by_phone(sender)
        # the rating is recorded by the system on the resident's behalf (S1; owners may not close orders)
        actor = Actor(Role.SYSTEM, resident.name if resident else "短信回复", "sms")
        desk.follow_ups.record(record.number, RATINGS[answer], actor, channel="sms")
        return f"rated {RATINGS[answer].value}"
    except DeskError as exc:  # answered meanwhile on another channel: the first answer counts
        log.info("reply from %s to %s not applied: %s", mask_phone(sender), notice.number, exc)
        return f"not applied: {exc}"
