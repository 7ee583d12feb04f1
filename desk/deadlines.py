"""Deadline rules as data plus pure functions (R2, R4, R5, C3, C4, P4, K4, E1); no store access."""

from __future__ import annotations

import logging
import unicodedata
from datetime import date, datetime, timedelta
from typing import Literal

from desk.config_policy import PolicySettings
from desk.workdays import add_working_days

log = logging.getLogger(__name__)

# --- repairs (R2, R5) ---------------------------------------------------------------------
URGENT_DISPATCH = timedelta(0)
"""R2: an urgent repair is passed to engineering immediately."""
URGENT_ON_SITE = timedelta(minutes=30)
"""R2 (004): urgent repair, technician on site within 30 minutes."""
URGENT_ON_SITE_STRETCH = timedelta(minutes=10)
"""R2 (002): stretch target for urgent repairs; shown, not enforced."""
ORDINARY_DISPATCH = timedelta(hours=2)
"""R2: an ordinary repair is passed to engineering within 2 hours."""
FOLLOW_UP = timedelta(days=3)
"""R5: follow-up visit within 3 calendar days of completion."""
FOLLOW_UP_LARGE = timedelta(days=30)
"""R5: large repair projects, within a month."""

# --- complaints (C3, C4): (reply, resolve); timedelta = clock time, int = working days -------
Span = timedelta | int
COMPLAINT_RULES: dict[str, tuple[Span, Span]] = {
    "major": (timedelta(hours=2), 3),
    "important": (1, 2),
    "minor": (timedelta(hours=2), 1),
}
INVALID_EXPLAIN = timedelta(hours=2)
"""C3 (001): an invalid complaint is explained to the customer within 2 hours."""
CONTACT_WITHIN = timedelta(hours=2)
"""C3: a valid complaint: contact the customer within 2 h and agree a reply time."""
COMPLAINT_FOLLOW_UP_WORKING_DAYS = 3
"""C4: follow up within 3 working days after handling."""
VALIDITIES = ("unclassified", "valid", "assist", "invalid")

# --- parcels (P4) and keys (K4) -------------------------------------------------------------
REGISTERED_MAIL_RETURN = timedelta(days=2)
"""P4: undeliverable registered mail back to the post office within 2 days."""
KEY_LOAN_DEFAULT = timedelta(hours=4)
"""K2: a key lent without an agreed time is due back 4 hours later (then listed as overdue)."""
KEY_STOCKTAKE_DAYS = (25, 27, 28)
"""K4: stock-take from the 25th to the 27th, report on the 28th."""

# --- urgency words (R2, E1): one list, in the policy settings (desk/config_policy.py) ---------
URGENT_WORDS: tuple[str, ...] = PolicySettings().urgent_words
"""R2: the default words that suggest an urgent repair (急修); staff confirm the urgency."""
EMERGENCY_WORDS: tuple[str, ...] = PolicySettings().emergency_words
"""E1: the default words that make a call or request an emergency: it skips every queue."""

Status = Literal["ok", "due_soon", "overdue"]


def repair_deadlines(
    created_at: datetime, urgent: bool, appointment_start: datetime | None = None
) -> dict[str, datetime | None]:
    """R2: `dispatch_by` and `on_site_by` of a repair.

    Urgent: dispatch at once (created_at), on site within 30 min. Ordinary: dispatch
    within 2 h, on site at the agreed appointment start; no appointment agreed yet gives
    `on_site_by=None` (set it when the slot is agreed).
    """
    if urgent:
        return {
            "dispatch_by": created_at + URGENT_DISPATCH,
            "on_site_by": created_at + URGENT_ON_SITE,
        }
    return {"dispatch_by": created_at + ORDINARY_DISPATCH, "on_site_by": appointment_start}


def follow_up_by(completed_at: datetime, large: bool = False) -> datetime:
    """R5: follow-up visit due 3 calendar days after completion (large projects 30 days)."""
    return completed_at + (FOLLOW_UP_LARGE if large else FOLLOW_UP)


def _after(start: datetime, span: Span) -> datetime:
    return start + span if isinstance(span, timedelta) else add_working_days(start, span)


def complaint_deadlines(
    received_at: datetime, severity: str, validity: str = "valid"
) -> dict[str, datetime]:
    """C3: `reply_by` and `resolve_by` of a complaint.

    major: reply 2 h, resolve 3 working days; important: reply 1 working day, resolve 2
    working days; minor: reply 2 h, resolve 1 working day. invalid: explain within 2 h,
    which also closes it (both deadlines). unclassified/assist follow the severity.
    Working days count from `received_at` and keep its time of day (desk.workdays).
    """
    if validity not in VALIDITIES:
        raise ValueError(f"unknown complaint validity {validity!r}")
    if validity == "invalid":
        due = received_at + INVALID_EXPLAIN
        return {"reply_by": due, "resolve_by": due}
    try:
        reply, resolve = COMPLAINT_RULES[severity]
    except KeyError:
        raise ValueError(f"unknown complaint severity {severity!r}") from None
    return {"reply_by": _after(received_at, reply), "resolve_by": _after(received_at, resolve)}


def complaint_contact_by(received_at: datetime) -> datetime:
    """C3: contact the customer of a valid complaint within 2 h to agree a reply time."""
    return received_at + CONTACT_WITHIN


def complaint_follow_up_by(handled_at: datetime) -> datetime:
    """C4: follow-up due 3 working days after the complaint was handled."""
    return add_working_days(handled_at, COMPLAINT_FOLLOW_UP_WORKING_DAYS)


def registered_mail_return_by(undeliverable_at: datetime) -> datetime:
    """P4: undeliverable registered mail goes back to the post office within 2 days."""
    return undeliverable_at + REGISTERED_MAIL_RETURN


def parcel_reminder_at(received_at: datetime, after_days: int) -> datetime:
    """P4: when an uncollected parcel becomes overdue and is reminded (after_days from config)."""
    if after_days < 0:
        raise ValueError("after_days must not be negative")
    return received_at + timedelta(days=after_days)


def visit_valid_until(
    time_in: datetime, open_hours: int, booked_until: datetime | None = None
) -> datetime:
    """V1, V6: a visitor pass is valid ``open_hours`` after entry (when the guard is told the
    visit is overdue), or until the owner's booking ends if that is sooner (V5)."""
    until = time_in + timedelta(hours=open_hours)
    return min(until, booked_until) if booked_until is not None else until


def key_stocktake_window(year: int, month: int) -> tuple[date, date, date]:
    """K4: (first stock-take day 25th, last stock-take day 27th, report day 28th)."""
    first, last, report = KEY_STOCKTAKE_DAYS
    return date(year, month, first), date(year, month, last), date(year, month, report)


def classify(
    deadline: datetime | None, now: datetime, soon: timedelta = timedelta(minutes=30)
) -> Status:
    """R4: 'overdue' after the deadline, 'due_soon' within `soon` of it, else 'ok'.

    The deadline moment itself still counts as on time; no deadline is 'ok'.
    """
    if deadline is None:
        return "ok"
    if now > deadline:
        return "overdue"
    if deadline - now <= soon:
        return "due_soon"
    return "ok"


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def suggests_urgent(text: str) -> bool:
    """R2: True when the description mentions an urgent-repair word (staff confirm)."""
    t = _norm(text)
    return any(w in t for w in URGENT_WORDS)


def is_emergency(text: str) -> bool:
    """E1: True when the text mentions fire, gas, someone trapped, burst pipe, power cut or a leak."""
    t = _norm(text)
    return any(w in t for w in EMERGENCY_WORDS)
