"""Notice records: SMS and notice calls to residents and the duty phone (P2, P4, V2, R1-R5, C3, E1)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from desk import validate
from desk.record_types import check, require, require_text
from desk.records import Kind, Record, record_type

NOTICE_CHANNELS = {"sms": "短信", "call": "语音通知"}


@record_type
@dataclass(frozen=True)
class Notice(Record):
    """A message to a resident or the duty phone (P2, P4, V2, V5, R1-R5, C3, E1): queued ->
    sent (the modem accepted every part) -> delivered / failed (status report)."""

    kind: ClassVar[Kind] = Kind.NOTICE
    datetime_fields = ("not_before", "sent_at", "done_at", "claimed_at")
    index_fields = ("notice_id", "recipient", "record")

    notice_id: str = ""
    """Idempotency key: what the notice is about (``parcel_intake:4261123000``); one notice per key."""
    recipient: str = ""
    """Phone number; shown and logged only masked."""
    template: str = ""
    text: str = ""
    channel: str = "sms"
    record: str = ""
    """Number of the record the notice is about (parcel, work order, visit...)."""
    urgent: bool = False
    """Sent in quiet hours too (emergencies, visitor at the gate, staff alerts)."""
    essential: bool = True
    """Non-essential notices are not sent to residents who opted out."""
    parts: int = 1
    attempts: int = 0
    not_before: datetime | None = None
    """Held until then (retries, rate limits)."""
    claimed_at: datetime | None = None
    """Set just before the text goes to the modem: a crash after it never sends twice."""
    claimed_by: str = ""
    """host:pid of the sender that claimed it (a live sender's claim is not taken as a crash)."""
    references: tuple[int, ...] = ()
    """+CMGS message references of the parts, matched with status reports."""
    reported: tuple[int, ...] = ()
    """References of the parts the network reported delivered."""
    sent_at: datetime | None = None
    done_at: datetime | None = None
    last_error: str = ""

    def validate(self) -> None:
        require_text("notice_id", self.notice_id, 120)
        require("channel", self.channel, NOTICE_CHANNELS)
        check(
            "recipient",
            validate.mobile if self.channel == "sms" else validate.phone,
            self.recipient,
        )
        require_text("template", self.template, 40)
        require_text("text", self.text, 500)
