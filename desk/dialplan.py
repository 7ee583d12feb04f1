"""The outbound dial plan: which numbers the desk may call (no toll fraud, no premium lines).

Pure functions over a frozen ``DialPlan`` (``[hotline.dialplan]`` in the settings). A
number typed by an anonymous caller ends up on a record and is later dialled by the
follow-up dialer, so every outbound call goes through ``check`` first.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from desk.masking import mask_phone

log = logging.getLogger(__name__)

T = TypeVar("T")

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0(?:10|2\d)\d{8}$|^0[3-9]\d{2}\d{7,8}$")
_LOCAL = re.compile(r"^[2-9]\d{6,7}$")


@dataclass(frozen=True)
class DialPlan:
    local_area_code: str = ""
    """The desk's own area code (e.g. "0755"): 7-8 digit local numbers are then allowed
    (dialled as typed, the FXO line is local). Empty: local numbers are refused."""
    allow_international: bool = False
    """Allow numbers starting with 00 or + (other than +86/0086). Off: toll fraud target."""
    premium_prefixes: tuple[str, ...] = ("95", "96", "106", "1900", "168", "400", "800")
    """Prefixes of premium-rate, service and SMS short-code numbers never dialled (after
    +86/0086 is taken off); 400/800 are listed because a follow-up never needs them."""
    allowed_prefixes: tuple[str, ...] = ()
    """Prefixes dialled even though a premium prefix matches (e.g. a contractor's 400 line)."""


DEFAULT_PLAN = DialPlan()


@dataclass(frozen=True)
class Decision:
    ok: bool
    number: str
    """The normalised number to dial (digits only, +86/0086 taken off)."""
    reason: str = ""


def canonical(number: str, local_area_code: str = "") -> str:
    """A phone number as Chinese callers write it and caller IDs show it, in one domestic
    form (digits only): the one rule for records, caller-ID look-ups and the dial plan.

    '+86 138-0013-8000', '0086 13800138000', '8613800138000' and the caller ID
    '013800138000' (a trunk 0 in front of a mobile) -> '13800138000'; '+86 755 8888 6666'
    -> '075588886666'; with ``local_area_code`` "0755" a local '88886666' (7-8 digits) ->
    '075588886666'. Other international numbers keep their 00/+; anything else is returned
    without separators, for the caller to validate.
    """
    s = re.sub(r"[\s\-()（）.]", "", unicodedata.normalize("NFKC", number or ""))
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    elif len(s) == 13 and s.startswith("86") and _MOBILE.match(s[2:]):
        return s[2:]
    else:
        if len(s) == 12 and s.startswith("01") and _MOBILE.match(s[1:]):
            return s[1:]  # the trunk 0 some gateways put before a mobile's caller ID
        area = re.sub(r"\D", "", local_area_code)
        if area and _LOCAL.match(s):
            return ("0" + area if not area.startswith("0") else area) + s
        return s
    # +86 755 8888 6666: a landline written internationally drops its trunk 0
    if not _MOBILE.match(s) and s[:1] in "123456789" and len(s) >= 9:
        s = "0" + s
    return s


def normalise(number: str) -> str:
    """The form to dial: ``canonical`` without a local area code added (a local number is
    dialled as typed on the local line). '+86 138-0013-8000' -> '13800138000'."""
    return canonical(number)


def check(number: str, plan: DialPlan = DEFAULT_PLAN) -> Decision:
    """Whether ``number`` may be dialled under ``plan``, and the form to dial."""
    n = normalise(number)
    if not n:
        return Decision(False, n, "empty number")
    if n.startswith(("+", "00")):
        if plan.allow_international and n.lstrip("+").isdigit():
            return Decision(True, n)
        return Decision(False, n, "international number (not allowed by the dial plan)")
    if not n.isdigit():
        return Decision(False, n, "not a phone number")
    allowed = any(n.startswith(p) for p in plan.allowed_prefixes if p)
    if not allowed and any(n.startswith(p) for p in plan.premium_prefixes if p):
        return Decision(False, n, "premium-rate or service prefix")
    if _MOBILE.match(n) or _LANDLINE.match(n):
        return Decision(True, n)
    if _LOCAL.match(n):
        if plan.local_area_code:
            return Decision(True, n)
        return Decision(False, n, "local number without a configured local area code")
    if allowed:
        return Decision(True, n)
    return Decision(False, n, "not a domestic number format")


def guarded(
    dial: Callable[[str], T | None], plan: DialPlan = DEFAULT_PLAN
) -> Callable[[str], T | None]:
    """Wrap ``dial(number)``: numbers the plan refuses are never dialled (None, logged masked)."""

    def checked(number: str) -> T | None:
        d = check(number, plan)
        if not d.ok:
            log.warning(
                "outbound call to %s refused by the dial plan: %s", mask_phone(number), d.reason
            )
            return None
        return dial(d.number)

    return checked
