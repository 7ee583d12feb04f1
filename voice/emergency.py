"""The hotline's emergency flow (E1): recorded first, staff alerted, a person or a message."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desk.masking import mask_phone
from desk.services.requests import EmergencyReport

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    from desk.records import Actor
    from desk.service import Desk
    from voice.dialog import Dialog
    from voice.flows import CallResult
    from voice.line import Channel

log = logging.getLogger(__name__)


class EmergencyFlow:
    """The emergency part of ``InboundCall`` (voice.flows)."""

    ch: Channel
    desk: Desk
    d: Dialog
    unit: str
    contact_phone: str
    phones: frozenset[str]
    voicemail_max_s: float
    result: CallResult
    _emergency_via: str
    alert: Callable[[str], None]

    if TYPE_CHECKING:

        def _actor(self) -> Actor: ...
        def _set_unit(self, unit: str, owner: object = None) -> None: ...
        def _valid_phone(self, number: str) -> str: ...
        @property
        def caller_number(self) -> str: ...
        def _put_through(self, target: str, prompt: str) -> bool: ...
        def _keep_audio(self, what: str, pcm: np.ndarray) -> str: ...
        def _transcript(self, pcm: np.ndarray) -> str: ...

    def flow_emergency(self) -> str | None:
        """E1: the core's emergency operation, recorded before a word is said (listed first
        for the guard and the desk), staff alerted; then reassurance, the core's advice
        (119/110/120), the duty phone (or the desk phone in staffed hours) and, when nobody
        answers or no phone is configured, where and what for the duty staff. Never "wait"."""
        via = self._emergency_via or "key *"
        self.d.emergency_live = False  # more `*` during the emergency change nothing
        self.result.emergency = True
        self.result.purpose = "emergency"
        self.d.state.path.append(f"EMERGENCY({via})")
        if self.result.outcome == "emergency":
            return "flow:emergency_message"
        if not self.unit and self.caller_number:
            owner = self.desk.directory.by_phone(self.caller_number)
            if owner is not None:
                self._set_unit(owner.unit, owner)
        phone = self._valid_phone(self.contact_phone) or self._valid_phone(self.caller_number)
        outcome = self.desk.emergencies.report(
            EmergencyReport("hotline", via=via, where=self.unit, contact_phone=phone), self._actor()
        )
        self.result.records.append(outcome.request.number)
        self.result.outcome = "emergency"
        self.alert(f"紧急来电 {mask_phone(self.ch.caller)} {self.unit or '地点未知'}（{via}）")
        self.d.say("emergency", barge=False)
        if outcome.advice:
            self.d.say("emergency_advice", barge=False)
        hand = self.desk.policy.emergency_handover(
            self.desk.now(), "desk" in self.phones, "duty" in self.phones
        )
        if hand.transfer_to and self._put_through(hand.transfer_to, "emergency_transfer"):
            return None
        if not hand.transfer_to and not hand.staffed:
            self.d.say("emergency_night", barge=False)  # the duty arrangements, never "wait"
        return "flow:emergency_message"

    def flow_emergency_message(self) -> str | None:
        """E1: where and what, in the caller's words, added to the emergency record."""
        self.d.emergency_live = False
        number = next(n for n in reversed(self.result.records) if n.startswith("0"))
        pcm = self.d.record("emergency_describe", max_s=self.voicemail_max_s)
        path = self._keep_audio("emergency", pcm)
        what = self._transcript(pcm)
        self.desk.emergencies.add_details(number, self._actor(), what=what or f"来电录音：{path}")
        self.result.status = "voicemail"  # on the callback list too (T3)
        if self.d.hung_up:
            return None
        self.d.say("emergency_recorded", barge=False)
        return "flow:goodbye"
