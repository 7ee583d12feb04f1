"""The notice queue in the core: who may get which text when, and what the modem reported.

A notice is a record (``Notice``): queued -> sent (the modem accepted every part) ->
delivered / failed (status report). It is written in the same transaction as the change
that causes it and keyed by a notice id, so a change replayed or retried never queues
it twice. Before the text goes to the modem the notice is *claimed* (written, fsynced);
a notice found claimed after a crash is failed, never sent again.

Rules decided here: quiet hours (urgent notices excepted), the pace of the modem
(messages a minute) and of one recipient (messages an hour), opt-out of non-essential
messages, and that nothing goes to a number that is neither in the owner register nor
given in the transaction itself (nor the configured duty phone).
"""

from __future__ import annotations

import logging
import os
import socket
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from desk import workflow
from desk.errors import ValidationError
from desk.masking import mask_phone
from desk.notice_templates import Template, load_templates, render
from desk.record_types import Notice, Owner
from desk.records import SYSTEM, Kind, StatusChange, make_number
from desk.store import Transaction
from desk.validate import mobile, phone

log = logging.getLogger(__name__)

NOTICE_STATUS_ZH = {
    "queued": "已排队",
    "sent": "已发出",
    "delivered": "已送达",
    "failed": "发送失败",
    "cancelled": "已取消",
}
INTERRUPTED = "发送时中断，无法确认是否已发出，未重发（请核实后人工补发）"


@dataclass(frozen=True)
class Request:
    """A notice a change asks for: template, recipient, slots and where the number came from."""

    notice_id: str
    template: str
    recipient: str
    record: str
    slots: dict[str, Any]
    given: bool = False
    """The number was given in the transaction itself (parcel's phone, work order's contact)."""
    urgent: bool | None = None
    channel: str = "sms"
    """"sms", or "call": a notice call placed by the hotline's dialer ("收到请按1")."""


SENDER = f"{socket.gethostname()}:{os.getpid()}"
"""Who claims notices in this process."""


def sender_alive(claimed_by: str) -> bool:
    """True if the claiming sender is another process still running on this host."""
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def in_quiet_hours(now: datetime, start: time, end: time) -> bool:
    """True between ``start`` and ``end`` (the window may cross midnight)."""
    t = now.time()
    return (start <= t or t < end) if start > end else start <= t < end


class NoticeQueue:
    """The notices of one desk (``desk.service.Desk``): enqueue, schedule, record outcomes."""

    def __init__(self, desk: Any) -> None:
        self.desk = desk
        self.settings = desk.settings.notices
        self._handed: deque[datetime] = deque()
        """When messages were handed to the modem (the per-minute pace, this process)."""

    # ------------------------------------------------------------ texts
    @property
    def signature(self) -> str:
        return self.settings.signature or f"{self.desk.settings.site.compound}物业"

    def templates(self) -> dict[str, Template]:
        return load_templates(self.signature)

    def allowed(self, recipient: str, given: bool) -> bool:
        """Only numbers in the register, given in the transaction, or the duty phone."""
        if given:
            return True
        if self.settings.duty_phone and recipient == self._normal(self.settings.duty_phone):
            return True
        return bool(self.desk.store.find("owner", "phone", recipient))

    def opted_out(self, recipient: str) -> bool:
        owners = [Owner.from_doc(d) for d in self.desk.store.find("owner", "phone", recipient)]
        return any(o.sms_opt_out for o in owners)

    @staticmethod
    def _normal(number: str) -> str:
        return mobile(number)

    # ---------------------------------------------------------- enqueue
    def build(self, txn: Transaction, req: Request) -> Notice | None:
        """The notice for ``req`` written in ``txn``, or None (refused, opted out, already queued)."""
        if self.settings.modem == "off" and req.channel == "sms":
            return None
        try:
            recipient = (
                self._normal(req.recipient) if req.channel == "sms" else phone(req.recipient)
            )
        except ValidationError:
            log.info(
                "notice %s: %s is not a mobile number, not sent",
                req.notice_id,
                mask_phone(req.recipient),
            )
            return None
        if not self.allowed(recipient, req.given):
            log.warning(
                "notice %s: %s is not in the register, not sent",
                req.notice_id,
                mask_phone(recipient),
            )
            return None
        template = self.templates()[req.template]
        if not template.essential and self.opted_out(recipient):
            log.info("notice %s: %s opted out", req.notice_id, mask_phone(recipient))
            return None
        if self.desk.store.find("notice", "notice_id", req.notice_id):
            return None
        text = render(template, self.signature, req.channel == "sms", **req.slots)
        now = txn.now.replace(microsecond=0)
        number = make_number(Kind.NOTICE, now.date(), txn.next_seq(str(Kind.NOTICE), now.date()))
        notice = Notice(
            number=number, created_at=now, status="queued",
            history=(StatusChange(now, "queued", SYSTEM, f"{template.name} 排队"),),
            notice_id=req.notice_id, recipient=recipient, template=template.name, text=text,
            record=req.record, urgent=template.urgent if req.urgent is None else req.urgent,
            essential=template.essential, channel=req.channel,
        )  # fmt: skip
        workflow.check_create(Kind.NOTICE, "queued", SYSTEM)
        txn.put(str(Kind.NOTICE), number, notice.to_doc(), SYSTEM.to_doc())
        log.info("notice %s (%s) queued for %s", number, template.name, mask_phone(recipient))
        return notice

    def build_all(self, txn: Transaction, requests: Iterable[Request]) -> list[Notice]:
        """Build several notices in one transaction; one per notice id."""
        out, seen = [], set()
        for req in requests:
            if req.notice_id in seen:
                continue
            seen.add(req.notice_id)
            notice = self.build(txn, req)
            if notice:
                out.append(notice)
        return out

    def enqueue(self, requests: Iterable[Request]) -> list[Notice]:
        """Queue notices in their own transaction (staff actions, tests, the CLI)."""
        with self.desk.store.transaction() as txn:
            return self.build_all(txn, requests)

    # --------------------------------------------------------- schedule
    def pending(self, channel: str | None = None) -> list[Notice]:
        docs = self.desk.store.open_docs(str(Kind.NOTICE))
        notices = [Notice.from_doc(d) for d in docs]
        notices = [n for n in notices if channel is None or n.channel == channel]
        return sorted(notices, key=lambda n: (not n.urgent, n.number))

    def next_due(self, now: datetime | None = None, channel: str = "sms") -> Notice | None:
        """The notice to hand to the modem (or the dialer) now, or None (quiet hours, pacing,
        nothing queued)."""
        now = now or self.desk.now()
        while self._handed and now - self._handed[0] >= timedelta(minutes=1):
            self._handed.popleft()
        if channel == "sms" and len(self._handed) >= self.settings.per_minute:
            return None
        quiet = in_quiet_hours(now, self.settings.quiet_from, self.settings.quiet_until)
        for notice in self.pending(channel):
            if notice.claimed_at is not None:  # being sent (or left by a crash: recover())
                continue
            if notice.not_before and notice.not_before > now:
                continue
            if quiet and not notice.urgent:
                continue
            if not notice.urgent and self._recipient_busy(notice, now):
                continue
            return notice
        return None

    def _recipient_busy(self, notice: Notice, now: datetime) -> bool:
        hour_ago = now - timedelta(hours=1)
        recent = [
            d for d in self.desk.store.find("notice", "recipient", notice.recipient)
            if d.get("sent_at") and datetime.fromisoformat(d["sent_at"]) >= hour_ago
        ]  # fmt: skip
        return len(recent) >= self.settings.per_recipient_hour

    # -------------------------------------------------------- outcomes
    def claim(self, number: str) -> Notice | None:
        """Mark the notice as being handed to the modem (fsynced first); None if it is not queued."""
        with self.desk.store.transaction() as txn:
            doc = txn.get(str(Kind.NOTICE), number)
            if doc is None or doc["status"] != "queued" or doc.get("claimed_at"):
                return None
            now = self.desk.now()
            notice = Notice.from_doc(doc).replace(
                claimed_at=now, claimed_by=SENDER, attempts=doc.get("attempts", 0) + 1
            )
            txn.put(str(Kind.NOTICE), number, notice.to_doc(), SYSTEM.to_doc())
        if notice.channel == "sms":
            self._handed.append(now)
        return notice

    def _change(self, number: str, action: str | None, note: str = "", **changes: Any) -> Notice:
        with self.desk.store.transaction() as txn:
            notice = Notice.from_doc(txn.get(str(Kind.NOTICE), number))
            now = self.desk.now()
            if action:
                applied = workflow.apply(notice, action, SYSTEM, now, note, **changes)
                assert isinstance(applied, Notice)
                notice = applied
            else:
                notice = notice.replace(**changes)
            txn.put(str(Kind.NOTICE), number, notice.to_doc(), SYSTEM.to_doc())
        return notice

    def sent(self, number: str, references: list[int]) -> Notice:
        """The modem accepted every part: the notice is sent (and a parcel is notified, P2)."""
        now = self.desk.now()
        notice = self._change(number, "sent", f"{len(references)} 条，参考号 {references}",
                              sent_at=now, claimed_at=None, claimed_by="", references=tuple(references),
                              parts=len(references), last_error="")  # fmt: skip
        from desk.notice_hooks import after_sent

        after_sent(self.desk, notice)
        return notice

    def refused(self, number: str, error: str, parts_sent: int = 0, certain: bool = True,
                retry: timedelta | None = None, max_attempts: int | None = None) -> Notice:  # fmt: skip
        """The modem refused it: retry later, or fail (attempts used up, some parts already out,
        or not certain that nothing went out)."""
        notice = Notice.from_doc(self.desk.store.get(str(Kind.NOTICE), number))
        if (
            parts_sent
            or not certain
            or notice.attempts >= (max_attempts or self.settings.max_attempts)
        ):
            why = error if certain and not parts_sent else f"{error}；{INTERRUPTED}"
            return self._change(number, "fail", why[:200], claimed_at=None, claimed_by="", last_error=why[:200],
                                done_at=self.desk.now())  # fmt: skip
        wait = retry or timedelta(seconds=self.settings.retry_s * 2 ** max(0, notice.attempts - 1))
        return self._change(number, None, claimed_at=None, claimed_by="", last_error=error[:200],
                            not_before=self.desk.now() + wait)  # fmt: skip

    def heard(self, number: str) -> Notice:
        """A notice call answered with 1 (收到): sent and confirmed (delivered)."""
        self._change(number, "sent", "语音通知已接听", sent_at=self.desk.now(), claimed_at=None,
                     claimed_by="", last_error="")  # fmt: skip
        return self._change(number, "delivered", "住户按1确认收到", done_at=self.desk.now())

    def release(self, number: str, error: str) -> Notice:
        """Nothing went out (the modem is gone): back in the queue, the attempt not counted."""
        notice = Notice.from_doc(self.desk.store.get(str(Kind.NOTICE), number))
        return self._change(number, None, claimed_at=None, claimed_by="", last_error=error[:200],
                            attempts=max(0, notice.attempts - 1))  # fmt: skip

    def recover(self) -> list[Notice]:
        """At start: notices claimed by a sender that died are failed, never sent twice."""
        failed = []
        for notice in self.pending():
            if notice.claimed_at is not None and not sender_alive(notice.claimed_by):
                failed.append(self._change(notice.number, "fail", INTERRUPTED, claimed_at=None, claimed_by="",
                                           last_error=INTERRUPTED, done_at=self.desk.now()))  # fmt: skip
                log.warning(
                    "notice %s was being sent when the sender stopped: failed", notice.number
                )
        return failed

    def report(
        self, reference: int, number: str, delivered: bool, status: int = 0
    ) -> Notice | None:
        """A status report for a part: delivered when every part was, failed when one failed."""
        try:
            recipient = self._normal(number)
        except ValidationError:
            return None
        since = self.desk.now() - timedelta(days=3)
        for doc in self.desk.store.find("notice", "recipient", recipient):
            notice = Notice.from_doc(doc)
            if notice.status != "sent" or reference not in notice.references:
                continue
            if notice.sent_at and notice.sent_at < since:
                continue
            if not delivered:
                return self._change(notice.number, "fail", f"状态报告：未送达 (TP-ST {status:#04x})",
                                    last_error=f"未送达 (TP-ST {status:#04x})", done_at=self.desk.now())  # fmt: skip
            got = set(notice.reported) | {reference}
            if got >= set(notice.references):
                return self._change(notice.number, "delivered", done_at=self.desk.now())
            return self._change(notice.number, None, reported=tuple(sorted(got)))
        log.info("status report %s for %s matches no sent notice", reference, mask_phone(recipient))
        return None

    # ------------------------------------------------------------ views
    def recent(self, days: int = 3, limit: int = 50) -> list[Notice]:
        first = self.desk.now().date() - timedelta(days=days - 1)
        docs = list(self.desk.store.iter_days(str(Kind.NOTICE), first))
        notices = sorted((Notice.from_doc(d) for d in docs), key=lambda n: n.number, reverse=True)
        return notices[:limit]

    def for_record(self, number: str) -> list[Notice]:
        return [Notice.from_doc(d) for d in self.desk.store.find("notice", "record", number)]
