"""Typed requests of the desk's operations: what a front end asks, as frozen dataclasses."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

log = logging.getLogger(__name__)


def fields_of(request: Any, *, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's fields as keyword arguments of the record it makes."""
    return {
        f.name: getattr(request, f.name) for f in dataclasses.fields(request) if f.name not in skip
    }


@dataclass(frozen=True)
class NewOwner:
    """A resident of the owner register."""

    unit: str
    name: str
    phone: str
    owner_role: str = "owner"


@dataclass(frozen=True)
class NewStaff:
    """A staff login. With a PIN (demo, tests) the name is the login id; without one
    (`reception staff add`) the staff number is, and the person chooses the PIN at first login."""

    name: str
    role: str
    pin: str = ""
    staff_no: str = ""


@dataclass(frozen=True)
class NewKey:
    """A key put in the cabinet (K1)."""

    key_id: str
    label: str
    slot: str
    key_kind: str = "other"
    unit: str = ""


@dataclass(frozen=True)
class KeyLoanRequest:
    """K2, K3: who borrows a key and on whose authority."""

    key_id: str
    borrower_name: str = ""
    borrower_is_staff: bool = False
    id_type: str = "resident_id"
    id_number: str = ""
    phone: str = ""
    deposit_yuan: float = 0.0
    purpose: str = ""
    owner_authorised_by: str = ""
    due_back: datetime | None = None


@dataclass(frozen=True)
class VisitRequest:
    """V1, V4: a visitor at the kiosk (or registered by a guard)."""

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


@dataclass(frozen=True)
class PreauthRequest:
    """V5: an owner's one-time visitor code for a day's window."""

    host_unit: str
    party_size: int = 1
    day: date | None = None
    visitor_name: str = ""
    valid_from: time = time(0, 0)
    valid_until: time = time(23, 59)


@dataclass(frozen=True)
class RepairRequest:
    """R1: a repair as reported on any channel."""

    location: str
    """A unit "3-2-501" or a public place "public:3栋电梯"."""
    contact_name: str
    contact_phone: str
    category: str = "other"
    description: str = ""
    urgent: bool = False
    """The reporter says it is urgent; lift/gas and emergency words make it urgent anyway."""
    appointment_start: datetime | None = None
    """Start of one of the core's repair slots (desk.repairs.slots())."""
    audio_path: str = ""
    transcript: str = ""
    channel: str = "kiosk"


@dataclass(frozen=True)
class ComplaintRequest:
    """C1: a complaint from any channel."""

    content: str = ""
    name: str = ""
    unit: str = ""
    phone: str = ""
    channel: str = "desk"
    category: str = "other"
    severity: str = "minor"
    validity: str = "unclassified"
    place: str = ""
    people: str = ""
    wants: str = ""
    audio_path: str = ""
    event_key: str | None = None
    """C2: the event (category@place@day); None lets the core take the complainant's building."""


@dataclass(frozen=True)
class ParcelIn:
    """P1: a parcel signed for and stored."""

    recipient_name: str
    unit: str
    phone: str = ""
    courier: str = ""
    tracking_no: str = ""
    registered_mail: bool = False
    condition: str = "完好"
    compartment: str = ""
    condition_note: str = ""
    """Required when the condition is not 完好: what is damaged or wet."""
    courier_person: str = ""
    """The courier's or postman's name."""


@dataclass(frozen=True)
class CallLog:
    """T1-T5: one call, in or out, as the line saw it."""

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
    status: str = "answered"


@dataclass(frozen=True)
class GuardAsk:
    """P3, V3: ask a guard to act (call staff; counter and proxy pickups)."""

    request_kind: str = "call_staff"
    unit: str = ""
    parcel: str = ""
    compartment: str = ""
    proxy_name: str = ""
    proxy_id: str = ""
    visit: str = ""
    note: str = ""


@dataclass(frozen=True)
class EmergencyReport:
    """E1: an emergency from any channel (kiosk button, `*`, spoken words, staff)."""

    channel: str
    """"kiosk", "hotline" or "desk"."""
    via: str = ""
    """How it was raised: "button", "key *", "words: 着火", "staff"."""
    where: str = ""
    """A unit, a place in words, or "" when the channel could not ask."""
    what: str = ""
    """What happened, in the person's words (or a transcript)."""
    contact_phone: str = ""
    work_order: str = ""
    """The emergency work order it belongs to, when it came with a repair."""


# -- the visitor desk (issue 16: blocklist, renovations) ---------------------------------
@dataclass(frozen=True)
class BlockRequest:
    """A person staff decided not to admit; only a keyed hash of the ID is kept."""

    id_number: str
    name: str
    reason: str
    decided_by: str
    id_type: str = "resident_id"
    until: date | None = None


@dataclass(frozen=True)
class RenovationRequest:
    """V4: a renovation registered by staff (the permit the workers show)."""

    unit: str
    company: str
    permit: str
    first_day: date
    last_day: date
    hours_from: time = time(8, 0)
    hours_until: time = time(18, 0)
    workers: tuple[str, ...] = ()
    workdays_only: bool = True
    contact_phone: str = ""
