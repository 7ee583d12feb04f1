"""The inbound call flows on the desk core: identify, repair, parcels, visitors, complaints."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import numpy as np

from desk import validate
from desk.errors import DeskError, ValidationError
from desk.masking import mask_phone
from desk.record_types import COMPLAINT_CATEGORIES, REPAIR_CATEGORIES, Complaint, Owner, WorkOrder
from desk.records import Actor, Role
from desk.service import Desk
from desk.services.complaints import PUBLIC_AREA, place_zh
from desk.services.requests import (
    CallLog,
    ComplaintRequest,
    PreauthRequest,
    RepairRequest,
)
from desk.workflow import STATUS_ZH
from speech.asr import AsrModel, Grammar
from voice.caller import CallerIdentity
from voice.dialog import CallerHungUp, Dialog, EmergencyRequested, NotMandarin
from voice.emergency import EmergencyFlow
from voice.events import Dtmf, Speech
from voice.line import Channel
from voice.menu import Menu
from voice.prompts import Prompts
from voice.staff_menu import flow_staff
from voice.storage import save_audio

log = logging.getLogger(__name__)

HOTLINE = Actor(Role.SYSTEM, "hotline", "hotline")
URGENCY_ZH = {True: "紧急维修", False: "一般维修"}

Alert = Callable[[str], None]
R = TypeVar("R")
Transfer = Callable[[Channel, str], bool]
"""``transfer(channel, "desk" | "duty")``: True only once the phone answered (then the
call was put through and has ended); False when it could not be reached (the caller is
still on the line)."""


@dataclass
class CallResult:
    """What a call did: written to the core as a Call record (T1-T5)."""

    outcome: str = "answered"
    status: str = "answered"
    purpose: str = ""
    records: list[str] = field(default_factory=list)
    audio_path: str = ""
    emergency: bool = False


class InboundCall(EmergencyFlow, CallerIdentity):
    """One caller: greeting, main menu and the flows, until goodbye or hang-up."""

    flow_staff = flow_staff  # main-menu key 6: the technicians' staff menu (R3)

    def __init__(
        self,
        channel: Channel,
        desk: Desk,
        prompts: Prompts,
        menus: dict[str, Menu],
        *,
        asr: AsrModel | None = None,
        grammars: dict[str, Grammar] | None = None,
        alert: Alert | None = None,
        record_max_s: float = 60.0,
        voicemail_max_s: float = 90.0,
        digit_timeout_s: float = 6.0,
        goodbye_wait_s: float = 3.0,
        transfer: Transfer | None = None,
        transcribe: Callable[[np.ndarray], str] | None = None,
        phones: frozenset[str] | None = None,
    ):
        self.ch = channel
        self.desk = desk
        self.d = Dialog(
            channel, prompts, menus, asr, desk.settings.policy.emergency_words, grammars,
            detect_language=True,
        )  # fmt: skip
        self.alert = alert or (lambda text: log.warning("STAFF ALERT: %s", text))
        self.record_max_s = record_max_s
        self.voicemail_max_s = voicemail_max_s
        self.digit_timeout_s = digit_timeout_s
        self.goodbye_wait_s = goodbye_wait_s
        self.transfer = transfer
        self.phones = frozenset(("desk",) if transfer else ()) if phones is None else phones
        """The phones configured to put callers through to: "desk" (operator_uri), "duty"
        (duty_uri). The core decides which one a caller gets (desk.policy, T3/E1)."""
        self.d.today = lambda: desk.now().date()
        self.transcribe = transcribe
        self._emergency_via = ""
        self.result = CallResult()
        self.unit = ""
        self.owner: Owner | None = None
        self.actor: Actor | None = None
        """Who the core says is calling (desk.identity): the audit names this actor."""
        self.second_factor = False
        """The caller keyed the unit's phone PIN (the core checked it)."""
        self.contact_phone = ""
        self.started_at = desk.now()
        self._audio_n = 0
        self.asked_for_mandarin = False

    # ---- top level -------------------------------------------------------------------
    def run(self) -> CallResult:
        t0 = time.monotonic()
        step: str | None = "greeting"
        try:
            while step:
                try:
                    step = self._step(step)
                except EmergencyRequested as exc:  # E1: at every prompt, also in the flows
                    self._emergency_via = exc.via  # that handle it (run inside the loop)
                    step = "flow:emergency"
                except NotMandarin:
                    step = "flow:language_heard"  # run inside the loop: `*` still works
        except CallerHungUp:
            if self.result.outcome == "answered" and not self.result.records:
                self.result.outcome = "abandoned"
                self.result.status = "abandoned"
        except Exception:
            log.exception("call %s failed", self.ch.call_id)
            self.result.outcome = "error"
            self.result.status = "abandoned"  # goes on the callback list (T3)
            with contextlib.suppress(Exception):
                self._say_error()
        finally:
            self.ch.hangup()
        self._record_call(time.monotonic() - t0)
        return self.result

    def _step(self, step: str) -> str | None:
        if step == "greeting":
            self.d.say("greeting")
            return "main"
        if step.startswith("flow:"):
            return getattr(self, "flow_" + step[5:])()
        if step in self.d.menus:
            return self.d.menu(step)
        raise ValueError(f"unknown step {step!r}")

    def _say_error(self) -> None:
        """T3, honest: a transfer only when one can be made, a callback only to a number."""
        self.d.emergency_live = False
        hand = self.desk.policy.operator_handover(self.desk.now(), "desk" in self.phones)
        if hand.transfer_to and self.transfer is not None:
            self.d.say("error_transfer", barge=False)
            if self.transfer(self.ch, hand.transfer_to):
                self.result.outcome = "transferred"
                return
        callable_back = bool(self._valid_phone(self.caller_number))
        self.d.say("error" if callable_back else "error_no_number", barge=False)

    @staticmethod
    def _valid_phone(number: str) -> str:
        try:
            return validate.phone(number)
        except DeskError:
            return ""

    def _record_call(self, duration: float) -> None:
        r = self.result
        try:
            call = self.desk.calls.record(
                CallLog(direction="in", caller=self.ch.caller, callee=self.ch.callee, purpose=r.purpose,
                        menu_path=tuple(self.d.state.path), records=tuple(r.records),
                        ended_at=self.desk.now(), duration_s=round(duration, 1), outcome=r.outcome,
                        audio_path=r.audio_path, status=r.status),
                HOTLINE,
            )  # fmt: skip
            log.info(
                "call %s from %s: %s, %s, %.1fs",
                call.number,
                mask_phone(self.ch.caller),
                r.outcome,
                ",".join(r.records) or "-",
                duration,
            )
        except DeskError:
            log.exception("could not record call %s", self.ch.call_id)

    def _keep_audio(self, what: str, pcm: np.ndarray) -> str:
        self._audio_n += 1
        name = f"{self.started_at:%H%M%S}-{self.ch.call_id}-{self._audio_n}-{what}"
        path = save_audio(self.desk.settings.store.data_dir, name, pcm, self.started_at)
        if not self.result.audio_path:
            self.result.audio_path = str(path)
        return str(path)

    def _transcript(self, pcm: np.ndarray) -> str:
        if self.transcribe is None or len(pcm) == 0:
            return ""
        try:
            return self.transcribe(pcm)
        except Exception:  # noqa: BLE001 - a transcript is a nice-to-have
            log.exception("transcription failed")
            return ""

    def _file(self, write: Callable[[str, str], R]) -> R | None:
        """Write the caller's record with their name and phone. A phone the core refuses is
        asked again, never the whole request; if the record still cannot be written, the
        recording already kept goes on the callback list as a message (nothing is lost)."""
        name, phone = self._contact()
        for attempt in range(2):
            try:
                return write(name, phone)
            except ValidationError as exc:
                log.warning("call %s: %s refused: %s", self.ch.call_id, exc.field, exc.message)
                if exc.field in ("contact_phone", "phone") and attempt == 0:
                    self.d.say("phone_invalid")
                    name, phone = self._contact(ask_again=True)
                    continue
                break
        self.result.outcome = "voicemail"
        self.result.status = "voicemail"  # the recording is on the callback list (T3)
        self.d.say("kept_as_message", barge=False)
        return None

    # ---- who is calling --------------------------------------------------------------
    def flow_repair(self) -> str | None:
        self.result.purpose = self.result.purpose or "repair"
        if not self.identify():
            return "flow:operator"
        category = self.d.menu("repair_category")
        if category.startswith("flow:"):
            return category
        urgent = self.d.menu("repair_urgency") == "urgent"
        if self.desk.policy.repair_handling(urgent, self.desk.now()).after_hours and not urgent:
            self.d.say("repair_after_hours")  # L1: filed as on the kiosk, dispatched when staffed
        while True:
            pcm = self.d.record("record_description", max_s=self.record_max_s)
            choice = self.d.menu(
                "repair_confirm",
                unit=self.unit,
                category=REPAIR_CATEGORIES[category],
                urgency=URGENCY_ZH[urgent],
            )
            if choice == "again":
                continue
            if choice != "confirm":
                self.d.say("cancelled")
                return "anything_else" if choice == "cancel" else choice
            break
        audio_path = self._keep_audio("repair", pcm)
        transcript = self._transcript(pcm)
        order = self._file(lambda name, phone: self.desk.repairs.report(
            RepairRequest(self.unit, name, phone, category,
                          transcript or f"电话报修：{REPAIR_CATEGORIES[category]}（见录音）",
                          urgent=urgent, audio_path=audio_path, transcript=transcript, channel="hotline"),
            self._actor(),
        ))  # fmt: skip
        if order is None:
            return "flow:goodbye"
        self.result.records.append(order.number)
        self.result.outcome = "work_order"
        if order.emergency:
            self.alert(f"紧急报修 {order.number} {self.unit}")
        self.d.say("repair_saved", number=order.number)
        if order.unverified:
            self.d.say("repair_unverified")
        if order.urgent and order.on_site_by:
            self.d.say("promise_urgent", time=order.on_site_by)
        elif order.dispatch_by:
            self.d.say("promise_normal", time=order.dispatch_by)
        return "anything_else"

    def flow_parcels(self) -> str | None:
        self.result.purpose = self.result.purpose or "parcels"
        if not self.identify(need_verified=True):
            return "anything_else"
        while True:
            parcels = self.desk.parcels.for_unit(self.unit, self._actor())
            if not parcels:
                self.d.say("no_parcels")
                return "anything_else"
            self.d.say("parcel_count", count=len(parcels))
            for i, p in enumerate(parcels, 1):
                self.d.say("parcel_item", index=i, courier=p.courier, code=p.pickup_code)
            choice = self.d.menu("parcel_repeat")
            if choice != "repeat":
                self.result.outcome = "parcels"
                return choice  # 2 返回主菜单: the main menu; no answer: 还需要其他服务

    def flow_visitor(self) -> str | None:
        self.result.purpose = self.result.purpose or "visitor"
        if not self.identify(need_verified=True):
            return "anything_else"
        for _ in range(3):
            count = self.d.digits("visitor_count", max_len=2, timeout=self.digit_timeout_s)
            if count is None:
                return "flow:operator"
            try:
                n = validate.party_size(count)
                break
            except DeskError:
                self.d.say("invalid")
        else:
            return "flow:operator"
        day = self.d.menu("visitor_day")
        if day.startswith("flow:"):
            return day
        visit = self.desk.visits.preauthorise(
            PreauthRequest(self.unit, n, self.desk.now().date() + timedelta(days=int(day))),
            self._actor(),
        )
        self.result.records.append(visit.number)
        self.result.outcome = "visit_preauthorised"
        self.d.say("visitor_code", code=visit.preauth_code)
        return "anything_else"

    def flow_complaint(self) -> str | None:
        self.result.purpose = self.result.purpose or "complaint"
        if not self.unit and self.caller_number:
            owner = self.desk.directory.by_phone(self.caller_number)
            if owner and self.d.menu("verify_owner", unit=owner.unit) == "yes":
                self._set_unit(owner.unit, owner)
        category = self.d.menu("complaint_category")
        place = self._complaint_place()
        pcm = self.d.record("record_complaint", max_s=self.record_max_s)
        severity = self.d.menu("complaint_severity")
        audio_path = self._keep_audio("complaint", pcm)
        transcript = self._transcript(pcm)
        complaint = self._file(lambda name, phone: self.desk.complaints.file(
            ComplaintRequest(transcript or f"电话投诉：{COMPLAINT_CATEGORIES[category]}（见录音）",
                             name, self.unit, phone, "hotline", category, severity, place=place_zh(place),
                             audio_path=audio_path, event_key=self.desk.complaints.event_key(category, place)),
            self._actor(),
        ))  # fmt: skip
        if complaint is None:
            return "flow:goodbye"
        self.result.records.append(complaint.number)
        self.result.outcome = "complaint"
        self.d.say(
            "complaint_saved", number=complaint.number, time=complaint.reply_by or self.desk.now()
        )
        if complaint.collective:  # C2: the core escalated it to the director
            self.d.say("complaint_collective")
        return "anything_else"

    def _complaint_place(self) -> str:
        """C2: where the complaint's event is, by keys: the caller's own building, another
        building (keyed in) or the public areas; "" when not given (not grouped)."""
        own = self.unit.split("-")[0] if self.unit else ""
        if own:
            choice = self.d.menu("complaint_place", building=int(own) if own.isdigit() else own)
        else:
            choice = self.d.menu("complaint_place_other")
        if choice == "own" and own:
            return f"b{own}"
        if choice == "public":
            return PUBLIC_AREA
        if choice == "other":
            got = self.d.digits("ask_building", max_len=3, timeout=self.digit_timeout_s)
            building = (got or "").lstrip("0")
            return f"b{building}" if building.isdigit() else ""
        return ""

    def flow_status(self) -> str | None:
        self.result.purpose = self.result.purpose or "status"
        for _ in range(2):  # a number mistyped is asked again
            number = self.d.digits("ask_order", max_len=11, timeout=self.digit_timeout_s)
            record = self.desk.get(number) if number else None
            if isinstance(record, WorkOrder | Complaint):
                break
            self.d.say("order_unknown")
            if not number:
                return "anything_else"
        else:
            return "anything_else"
        self.d.say(
            "order_status", number=record.number, status=STATUS_ZH.get(record.status, record.status)
        )
        self.result.outcome = self.result.outcome if self.result.records else "status"
        return "anything_else"

    def flow_operator(self) -> str | None:
        """T3: the desk phone when the core says a person can take the call now; else the
        caller is told what happens (a message, called back in staffed hours)."""
        self.result.purpose = self.result.purpose or "operator"
        hand = self.desk.policy.operator_handover(self.desk.now(), "desk" in self.phones)
        if hand.transfer_to and self._put_through(hand.transfer_to, "transfer"):
            return None
        if hand.then == "after_hours":
            hours = self.desk.settings.hours
            return self.flow_voicemail(
                prompt="after_hours", hours=(hours.staffed_from, hours.staffed_until)
            )
        return self.flow_voicemail(
            prompt="operator_voicemail" if not hand.transfer_to else "voicemail"
        )

    def _put_through(self, target: str, prompt: str) -> bool:
        """Say ``prompt``, ring ``target``; True once answered (the call is over), else the
        caller hears that nobody answered and the flow goes on (T3)."""
        if self.transfer is None:
            return False
        self.d.say(prompt, barge=False)
        self.d.state.path.append(f"TRANSFER({target})")
        if self.transfer(self.ch, target):
            self.d.state.path.append("TRANSFER:answered")
            self.result.outcome = "transferred"
            self.result.status = "answered"
            return True
        self.d.state.path.append("TRANSFER:no answer")
        if self.ch.hung_up:
            raise CallerHungUp()
        self.d.say("transfer_no_answer", barge=False)
        return False

    def flow_language(self, detected: bool = False) -> str | None:
        """T4: a caller who does not speak Mandarin (key 9, or speech no menu word matched,
        twice): ask for Mandarin in Mandarin and English, else hand over to staff."""
        self.d.state.path.append("LANGUAGE(asr)" if detected else "LANGUAGE(key 9)")
        if not detected or self.asked_for_mandarin:
            return "flow:handover"
        self.asked_for_mandarin = True
        self.d.state.foreign = 0
        self.d.state.speech_misses = 0
        self.d.state.keys_only = self.d.asr is None  # invite them to speak, in Mandarin
        # "请您讲普通话… Please speak Mandarin, or hold for an operator": a main-menu
        # answer (key or Mandarin word) carries on; silence or more of the same hands over
        return self.d.menu("language")

    def flow_language_heard(self) -> str | None:
        return self.flow_language(detected=True)

    def flow_handover(self) -> str | None:
        """T4 hand-over: staff in staffed hours (L1), else voicemail on the callback list,
        with prompts in Mandarin and English. The Call's purpose tells staff why."""
        self.result.purpose = "language"
        hand = self.desk.policy.operator_handover(self.desk.now(), "desk" in self.phones)
        if hand.transfer_to and self._put_through(hand.transfer_to, "language_transfer"):
            return None
        prompt = "language_voicemail" if hand.staffed else "language_after_hours"
        pcm = self.d.record(prompt, max_s=self.voicemail_max_s)
        self._keep_audio("voicemail", pcm)
        self.result.outcome = "voicemail"
        self.result.status = "voicemail"  # on the callback list (T3)
        if self.d.hung_up:
            return None
        self.d.say("language_saved", barge=False)
        return "flow:goodbye"

    def flow_voicemail(self, prompt: str | None = "voicemail", **slots: object) -> str | None:
        pcm = self.d.record(prompt or "voicemail", max_s=self.voicemail_max_s, **slots)
        self._keep_audio("voicemail", pcm)
        self.result.outcome = "voicemail"
        self.result.status = "voicemail"  # on the callback list (T3)
        if self.d.hung_up:
            return None
        self.d.say("voicemail_saved")
        return "flow:goodbye"

    def flow_goodbye(self) -> str | None:
        self.d.say("goodbye", barge=False)
        # T5: let the caller hang up first
        deadline = time.monotonic() + self.goodbye_wait_s
        while time.monotonic() < deadline:
            ev = self.ch.next_event(deadline - time.monotonic())
            if ev is None or self.ch.hung_up:
                break
            if isinstance(ev, Dtmf):  # E1: `*` still counts after 再见
                self.d._check_emergency_key(ev.digit)
            elif isinstance(ev, Speech):
                self.d._check_emergency_words(ev.text)
        return None
