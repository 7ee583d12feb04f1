"""The desk's records: typed, validated dataclasses and their JSON documents."""

from __future__ import annotations

import dataclasses
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Self

from desk.clock import parse
from desk.errors import ValidationError
from desk.validate import DEFAULT_MAX_LEN, check_name, strip_controls

log = logging.getLogger(__name__)


class Role(StrEnum):
    """Who acts: every transition names the roles allowed to make it."""

    VISITOR = "visitor"
    OWNER = "owner"
    GUARD = "guard"
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    TECHNICIAN = "technician"
    """维修: logs in to act on work orders (accept, arrive, complete)."""
    SYSTEM = "system"


ROLE_ZH = {
    Role.VISITOR: "访客",
    Role.OWNER: "业主",
    Role.GUARD: "安全员",
    Role.STAFF: "客服",
    Role.SUPERVISOR: "主管",
    Role.TECHNICIAN: "维修",
    Role.SYSTEM: "系统",
}


@dataclass(frozen=True)
class Actor:
    """The person or program behind an action (L2: who)."""

    role: Role
    name: str
    source: str = ""
    """Where the action came from: a kiosk id, "hotline", a staff terminal."""
    confidence: str = ""
    """How sure the core is of who this is (desk.identity.Confidence); "" for staff logins
    and the system made before identities existed."""
    unit: str = ""
    """The unit this person acts for (a resident's or the unit a caller keyed in)."""

    def to_doc(self) -> dict[str, str]:
        doc = {"role": str(self.role), "name": self.name, "source": self.source}
        if self.confidence:
            doc["confidence"] = self.confidence
        if self.unit:
            doc["unit"] = self.unit
        return doc

    @classmethod
    def from_doc(cls, doc: dict[str, str]) -> Actor:
        return cls(
            Role(doc["role"]),
            doc.get("name", ""),
            doc.get("source", ""),
            doc.get("confidence", ""),
            doc.get("unit", ""),
        )


SYSTEM = Actor(Role.SYSTEM, "system", "desk")


class Kind(StrEnum):
    """Record kinds; dated kinds carry a readable number, directory kinds an id."""

    VISIT = "visit"
    WORK_ORDER = "work_order"
    COMPLAINT = "complaint"
    PARCEL = "parcel"
    KEY_LOAN = "key_loan"
    FOLLOW_UP = "follow_up"
    CALL = "call"
    PRINT_JOB = "print_job"
    DUTY_LOG = "duty_log"
    REQUEST = "request"
    OWNER = "owner"
    KEY = "key"
    STAFF = "staff"
    STATE = "state"
    AUDIT = "audit"
    NOTICE = "notice"
    BLOCK = "block"
    RENOVATION = "renovation"


# The first digit of a record number names its kind, so a number keyed in on a
# phone pad is enough to find the record: K YYMMDD NNNN (11 digits).
KIND_DIGIT: dict[Kind, str] = {
    Kind.VISIT: "1",
    Kind.WORK_ORDER: "2",
    Kind.COMPLAINT: "3",
    Kind.PARCEL: "4",
    Kind.KEY_LOAN: "5",
    Kind.FOLLOW_UP: "6",
    Kind.CALL: "7",
    Kind.PRINT_JOB: "8",
    Kind.DUTY_LOG: "9",
    Kind.REQUEST: "0",
    # Notices are never keyed in by people: they share 8 with print jobs (both are
    # outgoing work for a device) and are told apart by their kind in the store.
    Kind.NOTICE: "8",
}
DIGIT_KIND = {v: k for k, v in KIND_DIGIT.items() if k != Kind.NOTICE}
DATED_KINDS = frozenset(KIND_DIGIT)
DIRECTORY_KINDS = frozenset(
    {Kind.OWNER, Kind.KEY, Kind.STAFF, Kind.STATE, Kind.AUDIT, Kind.BLOCK, Kind.RENOVATION}
)
NUMBER_LENGTH = 11


def make_number(kind: Kind, day: date, seq: int) -> str:
    """A record number a person can read out: kind digit, YYMMDD, 4-digit sequence."""
    if not 0 < seq < 10000:
        raise ValueError(f"sequence out of range: {seq}")
    return f"{KIND_DIGIT[kind]}{day:%y%m%d}{seq:04d}"


def parse_number(number: str) -> tuple[Kind, date, int]:
    """Kind, day and sequence of a record number; ValueError if it is not one."""
    if len(number) != NUMBER_LENGTH or not number.isdigit() or number[0] not in DIGIT_KIND:
        raise ValueError(f"not a record number: {number!r}")
    day = date(2000 + int(number[1:3]), int(number[3:5]), int(number[5:7]))
    return DIGIT_KIND[number[0]], day, int(number[7:])


def format_number(number: str) -> str:
    """Grouped for reading: 2-261123-0007."""
    return f"{number[0]}-{number[1:7]}-{number[7:]}" if len(number) == NUMBER_LENGTH else number


def iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def from_iso(value: str | None) -> datetime | None:
    """A stored time, aware in the site's zone (old stores hold naive site-local strings)."""
    return parse(value) if value else None


NOTE_MAX_LEN = 500
"""Longest note of a status change (kept in the record's history)."""


@dataclass(frozen=True)
class StatusChange:
    """One line of a record's status history (R3)."""

    at: datetime
    status: str
    actor: Actor
    note: str = ""

    def __post_init__(self) -> None:
        note = strip_controls(self.note)[:NOTE_MAX_LEN]  # issue 10 item 16: no raw escapes
        if note != self.note:
            object.__setattr__(self, "note", note)

    def to_doc(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "status": self.status,
            "actor": self.actor.to_doc(),
            "note": self.note,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> StatusChange:
        at = from_iso(doc["at"])
        if at is None:
            raise ValueError("a status change without its time")
        return cls(at, doc["status"], Actor.from_doc(doc["actor"]), doc.get("note", ""))


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return str(value)
    if isinstance(value, StatusChange | Actor):
        return value.to_doc()
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Record:
    """Base of every record: a number, a status and its history."""

    kind: ClassVar[Kind]
    datetime_fields: ClassVar[tuple[str, ...]] = ()
    index_fields: ClassVar[tuple[str, ...]] = ()
    """Fields the store indexes over all history (e.g. unit, phone)."""
    code_fields: ClassVar[tuple[str, ...]] = ()
    """Fields indexed among open records only (pickup and pass codes)."""

    number: str
    created_at: datetime
    status: str
    history: tuple[StatusChange, ...] = ()

    def __post_init__(self) -> None:
        _clean_text(self)
        self.validate()

    def validate(self) -> None:
        """Raise ValidationError naming the field and value; nothing is written."""

    def to_doc(self) -> dict[str, Any]:
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Self:
        token = _LOADING.set(True)
        try:
            return cls._from_doc(doc)
        finally:
            _LOADING.reset(token)

    @classmethod
    def _from_doc(cls, doc: dict[str, Any]) -> Self:
        names = {f.name for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in doc.items():
            if key not in names:
                continue
            if key == "history":
                value = tuple(StatusChange.from_doc(h) for h in value)
            elif key == "created_at" or key in cls.datetime_fields:
                value = from_iso(value)
            elif isinstance(value, list):
                value = tuple(value)
            values[key] = value
        return cls(**values)

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)

    @property
    def last_change(self) -> StatusChange | None:
        return self.history[-1] if self.history else None

    def changed_at(self, status: str) -> datetime | None:
        """When the record last entered ``status``."""
        for change in reversed(self.history):
            if change.status == status:
                return change.at
        return None


FIELD_LIMITS: dict[str, int] = {
    "payload": 2_000_000,  # base64 ESC/POS bytes of one receipt
    "pin_hash": 500,
    "transcript": 10_000,
    "caller": 64,
    "callee": 64,
    "audio_path": 500,
}
"""Longest value (characters) of text fields; any other text field: validate.DEFAULT_MAX_LEN."""
TRUNCATED_FIELDS = frozenset({"caller", "callee"})
"""Fields that come off the wire (SIP caller ID): cut to their limit, never refused."""
MAX_ITEMS = 200
_LOADING: ContextVar[bool] = ContextVar("loading", default=False)


def _clean_text(record: Record) -> None:
    """Issue 10 item 16: control characters stripped, lengths limited, names without
    invisible characters. Records read back from the store are cut, never refused."""
    loading = _LOADING.get()
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        new: str | tuple[str, ...]
        if isinstance(value, str):
            new = _clean_one(f.name, value, loading)
        elif isinstance(value, tuple) and value and all(isinstance(v, str) for v in value):
            if len(value) > MAX_ITEMS and not loading:
                raise ValidationError(f.name, f"{len(value)} items", f"最多{MAX_ITEMS}项")
            new = tuple(_clean_one(f.name, v, loading) for v in value[:MAX_ITEMS])
        else:
            continue
        if new != value:
            object.__setattr__(record, f.name, new)


def _clean_one(name: str, value: str, loading: bool) -> str:
    value = strip_controls(value)
    limit = FIELD_LIMITS.get(name, DEFAULT_MAX_LEN)
    if len(value) > limit:
        if not (loading or name in TRUNCATED_FIELDS):
            raise ValidationError(name, value[:40], f"不能超过{limit}个字")
        value = value[:limit]
    if name.endswith("name") and not loading:
        check_name(name, value)
    return value


RECORD_TYPES: dict[Kind, type[Record]] = {}


def record_type(cls: type[Record]) -> type[Record]:
    RECORD_TYPES[cls.kind] = cls
    return cls


def record_from_doc(kind: Kind | str, doc: dict[str, Any]) -> Record:
    return RECORD_TYPES[Kind(kind)].from_doc(doc)


__all__ = [
    "Actor",
    "DATED_KINDS",
    "DIRECTORY_KINDS",
    "Kind",
    "Record",
    "Role",
    "StatusChange",
    "field",
    "format_number",
    "make_number",
    "parse_number",
    "record_from_doc",
    "record_type",
]
