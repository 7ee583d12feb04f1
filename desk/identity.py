"""Who is acting, from evidence, and what each may do (R1, P3, V5, X1; caller ID is a hint)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from desk.errors import ValidationError
from desk.masking import mask_phone
from desk.record_types import Owner
from desk.records import Actor, Role
from desk.validate import phone

log = logging.getLogger(__name__)


class Confidence(StrEnum):
    """How sure the core is of who this is."""

    STAFF = "staff"
    """A staff or guard login (id + PIN)."""
    VERIFIED = "verified"
    """A resident proven by something only they know (the second factor set at the desk)."""
    CLAIMED = "claimed"
    """A resident's registered phone was given or shown (caller ID, a phone keyed at the
    kiosk): a hint, not proof. Enough to report for the unit, never to read its secrets."""
    UNVERIFIED = "unverified"
    """A unit was keyed in from a phone not registered to it."""
    VISITOR = "visitor"
    """Anyone else: a visitor at the kiosk, an anonymous caller."""


@dataclass(frozen=True)
class Evidence:
    """What a channel knows about the person in front of it."""

    channel: str
    """"kiosk" or "hotline" (or "desk")."""
    source: str = ""
    """Kiosk id, "hotline"."""
    caller_number: str = ""
    """SIP caller ID: a hint only (it can be forged)."""
    phone: str = ""
    """A phone number the person gave (kiosk form, keyed on the phone)."""
    unit: str = ""
    """The unit they speak for (keyed in, chosen on the screen, confirmed by key 1)."""
    name: str = ""
    """The name they gave."""
    staff: Actor | None = None
    """A logged-in staff actor."""
    second_factor_ok: bool = False
    """The owner's PIN set at the desk was keyed and checked (desk.directory)."""


def identify(evidence: Evidence, residents_of_unit: list[Owner], by_phone: Owner | None) -> Actor:
    """The actor for ``evidence``: role, real name and how sure we are (the audit names this
    actor, never a resident who did not act)."""
    if evidence.staff is not None:
        s = evidence.staff
        return Actor(s.role, s.name, s.source or evidence.source, Confidence.STAFF, evidence.unit)
    source = evidence.source or evidence.channel
    number = evidence.phone or evidence.caller_number
    unit = evidence.unit or (by_phone.unit if by_phone else "")
    key = _phone_key(number)
    match = next((o for o in residents_of_unit if key and _phone_key(o.phone) == key), None)
    if match is None and by_phone is not None and by_phone.unit == unit:
        match = by_phone
    if match is not None:
        confidence = Confidence.VERIFIED if evidence.second_factor_ok else Confidence.CLAIMED
        return Actor(Role.OWNER, match.name, source, confidence, match.unit)
    name = evidence.name or (f"来电人{mask_phone(number)}" if number else "来电人")
    if unit:
        return Actor(Role.VISITOR, name, source, Confidence.UNVERIFIED, unit)
    return Actor(Role.VISITOR, name, source, Confidence.VISITOR, "")


def is_staff(actor: Actor) -> bool:
    return actor.role in (Role.GUARD, Role.STAFF, Role.SUPERVISOR, Role.SYSTEM)


@dataclass(frozen=True)
class RepairDecision:
    """R1 + identity: a repair for a location is taken; flagged when nobody vouches for it."""

    allowed: bool
    flagged: bool
    """待核实: the unit's registered phone is called back before work starts."""
    reason: str = ""


def may_report_repair(actor: Actor, location: str, urgent: bool) -> RepairDecision:
    """R1: public areas from anyone; a unit from its residents or staff, and from anyone
    else flagged 待核实 (never refused: an urgent leak is taken whoever calls)."""
    if location.startswith("public:") or is_staff(actor):
        return RepairDecision(True, False)
    if actor.role == Role.OWNER and actor.unit == location:
        return RepairDecision(True, False)
    return RepairDecision(True, True, "报修人未经核实，须回拨登记电话确认")


def may_read_private(actor: Actor, unit: str) -> bool:
    """X1, P3, V5: a unit's pickup codes and visitors (and its visitor codes) go only to staff
    and to a resident of that unit proven by the second factor; caller ID alone never."""
    if is_staff(actor) and actor.role != Role.SYSTEM:
        return True
    return (
        actor.role == Role.OWNER and actor.unit == unit and actor.confidence == Confidence.VERIFIED
    )


def _phone_key(number: str) -> str:
    """The number in its one form (a caller ID '013800138000' is the owner 13800138000)."""
    try:
        return phone(number) if number else ""
    except ValidationError:
        return number
