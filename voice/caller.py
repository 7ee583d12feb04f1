"""Who is calling, as the core sees it: caller ID (a hint), a keyed unit, the phone PIN (X1)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desk import validate
from desk.dialplan import canonical
from desk.errors import DeskError, LockedOut
from desk.identity import Confidence, Evidence
from desk.record_types import Owner
from desk.records import Actor

if TYPE_CHECKING:
    from desk.service import Desk
    from voice.dialog import Dialog
    from voice.line import Channel

log = logging.getLogger(__name__)


class CallerIdentity:
    """The caller part of ``InboundCall``: asks, and lets the core decide who this is."""

    ch: Channel
    desk: Desk
    d: Dialog
    digit_timeout_s: float
    unit: str
    owner: Owner | None
    actor: Actor | None
    second_factor: bool
    contact_phone: str

    def _actor(self) -> Actor:
        """The caller as the core identifies them from what this call has told (caller ID is
        a hint; the unit's PIN is proof)."""
        if self.actor is None:
            self.actor = self.desk.identify(
                Evidence("hotline", "hotline", caller_number=self.caller_number, unit=self.unit,
                         phone=self.contact_phone, second_factor_ok=self.second_factor)
            )  # fmt: skip
        return self.actor

    def _set_unit(self, unit: str, owner: Owner | None = None) -> None:
        self.unit, self.owner, self.actor = unit, owner, None
        if owner is not None:
            self.contact_phone = owner.phone

    def identify(self, need_verified: bool = False) -> bool:
        """Which unit: the caller ID's (confirmed by key 1), else keyed in (step 5). With
        ``need_verified`` (pickup codes, visitors) the core also wants the unit's phone PIN:
        caller ID alone is never proof (X1)."""
        if not self.unit:
            number = self.caller_number
            owner = self.desk.directory.by_phone(number) if number else None
            if owner is not None and self.d.menu("verify_owner", unit=owner.unit) == "yes":
                self._set_unit(owner.unit, owner)
        if not self.unit and not self._keyed_unit():
            return False
        if not need_verified:
            return True
        return self._second_factor()

    def _keyed_unit(self) -> bool:
        for _ in range(2):
            b = self.d.digits("ask_building", max_len=3, timeout=self.digit_timeout_s)
            e = (
                self.d.digits("ask_entrance", max_len=2, timeout=self.digit_timeout_s)
                if b
                else None
            )
            r = self.d.digits("ask_room", max_len=4, timeout=self.digit_timeout_s) if e else None
            if not (b and e and r):
                return False
            try:
                unit = validate.unit_key(b, e, r)
            except DeskError:
                unit = ""
            residents = self.desk.directory.residents_of(unit) if unit else []
            if residents:
                self.d.say("unit_is", unit=unit)
                # the owner only when the caller's own number is registered to the unit
                caller = self.phone_of(self.caller_number)
                self._set_unit(
                    unit, next((o for o in residents if caller and o.phone == caller), None)
                )
                return True
            self.d.say("unit_unknown")
        return False

    def _second_factor(self) -> bool:
        """X1: the unit's phone PIN set at the desk, checked by the core (wrong ones counted)."""
        if self._actor().confidence == Confidence.VERIFIED:
            return True
        digits = self.desk.settings.policy.second_factor_digits
        for _ in range(2 if self.desk.directory.has_phone_pin(self.unit) else 0):
            pin = self.d.digits("ask_phone_pin", max_len=digits, timeout=self.digit_timeout_s)
            if not pin:
                break
            try:
                owner = self.desk.directory.check_phone_pin(self.unit, pin)
            except LockedOut:
                break
            if owner is not None:  # the resident whose PIN it is acts from now on
                self._set_unit(self.unit, owner)
                self.second_factor = True
                return True
            self.d.say("phone_pin_wrong")
        self.d.say("need_phone_pin")
        return False

    @property
    def caller_number(self) -> str:
        """The caller ID in the core's form (a local one gets the site's area code, a trunk
        0 before a mobile goes), else as the line gave it. Still only a hint (X1)."""
        return self.phone_of(self.ch.caller) or self.ch.caller

    def phone_of(self, number: str) -> str:
        """The number in the core's form, or "" when it is not a phone number: mobiles,
        landlines with or without the area code (the local one from the dial plan's
        ``local_area_code``), +86/0086, a trunk 0 in front of a caller ID's mobile."""
        area = self.desk.settings.hotline.dialplan.local_area_code
        try:
            return validate.phone(canonical(number, area)) if number else ""
        except DeskError:
            return ""

    def _ask_phone(self) -> str:
        """A number to call back, keyed and ended by `#`; a bad one is asked again, and
        after that the call goes on without it (what was said so far is kept)."""
        for _ in range(3):
            got = self.d.digits("ask_phone", max_len=16, timeout=self.digit_timeout_s)
            if not got:
                return ""
            number = self.phone_of(got)
            if number:
                return number
            self.d.state.path.append("ask_phone:i")
            self.d.say("phone_invalid")
        return ""

    def _contact(self, ask_again: bool = False) -> tuple[str, str]:
        """Name and phone to call back: the caller ID if it is a phone number, else keyed in
        (``ask_again``: the number given was refused by the core, ask for another)."""
        if ask_again or not self.contact_phone:
            caller = "" if ask_again else self.phone_of(self.caller_number)
            self.contact_phone = caller or self._ask_phone()
            self.actor = None  # a number keyed in is evidence too (a hint, as on the kiosk)
        fallback = self.owner.phone if self.owner else ""
        if not self.contact_phone and not fallback and self.unit:
            # nobody to call but the unit's registered phone: the core calls it to check (R1)
            residents = self.desk.directory.residents_of(self.unit)
            fallback = residents[0].phone if residents else ""
        name = self.owner.name if self.owner else "来电人"
        return name, self.contact_phone or fallback

    # ---- flows -------------------------------------------------------------------------
