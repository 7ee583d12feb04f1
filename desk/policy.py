"""One policy for every channel: staffed hours and after-hours (L1), slots and urgency (R1, R2), E1."""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from desk.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Slot:
    """An appointment slot offered for an ordinary repair (R1)."""

    start: datetime
    end: datetime

    @property
    def label(self) -> str:
        return f"{self.start:%m-%d} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class RepairHandling:
    """What happens to a repair reported now (L1, R2): the same on the kiosk and the hotline."""

    urgent: bool
    after_hours: bool
    dispatch_from: datetime
    """When the dispatch clock starts: now, or the next staffed opening for an ordinary
    repair reported after hours (the work order is filed either way)."""
    offer_voicemail: bool
    """The hotline may additionally take a voice message (the order is filed anyway)."""


@dataclass(frozen=True)
class Handover:
    """Who takes a caller who asks for a person or reports an emergency (T3, E1), and what
    the caller is told: never a transfer that cannot be made, never "wait" in an emergency."""

    transfer_to: str
    """"desk" (the staffed desk phone), "duty" (the duty phone) or "" (no phone to try)."""
    staffed: bool
    callback_from: datetime
    """When a person will call back if nobody is reached now: now in staffed hours or in an
    emergency (the duty staff are alerted at once), else the next staffed opening."""
    then: str
    """What follows when no transfer is made or it is not answered: "voicemail" (a message,
    called back in staffed hours), "after_hours" (a message, called back from the next
    opening) or "emergency" (where and what, for the duty staff alerted at once)."""


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


class Policy:
    """Reads the settings; every front end asks this instead of deciding itself."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.p = settings.policy

    # ---- L1 -------------------------------------------------------------------------------
    def is_staffed(self, when: datetime) -> bool:
        """L1: the desk is staffed 07:30-20:00 (complaints are taken 24 h anyway)."""
        t = when.time()
        return self.settings.hours.staffed_from <= t < self.settings.hours.staffed_until

    def next_staffed(self, when: datetime) -> datetime:
        """The start of the next staffed period at or after ``when`` (``when`` if staffed)."""
        if self.is_staffed(when):
            return when
        opening = when.replace(
            hour=self.settings.hours.staffed_from.hour,
            minute=self.settings.hours.staffed_from.minute,
            second=0,
            microsecond=0,
        )
        return opening if opening > when else opening + timedelta(days=1)

    def staffed_hours_zh(self) -> str:
        """ "早上7点半到晚上8点" as people say it."""
        return f"{_clock_zh(self.settings.hours.staffed_from)}到{_clock_zh(self.settings.hours.staffed_until)}"

    def repair_handling(self, urgent: bool, now: datetime) -> RepairHandling:
        """L1 + R2: urgent repairs go at once day and night; an ordinary repair after hours is
        filed as a work order due from the next staffed opening, on every channel."""
        staffed = self.is_staffed(now)
        return RepairHandling(
            urgent=urgent,
            after_hours=not staffed,
            dispatch_from=now if (urgent or staffed) else self.next_staffed(now),
            offer_voicemail=not staffed and not urgent,
        )

    # ---- T3, E1: hand-over to a person ----------------------------------------------------
    def operator_handover(self, now: datetime, desk_phone: bool) -> Handover:
        """T3 + L1: 人工 is the desk phone in staffed hours when one is configured; else a
        message on the callback list, called back now or from the next staffed opening."""
        staffed = self.is_staffed(now)
        return Handover(
            transfer_to="desk" if staffed and desk_phone else "",
            staffed=staffed,
            callback_from=self.next_staffed(now),
            then="voicemail" if staffed else "after_hours",
        )

    def emergency_handover(self, now: datetime, desk_phone: bool, duty_phone: bool) -> Handover:
        """E1: an emergency is never told to wait: the duty phone at any hour when one is
        configured, else the desk phone in staffed hours; if nobody answers, where and what
        is recorded for the duty staff, who were alerted when it was recorded."""
        staffed = self.is_staffed(now)
        target = "duty" if duty_phone else "desk" if (desk_phone and staffed) else ""
        return Handover(transfer_to=target, staffed=staffed, callback_from=now, then="emergency")

    # ---- R1, R2 ----------------------------------------------------------------------------
    def repair_slots(self, now: datetime) -> list[Slot]:
        """R1: the appointment slots offered from now (9, 11, 14, 16 o'clock, 2 h each)."""
        out = []
        lead = now + timedelta(minutes=self.p.repair_slot_lead_minutes)
        length = timedelta(hours=self.p.repair_slot_length_hours)
        for d in range(self.p.repair_slot_days):
            day = now + timedelta(days=d)
            for hour in self.p.repair_slot_hours:
                start = day.replace(hour=hour, minute=0, second=0, microsecond=0)
                if start > lead:
                    out.append(Slot(start, start + length))
        return out

    def slot_at(self, start: datetime) -> Slot:
        """The slot starting at ``start``; ValueError when no such slot is offered."""
        if start.hour not in self.p.repair_slot_hours or start.minute:
            raise ValueError(f"no repair slot starts at {start:%H:%M}")
        return Slot(start, start + timedelta(hours=self.p.repair_slot_length_hours))

    def is_urgent(self, category: str, text: str) -> bool:
        """R2: lift and gas are always urgent; otherwise an urgent word in the description."""
        t = _norm(text)
        return category in self.p.urgent_categories or any(w in t for w in self.p.urgent_words)

    def is_emergency(self, text: str) -> bool:
        """E1: fire, gas, someone trapped, burst pipe, power cut, a leak."""
        t = _norm(text)
        return any(w in t for w in self.p.emergency_words)

    def lives_at_stake(self, text: str) -> bool:
        """E1: words where the caller must also call 119/110/120."""
        t = _norm(text)
        return any(w in t for w in self.p.life_words)

    # ---- P1, P3 -----------------------------------------------------------------------------
    @property
    def couriers(self) -> tuple[str, ...]:
        return self.p.couriers

    @property
    def counter(self) -> str:
        return self.p.counter_compartment


def _clock_zh(t: object) -> str:
    hour, minute = t.hour, t.minute  # type: ignore[attr-defined]
    part = "凌晨" if hour < 6 else "早上" if hour < 9 else "上午" if hour < 12 else (
        "中午" if hour < 13 else "下午" if hour < 18 else "晚上"
    )  # fmt: skip
    h12 = hour if hour <= 12 else hour - 12
    return f"{part}{h12}点" + ("半" if minute == 30 else f"{minute}分" if minute else "")
