"""Records of the visitor desk beside the visit: the blocklist (黑名单) and renovations (V4)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import ClassVar

from desk import validate
from desk.errors import ValidationError
from desk.record_types import check, require, require_text
from desk.records import Kind, Record, record_type

log = logging.getLogger(__name__)


def _day(field: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(field, value, "日期格式应为 2026-12-01") from None


def _clock(field: str, value: str) -> time:
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValidationError(field, value, "时间格式应为 08:00") from None


@record_type
@dataclass(frozen=True)
class BlockEntry(Record):
    """A person staff decided not to admit: by the keyed hash of their ID, never the ID."""

    kind: ClassVar[Kind] = Kind.BLOCK
    index_fields = ("id_hash",)

    id_hash: str = ""
    name: str = ""
    reason: str = ""
    """For staff and guards only; never shown on the public screen or printed."""
    until: str = ""
    """Last day blocked (ISO date), or "" for no end."""
    decided_by: str = ""
    """Who decided (a manager's name, a meeting); the staff member who typed it is in history."""

    def validate(self) -> None:
        if len(self.id_hash) != 32:
            raise ValidationError("id_hash", "***", "须由证件号码生成")
        require_text("name", self.name, 40)
        require_text("reason", self.reason, 200)
        require_text("decided_by", self.decided_by, 40)
        if self.until:
            _day("until", self.until)
        require("status", self.status, {"active", "removed"})

    def blocks(self, today: date) -> bool:
        return self.status == "active" and (
            not self.until or today <= date.fromisoformat(self.until)
        )


@record_type
@dataclass(frozen=True)
class Renovation(Record):
    """V4: a registered renovation of a unit; its workers' passes are valid on its days and hours."""

    kind: ClassVar[Kind] = Kind.RENOVATION
    index_fields = ("unit",)

    unit: str = ""
    company: str = ""
    permit: str = ""
    """The 装修许可证 / 施工人员出入证 number workers key in (also the record's number)."""
    first_day: str = ""
    last_day: str = ""
    hours_from: str = "08:00"
    hours_until: str = "18:00"
    workdays_only: bool = True
    """Noisy work only on Chinese working days (no weekends or public holidays)."""
    workers: tuple[str, ...] = ()
    contact_phone: str = ""

    def validate(self) -> None:
        check("unit", validate.parse_unit, self.unit)
        require_text("company", self.company, 60)
        require_text("permit", self.permit, 30)
        first, last = _day("first_day", self.first_day), _day("last_day", self.last_day)
        if last < first:
            raise ValidationError("last_day", self.last_day, "结束日期早于开始日期")
        if _clock("hours_until", self.hours_until) <= _clock("hours_from", self.hours_from):
            raise ValidationError("hours_until", self.hours_until, "结束时间须晚于开始时间")
        if self.contact_phone:
            check("contact_phone", validate.phone, self.contact_phone)
        require("status", self.status, {"active", "cancelled"})

    @property
    def start(self) -> date:
        return date.fromisoformat(self.first_day)

    @property
    def end(self) -> date:
        return date.fromisoformat(self.last_day)

    def window(self, day: date, tz: object) -> tuple[datetime, datetime]:
        """The hours work may be done on ``day``, as site-local times."""
        return (
            datetime.combine(day, time.fromisoformat(self.hours_from), tz),  # type: ignore[arg-type]
            datetime.combine(day, time.fromisoformat(self.hours_until), tz),  # type: ignore[arg-type]
        )
