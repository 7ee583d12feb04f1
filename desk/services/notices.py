"""Notices to people outside the desk (R4 apology, C3 acknowledgement, C2 director alert).

The one hook point every rule calls when someone must be told something. Where the SMS
channel (desk/notices.py) is on, the message is queued there (R4 apology to the owner, an
escalation to the duty phone; C3 acknowledgements and C2 alerts are queued by the change hook
itself); the duty-log page then says it was queued, never that it was sent. Where no SMS can
go (channel off, no number), the page is a 【待通知】 the desk acts on by phone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desk.masking import mask_phone
from desk.record_types import DutyLogEntry
from desk.records import Actor

if TYPE_CHECKING:
    from desk.service import Desk
    from desk.services.base import Core

log = logging.getLogger(__name__)

QUEUED_TAG = "【通知已排队】"
"""Start of the duty-log text of a notice queued as SMS (its result: `reception notices`)."""
PENDING_TAG = "【待通知】"
"""Start of the duty-log text of a notice nobody has delivered yet (no channel)."""


@dataclass(frozen=True)
class Notice:
    """Who is to be told what, about which record."""

    purpose: str
    """late_repair (R4), complaint_ack (C3), collective_complaint (C2)."""
    about: str
    """The record's number."""
    text: str
    to_name: str = ""
    to_phone: str = ""
    slots: tuple[tuple[str, str], ...] = ()
    """The SMS template's slots (number, unit, time, what) where the notice has one."""


class Notices:
    """Records each notice for the desk (and, later, hands it to the message channel)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def send(self, notice: Notice, actor: Actor) -> DutyLogEntry:
        """Queue the SMS where the channel is on, and record the notice on the duty log;
        returns the page (a queued SMS is "queued", never "sent")."""
        who = " ".join(x for x in (notice.to_name, mask_phone(notice.to_phone)) if x) or "主任"
        queued = self._queue_sms(notice)
        if queued:
            text = (
                f"{QUEUED_TAG}{notice.purpose} 关联 {notice.about}：{who}：{notice.text}"
                f"（短信已排队 {queued}，发送结果见 reception notices）"
            )
        else:
            text = (
                f"{PENDING_TAG}{notice.purpose} 关联 {notice.about}：请告知 {who}：{notice.text}"
                "（未发短信：请电话告知后在值班日志登记）"
            )
        log.info("notice %s about %s recorded for the desk", notice.purpose, notice.about)
        return self.desk.dutylog.write(text, actor)

    def _queue_sms(self, notice: Notice) -> str:
        """The queued SMS's number, or "" when none can go (channel off, no number)."""
        from desk.notice_hooks import queue_of
        from desk.notices import Request

        settings = self.core.settings.notices
        if settings.modem == "off":
            return ""
        now = self.core.now()
        if notice.purpose == "late_repair" and notice.to_phone and notice.slots:
            req = Request(f"late_repair:{notice.about}:{now:%Y%m%d%H%M}", "late_repair",
                          notice.to_phone, notice.about, dict(notice.slots), given=True)  # fmt: skip
        elif notice.purpose == "escalation" and settings.duty_phone:
            req = Request(f"escalation:{notice.about}:{now:%Y%m%d%H%M}", "staff_alert",
                          settings.duty_phone, notice.about, {"what": notice.text[:40]},
                          given=True)  # fmt: skip
        else:  # C3 and C2 are queued by the change hook (desk.notice_hooks) when they can go
            hooked = [d["number"] for d in self.core.store.find("notice", "record", notice.about)]
            return hooked[-1] if hooked else ""
        made = queue_of(self.desk).enqueue([req])
        return made[0].number if made else ""

    def recorded(self, purpose: str = "") -> list[DutyLogEntry]:
        """Today's notice pages, queued as SMS or waiting for a person (for the desk)."""
        pages = self.desk.dutylog.day(self.core.now().date())
        heads = (f"{PENDING_TAG}{purpose}", f"{QUEUED_TAG}{purpose}")
        return [p for p in pages if p.text.startswith(heads)]

    def pending(self, purpose: str = "") -> list[DutyLogEntry]:
        """Today's notice pages (for the desk's screen)."""
        pages = self.desk.dutylog.day(self.core.now().date())
        return [
            p
            for p in pages
            if p.text.startswith(PENDING_TAG)
            and (not purpose or f"{PENDING_TAG}{purpose}" in p.text)
        ]
