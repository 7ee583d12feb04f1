"""Audit records: the K4 key stock-take, the P5 parcel audit and emergency openings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from desk.record_types import require, require_text
from desk.records import Kind, Record, record_type

AUDIT_KINDS = {
    "key_stocktake": "钥匙盘点",
    "parcel_audit": "快递盘点",
    "emergency_open": "应急开柜",
}
FINDINGS = {
    "missing": "缺失",
    "unexpected": "多出",
    "overdue_loan": "借出逾期",
    "unknown_place": "位置不明",
    "door": "柜门",
}
AUDIT_STATUSES = {"opening", "clean", "open", "settled", "done"}


@record_type
@dataclass(frozen=True)
class Audit(Record):
    """A signed check of the cabinets against the records (K4 key stock-take, P5 parcel audit),
    or an emergency opening of doors with its reason and each door's read-back state."""

    kind: ClassVar[Kind] = Kind.AUDIT
    datetime_fields = ("settled_at",)

    audit_kind: str = "key_stocktake"
    period: str = ""
    """K4: the month the stock-take counts for (YYYY-MM); P5: the day (YYYY-MM-DD)."""
    by: str = ""
    """Who did the check (or, for an emergency opening, the supervisor who ordered it)."""
    reason: str = ""
    """Emergency opening: why (fire, flood, audit...)."""
    checked: int = 0
    sensed: int = 0
    """Items whose slot sensor answered; the rest were ticked by hand."""
    ticked: tuple[str, ...] = ()
    """Items (key ids, parcel numbers) the guard found by eye outside sensed slots."""
    findings: tuple[dict[str, Any], ...] = ()
    """Each {"item", "place", "problem" (FINDINGS), "detail"}; for an emergency opening one per
    door: {"item": door, "opened": bool, "closed": bool|None, "present": bool|None, "detail"}."""
    settled_by: str = ""
    settled_at: datetime | None = None
    settlement: str = ""
    """How the differences were settled, in the words of the person who settled them."""

    def validate(self) -> None:
        require("audit_kind", self.audit_kind, AUDIT_KINDS)
        require("status", self.status, AUDIT_STATUSES)
        require_text("by", self.by, 40)
        if self.audit_kind == "emergency_open":
            require_text("reason", self.reason, 200)
        else:
            for finding in self.findings:
                require("findings", finding.get("problem"), FINDINGS)
        if self.status == "settled":
            require_text("settled_by", self.settled_by, 40)
            require_text("settlement", self.settlement, 500)
