"""Notices to people outside the desk (R4 apology, C3 acknowledgement, C2 director alert).

The one hook point every rule calls when someone must be told something. No message channel
(SMS) is merged yet, so a notice is recorded as an intent: a duty-log page the desk sees and
acts on by phone, naming who is to be told what. It never claims a message was sent.
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


class Notices:
    """Records each notice for the desk (and, later, hands it to the message channel)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def send(self, notice: Notice, actor: Actor) -> DutyLogEntry:
        """Record the notice on the duty log; returns the page (no channel: not 'sent')."""
        who = " ".join(x for x in (notice.to_name, mask_phone(notice.to_phone)) if x) or "主任"
        text = (
            f"{PENDING_TAG}{notice.purpose} 关联 {notice.about}：请告知 {who}：{notice.text}"
            "（短信通道未接入，请电话告知后在值班日志登记）"
        )
        log.info("notice %s about %s recorded for the desk", notice.purpose, notice.about)
        return self.desk.dutylog.write(text, actor)

    def pending(self, purpose: str = "") -> list[DutyLogEntry]:
        """Today's notice pages (for the desk's screen)."""
        pages = self.desk.dutylog.day(self.core.now().date())
        return [
            p
            for p in pages
            if p.text.startswith(PENDING_TAG)
            and (not purpose or f"{PENDING_TAG}{purpose}" in p.text)
        ]
