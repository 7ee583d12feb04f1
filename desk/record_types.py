"""The concrete records of the desk (V1-V6, R1-R6, C1-C5, P1-P5, K1-K4, L2-L3, S1)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from desk import validate
from desk.errors import ValidationError
from desk.records import Kind, Record, record_type
from desk.vocabulary import (  # noqa: F401 - re-exported: the records' vocabularies
    CHANNELS,
    COMPLAINT_CATEGORIES,
    COMPLAINT_SEVERITIES,
    COMPLAINT_VALIDITY,
    ID_TYPES,
    KEY_KINDS,
    OWNER_ROLES,
    PARCEL_CONDITIONS,
    REPAIR_CATEGORIES,
    REPAIR_CATEGORY_FULL,
    REQUEST_KINDS,
    VISITOR_KINDS,
)


def check(field_name: str, fn: Callable[..., Any], *args: Any) -> Any:
    """Run a validator and re-label its error with the record's field name."""
    try:
        return fn(*args)
    except ValidationError as exc:
        raise ValidationError(field_name, exc.value, exc.message) from None


def require(field_name: str, value: Any, allowed: Any) -> None:
    if value not in allowed:
        raise ValidationError(field_name, value, f"取值应为 {sorted(map(str, allowed))} 之一")


def require_text(field_name: str, value: str, max_len: int = 500) -> None:
    check(field_name, validate.non_empty, field_name, value, max_len)


class Satisfaction(StrEnum):
    """S1: the four satisfaction levels (keys 1-4 on the phone)."""

    VERY_SATISFIED = "非常满意"
    SATISFIED = "满意"
    NOT_QUITE = "不太满意"
    VERY_DISSATISFIED = "很不满意"

    @property
    def satisfied(self) -> bool:
        return self in (Satisfaction.VERY_SATISFIED, Satisfaction.SATISFIED)


@record_type
@dataclass(frozen=True)
class Visit(Record):
    """A visitor's registration and pass (V1-V6)."""

    kind: ClassVar[Kind] = Kind.VISIT
    datetime_fields = ("time_in", "time_out", "valid_from", "valid_until")
    index_fields = ("host_unit", "phone", "id_hash")
    code_fields = ("pass_code", "preauth_code")

    host_unit: str = ""
    visitor_name: str = ""
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    purpose: str = ""
    visitor_kind: str = "guest"
    party_size: int = 1
    plate: str = ""
    work_pass: str = ""
    """V4: the 施工人员出入证 number of a decoration worker."""
    pass_code: str = ""
    """Code on the pass the guard scans and the visitor keys in to check out."""
    preauth_code: str = ""
    """V5: the owner's one-time code, valid from valid_from to valid_until."""
    preauthorised_by: str = ""
    approved_by: str = ""
    """V3: the guard or supervisor who let in a visitor without ID."""
    host_answer: str = ""
    message: str = ""
    """V2: message left for an absent or declining host."""
    time_in: datetime | None = None
    time_out: datetime | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    anonymised: bool = False
    """X2: personal data purged after the keeping period."""
    id_hash: str = ""
    """X1: keyed hash of the ID (desk.visitor_id): a returning visitor is recognised by it."""
    earlier_visits: int = 0
    """Visits of the same ID before this one, shown to the guard."""

    def validate(self) -> None:
        if self.anonymised:
            return
        check("host_unit", validate.parse_unit, self.host_unit)
        if self.status == "preauthorised" or (self.preauth_code and self.time_in is None):
            return  # V5: an owner's code nobody arrived with (still valid, expired, cancelled)
        require_text("visitor_name", self.visitor_name, 40)
        require("id_type", self.id_type, ID_TYPES)
        if self.id_type != "none":
            check("id_number", validate.id_number, self.id_type, self.id_number)
        if self.phone:
            check("phone", validate.mobile, self.phone)
        require("visitor_kind", self.visitor_kind, VISITOR_KINDS)
        check("party_size", validate.party_size, self.party_size)
        if self.plate:
            check("plate", validate.plate, self.plate)
        if self.visitor_kind == "decoration" and not self.work_pass:
            raise ValidationError(
                "work_pass", self.work_pass, "装修施工人员须出示施工人员出入证 (V4)"
            )


@record_type
@dataclass(frozen=True)
class WorkOrder(Record):
    """A repair request turned work order (R1-R6); the receipt is the customer copy."""

    kind: ClassVar[Kind] = Kind.WORK_ORDER
    datetime_fields = (
        "appointment_start",
        "appointment_end",
        "dispatch_by",
        "on_site_by",
        "follow_up_by",
        "arrived_at",
        "price_confirmed_at",
        "late_notice_at",
    )
    index_fields = ("location", "contact_phone")

    location: str = ""
    """A unit key "3-2-501" or "public:<area>" (R1: public areas accepted from anyone)."""
    category: str = "other"
    description: str = ""
    audio_path: str = ""
    transcript: str = ""
    urgent: bool = False
    emergency: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    channel: str = "kiosk"
    appointment_start: datetime | None = None
    appointment_end: datetime | None = None
    dispatch_by: datetime | None = None
    on_site_by: datetime | None = None
    follow_up_by: datetime | None = None
    assignee: str = ""
    price_yuan: float = 0.0
    """R6: price of a paid special service, confirmed before work starts."""
    price_confirmed: bool = False
    satisfaction: str = ""
    reopen_count: int = 0
    cancel_reason: str = ""
    unverified: bool = False
    """待核实: nobody vouched for the reporter (not a resident of the unit); the unit's
    registered phone is called back before work starts."""
    callback_phone: str = ""
    """The unit's registered phone to call back for an unverified report."""
    reported_by: str = ""
    """Who reported it, as the core identified them (never a resident who did not call)."""
    team: str = ""
    """R3: the engineering team dispatched to (水电组...), with or without a named technician."""
    arrived_at: datetime | None = None
    """R2: when the technician reported being on site (against ``on_site_by``)."""
    paid: bool = False
    """R6: a paid special service (特约/有偿服务): the price is confirmed before work starts."""
    price_confirmed_at: datetime | None = None
    price_confirmed_via: str = ""
    """R6: how the owner confirmed the price: phone key, kiosk, signed on the 派工单, desk."""
    work_done: str = ""
    materials: str = ""
    cost_yuan: float = 0.0
    """What the completed work cost the owner (0 for free repairs)."""
    large_project: bool = False
    """R5: a large repair project: follow-up within 30 days instead of 3."""
    parts_needed: str = ""
    late_notice_at: datetime | None = None
    """R4: when the owner was told (and apologised to) that a promised time will be missed."""
    follow_up_exception: str = ""
    """R5: why no follow-up could be made (closed on the named exception list instead)."""

    def validate(self) -> None:
        if self.location.startswith("public:"):
            require_text("location", self.location[7:], 60)
        else:
            check("location", validate.parse_unit, self.location)
        require("category", self.category, REPAIR_CATEGORIES)
        if not (self.description or self.audio_path):
            raise ValidationError("description", self.description, "请描述报修内容或录一段语音")
        require_text("contact_name", self.contact_name, 40)
        check("contact_phone", validate.phone, self.contact_phone)
        require("channel", self.channel, CHANNELS)
        if self.price_yuan < 0:
            raise ValidationError("price_yuan", self.price_yuan, "价格不能为负")
        if self.cost_yuan < 0:
            raise ValidationError("cost_yuan", self.cost_yuan, "费用不能为负")
        for name, most in (
            ("assignee", 40),
            ("team", 40),
            ("price_confirmed_via", 40),
            ("work_done", 500),
            ("materials", 500),
            ("parts_needed", 500),
        ):
            if getattr(self, name):
                require_text(name, getattr(self, name), most)  # fmt: skip
        if self.satisfaction:
            require("satisfaction", self.satisfaction, {s.value for s in Satisfaction})


@record_type
@dataclass(frozen=True)
class Complaint(Record):
    """A complaint (C1-C5)."""

    kind: ClassVar[Kind] = Kind.COMPLAINT
    datetime_fields = ("reply_by", "resolve_by", "follow_up_by", "contact_by", "contacted_at",
                       "director_alerted_at")  # fmt: skip
    index_fields = ("unit", "phone", "event_key")

    channel: str = "desk"
    name: str = ""
    unit: str = ""
    phone: str = ""
    content: str = ""
    audio_path: str = ""
    place: str = ""
    people: str = ""
    wants: str = ""
    category: str = "other"
    validity: str = "unclassified"
    severity: str = "minor"
    event_key: str = ""
    """Same event, same key: 5+ households make it collective (C2)."""
    collective: bool = False
    escalated_to: str = ""
    reply_by: datetime | None = None
    resolve_by: datetime | None = None
    follow_up_by: datetime | None = None
    satisfaction: str = ""
    resolution: str = ""
    validity_reason: str = ""
    """C2: why it was classified 有效/协助/无效."""
    contact_by: datetime | None = None
    """C3: a valid complaint's customer is contacted within 2 h to agree a reply time."""
    contacted_at: datetime | None = None
    contact_note: str = ""
    director_alerted_at: datetime | None = None
    """C2: when the director was alerted of a collective complaint."""

    def validate(self) -> None:
        require("channel", self.channel, CHANNELS)
        for name in ("validity_reason", "contact_note", "resolution"):
            if getattr(self, name):
                require_text(name, getattr(self, name), 500)
        if self.unit:
            check("unit", validate.parse_unit, self.unit)
        if self.phone:
            check("phone", validate.phone, self.phone)
        if not (self.content or self.audio_path):
            raise ValidationError("content", self.content, "请说明投诉内容")
        require("category", self.category, COMPLAINT_CATEGORIES)
        require("validity", self.validity, COMPLAINT_VALIDITY)
        require("severity", self.severity, COMPLAINT_SEVERITIES)
        if self.satisfaction:
            require("satisfaction", self.satisfaction, {s.value for s in Satisfaction})


@record_type
@dataclass(frozen=True)
class Parcel(Record):
    """A parcel or registered letter kept for a resident (P1-P5)."""

    kind: ClassVar[Kind] = Kind.PARCEL
    datetime_fields = ("notified_at", "collected_at", "return_by")
    index_fields = ("unit", "phone", "tracking_no")
    code_fields = ("pickup_code",)

    recipient_name: str = ""
    unit: str = ""
    phone: str = ""
    courier: str = ""
    tracking_no: str = ""
    registered_mail: bool = False
    condition: str = "完好"
    """P1: checked for damage on receipt (完好/破损/受潮; checked by ``desk.parcels.receive``)."""
    condition_note: str = ""
    """P1: what is wrong with a damaged or wet parcel, as the guard saw it."""
    courier_person: str = ""
    """P1: the courier or postman who handed it over (the company is ``courier``)."""
    received_by: str = ""
    compartment: str = ""
    """Locker compartment name ("A-07") or "counter" for the desk shelf (P5)."""
    pickup_code: str = ""
    notified_at: datetime | None = None
    collected_at: datetime | None = None
    collected_by: str = ""
    proxy_name: str = ""
    proxy_id: str = ""
    countersigned_by: str = ""
    return_by: datetime | None = None
    return_reason: str = ""

    def validate(self) -> None:
        check("unit", validate.parse_unit, self.unit)
        require_text("recipient_name", self.recipient_name, 40)
        if self.phone:
            check("phone", validate.mobile, self.phone)
        require_text("courier", self.courier, 30)
        if self.courier_person:
            require_text("courier_person", self.courier_person, 20)
            validate.check_name("courier_person", self.courier_person)
        if self.condition_note:
            require_text("condition_note", self.condition_note, 200)
        require_text("tracking_no", self.tracking_no, 40)
        require_text("compartment", self.compartment, 20)
        if self.pickup_code and not (len(self.pickup_code) == 6 and self.pickup_code.isdigit()):
            raise ValidationError("pickup_code", self.pickup_code, "取件码应为6位数字")


@record_type
@dataclass(frozen=True)
class KeyLoan(Record):
    """A key lent out of the cabinet, tracked until it is back (K2, K3)."""

    kind: ClassVar[Kind] = Kind.KEY_LOAN
    datetime_fields = ("due_back", "returned_at", "overdue_alerted_at")
    index_fields = ("key_id",)

    key_id: str = ""
    borrower_name: str = ""
    borrower_is_staff: bool = False
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    deposit_yuan: float = 0.0
    purpose: str = ""
    owner_authorised_by: str = ""
    """K3: how the owner authorised lending an entrusted key (name / call number)."""
    lent_by: str = ""
    due_back: datetime | None = None
    returned_at: datetime | None = None
    returned_to: str = ""
    anonymised: bool = False
    """X2: the borrower's ID and phone purged after the keeping period."""
    overdue_alerted_at: datetime | None = None
    """K2: when the desk was alerted that the key is overdue (once)."""

    def validate(self) -> None:
        require_text("key_id", self.key_id, 40)
        if self.anonymised:
            return
        require_text("borrower_name", self.borrower_name, 40)
        if not self.borrower_is_staff:
            check("id_number", validate.id_number, self.id_type, self.id_number)
            if self.deposit_yuan <= 0:
                raise ValidationError(
                    "deposit_yuan", self.deposit_yuan, "非工作人员借用钥匙须交押金 (K2)"
                )
        if self.phone:
            check("phone", validate.phone, self.phone)


@record_type
@dataclass(frozen=True)
class FollowUp(Record):
    """A follow-up (回访) of a work order or complaint with its rating (R5, C4, S1)."""

    kind: ClassVar[Kind] = Kind.FOLLOW_UP
    index_fields = ("target",)

    target: str = ""
    """Number of the work order or complaint followed up."""
    channel: str = "hotline"
    satisfaction: str = ""
    comment: str = ""
    by: str = ""

    def validate(self) -> None:
        require_text("target", self.target, 11)
        if self.satisfaction:
            require("satisfaction", self.satisfaction, {s.value for s in Satisfaction})


@record_type
@dataclass(frozen=True)
class DutyLogEntry(Record):
    """A page of the duty log: append-only, corrections are new entries (L2, L3)."""

    kind: ClassVar[Kind] = Kind.DUTY_LOG

    author: str = ""
    text: str = ""
    entry_type: str = "entry"
    """entry, correction (of ``corrects``) or handover."""
    corrects: str = ""
    handover_to: str = ""
    open_items: tuple[str, ...] = ()

    def validate(self) -> None:
        require_text("author", self.author, 40)
        require_text("text", self.text, 2000)
        require("entry_type", self.entry_type, {"entry", "correction", "handover"})
        if self.entry_type == "correction" and not self.corrects:
            raise ValidationError("corrects", self.corrects, "更正须指明被更正的记录")


@record_type
@dataclass(frozen=True)
class Call(Record):
    """A hotline call, inbound or outbound (T1-T5)."""

    kind: ClassVar[Kind] = Kind.CALL
    datetime_fields = ("ended_at", "callback_requested_at")
    index_fields = ("caller",)

    direction: str = "in"
    caller: str = ""
    callee: str = ""
    purpose: str = ""
    menu_path: tuple[str, ...] = ()
    records: tuple[str, ...] = ()
    ended_at: datetime | None = None
    duration_s: float = 0.0
    outcome: str = ""
    audio_path: str = ""
    callback_done: bool = False
    callback_requested_at: datetime | None = None
    """T3: staff asked the hotline's dialer to call this caller back (and put them through)."""
    callback_result: str = ""
    """T3: what came of calling back (reached, no answer...), by whom and how."""
    callback_via: str = ""
    """hand (staff dialled) or dialer (the hotline's outbound dialer)."""

    def validate(self) -> None:
        require("direction", self.direction, {"in", "out"})
        if self.callback_via:
            require("callback_via", self.callback_via, {"hand", "dialer"})


@record_type
@dataclass(frozen=True)
class GuardRequest(Record):
    """Something a person at the kiosk or on the line waits for a guard to do (P3, V3, E1)."""

    kind: ClassVar[Kind] = Kind.REQUEST
    datetime_fields = ("settled_at",)
    index_fields = ("parcel",)

    request_kind: str = "call_staff"
    unit: str = ""
    parcel: str = ""
    compartment: str = ""
    """Locker compartment of the parcel, or "counter" when it is kept at the desk."""
    proxy_name: str = ""
    proxy_id: str = ""
    """The proxy's ID number (P3); shown and logged only masked."""
    visit: str = ""
    note: str = ""
    source: str = ""
    """Where it was raised: a kiosk id or "hotline"."""
    channel: str = ""
    """E1: the channel an emergency came from (kiosk, hotline, desk)."""
    where: str = ""
    """E1: where it happens (a unit or a place in words); "" when the channel could not ask."""
    what: str = ""
    """E1: what happens, in the person's words."""
    contact_phone: str = ""
    work_order: str = ""
    """E1: the emergency work order it came with, if any."""
    settled_by: str = ""
    settled_at: datetime | None = None
    anonymised: bool = False
    """X2: the proxy's name and ID purged after the keeping period."""

    def validate(self) -> None:
        require("request_kind", self.request_kind, REQUEST_KINDS)
        if self.anonymised:
            return
        if self.request_kind == "proxy_pickup":
            require_text("proxy_name", self.proxy_name, 40)
            check("proxy_id", validate.non_empty, "proxy_id", self.proxy_id, 40)
        if self.request_kind in ("counter_pickup", "proxy_pickup") and not self.parcel:
            raise ValidationError("parcel", self.parcel, "取件请求须指明快递单号")
        if self.note:
            require_text("note", self.note, 500)


@record_type
@dataclass(frozen=True)
class PrintJob(Record):
    """A receipt waiting for or sent to the printer; printed only when confirmed."""

    kind: ClassVar[Kind] = Kind.PRINT_JOB
    index_fields = ("record",)

    receipt: str = ""
    """Receipt kind: visit_pass, work_order, parcel_slip, key_loan, complaint, test."""
    record: str = ""
    payload: str = ""
    """ESC/POS bytes, base64."""
    attempts: int = 0
    last_error: str = ""

    def validate(self) -> None:
        require_text("receipt", self.receipt, 30)


@record_type
@dataclass(frozen=True)
class Owner(Record):
    """A resident of a unit from the owner register (owner, tenant or family)."""

    kind: ClassVar[Kind] = Kind.OWNER
    index_fields = ("unit", "phone", "initials")

    unit: str = ""
    name: str = ""
    phone: str = ""
    owner_role: str = "owner"
    initials: str = ""
    """Pinyin initials of the name, for searching residents (e.g. "zs")."""
    factor_hash: str = ""
    """Hash of the PIN the resident set at the desk: the second factor the hotline asks
    before it reads pickup codes or visitors (X1; caller ID is only a hint)."""

    sms_opt_out: bool = False
    """The resident asked for no non-essential messages (reminders, public notices)."""

    def validate(self) -> None:
        check("unit", validate.parse_unit, self.unit)
        require_text("name", self.name, 40)
        check("phone", validate.phone, self.phone)
        require("owner_role", self.owner_role, OWNER_ROLES)


@record_type
@dataclass(frozen=True)
class Key(Record):
    """A key kept in the cabinet (K1); status "in" or "out"."""

    kind: ClassVar[Kind] = Kind.KEY
    index_fields = ("unit",)

    label: str = ""
    key_kind: str = "other"
    slot: str = ""
    """Cabinet slot name as people say it ("钥匙 3-12"), mapped to a lock by devices."""
    unit: str = ""
    loan: str = ""

    def validate(self) -> None:
        require_text("label", self.label, 60)
        require("key_kind", self.key_kind, KEY_KINDS)
        require_text("slot", self.slot, 20)


@record_type
@dataclass(frozen=True)
class StaffAccount(Record):
    """A staff or guard login; the PIN is stored only as a salted scrypt hash. A new or reset
    account has no PIN, only a hashed one-time setup code (the person chooses the PIN)."""

    kind: ClassVar[Kind] = Kind.STAFF

    name: str = ""
    role: str = "staff"
    pin_hash: str = ""
    staff_no: str = ""
    """工号: the login id of accounts made by `reception staff add` ("" for older ones,
    whose login id is the name)."""
    setup_hash: str = ""
    """Hash of the one-time setup code while the person has not chosen a PIN yet."""
    setup_until: str = ""
    """ISO time after which the setup code no longer works."""

    def validate(self) -> None:
        require_text("name", self.name, 40)
        validate.check_name("name", self.name)
        require("role", self.role, set(STAFF_ROLES))
        require("status", self.status, {"active", "disabled"})
        if self.staff_no and not STAFF_NO.fullmatch(self.staff_no):
            raise ValidationError("staff_no", self.staff_no, "工号应为1-16位字母、数字或-")
        if self.setup_hash:
            if not self.setup_hash.startswith("scrypt$") or self.pin_hash:
                raise ValidationError("setup_hash", "***", "设置码必须以哈希保存，且尚无密码")
        elif not self.pin_hash.startswith("scrypt$"):
            raise ValidationError("pin_hash", "***", "PIN 必须以哈希保存")

    @property
    def login_id(self) -> str:
        return self.staff_no or self.name


STAFF_ROLES = {"guard": "保安", "staff": "客服", "technician": "维修", "supervisor": "主管"}
"""Roles a staff account may have, with their names in the staff register."""
STAFF_NO = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}")


@record_type
@dataclass(frozen=True)
class StateRecord(Record):
    """Small shared state (lockouts, counters) kept in the store."""

    kind: ClassVar[Kind] = Kind.STATE

    data: dict[str, Any] | None = None


# Kinds kept in modules of their own (record_types stays a readable size); imported here so
# every record type is registered when record_types is imported, and re-exported.
from desk.record_audit import AUDIT_KINDS, AUDIT_STATUSES, FINDINGS, Audit  # noqa: E402, F401
from desk.record_notice import NOTICE_CHANNELS, Notice  # noqa: E402, F401
