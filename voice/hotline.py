"""The running hotline: settings -> prompts, menus, ASR, line, dialer; one thread per call."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

from desk import dialplan, validate
from desk.config import Settings
from desk.config_hotline import HotlineSettings
from desk.config_policy import PolicySettings
from desk.errors import DeskError
from desk.masking import mask_phone
from desk.records import SYSTEM
from desk.service import Desk
from desk.services.requests import CallLog, EmergencyReport
from speech.asr import AsrModel, AsrUnavailable, Grammar, find_model
from speech.tts import Tts
from voice.dialog import CallerHungUp, Dialog, EmergencyRequested
from voice.flows import HOTLINE as HOTLINE_ACTOR
from voice.flows import InboundCall
from voice.line import Channel, Line
from voice.menu import Menu, load_menus
from voice.outbound import Dialer
from voice.prompts import PROMPTS_DIR, Prompts
from voice.sip import SipConfig
from voice.sipguard import GuardConfig
from voice.storage import hotline_dir, purge_audio
from voice.transfer import put_through

log = logging.getLogger(__name__)


@dataclass
class Resources:
    prompts: Prompts
    menus: dict[str, Menu]
    asr: AsrModel | None
    grammars: dict[str, Grammar]
    asr_note: str


def slot_values(couriers: tuple[str, ...] = PolicySettings().couriers) -> set[str]:
    """Finite slot texts rendered at start-up (categories, statuses, couriers...)."""
    from desk.record_types import COMPLAINT_CATEGORIES, REPAIR_CATEGORIES
    from desk.workflow import STATUS_ZH

    out = (
        set(REPAIR_CATEGORIES.values())
        | set(COMPLAINT_CATEGORIES.values())
        | set(STATUS_ZH.values())
    )
    out |= {"紧急维修", "一般维修", "报修工单", "投诉", "来访"}
    out |= set(couriers)  # P1: the core's courier names, one spelling everywhere
    return out


def load_resources(settings: Settings, desk: Desk | None = None, warm: bool = True) -> Resources:
    """Prompts (rendered once), menus, and the ASR model with every menu word checked."""
    h = settings.hotline
    pdir = Path(h.prompts_dir) if h.prompts_dir else PROMPTS_DIR
    tts = Tts(hotline_dir(settings.store.data_dir) / "tts", h.tts_voice, h.tts_rate, h.tts_engine)
    prompts = Prompts(tts, pdir, fixed={"office": settings.site.name}, en_voice=h.tts_voice_en)
    menus = load_menus(pdir)
    if warm:
        n = prompts.warm(slot_values(settings.policy.couriers))
        log.info("prompts ready (%d rendered now, rest from cache)", n)
    asr, grammars, note = None, {}, ""
    model_dir = find_model(h.vosk_model_dir, settings.store.data_dir)
    if model_dir is None:
        note = "ASR: no Vosk model installed, the hotline runs on keys only"
    else:
        try:
            asr = AsrModel(model_dir, h.asr_min_margin)
            for m in menus.values():
                words = list(m.words) + (
                    list(settings.policy.emergency_words) if m.emergency else []
                )
                missing = asr.check_words(words)
                if missing:
                    log.warning("menu %s: words not in the model's vocabulary: %s", m.name, missing)
                grammars[m.name] = asr.recognizer(words)
            note = f"ASR: Vosk model {model_dir.name}"
        except AsrUnavailable as exc:
            note = f"ASR: {exc}; keys only"
    log.info(note)
    return Resources(prompts, menus, asr, grammars, note)


def gateway_host(h: HotlineSettings) -> str:
    """The host of ``outbound_uri`` (the FXO gateway or trunk), '' when it has none."""
    m = re.search(r"@\[?([0-9A-Za-z.:-]+?)\]?(?::\d+)?(?:[;>].*)?$", h.outbound_uri)
    return m.group(1) if m else ""


def sip_config(
    h: HotlineSettings, port: int = 0, rtp_port: int = 0, proxies: tuple[str, ...] = ()
) -> SipConfig:
    """The SIP line's settings from ``[hotline]``: the allow-list holds the configured
    sources plus the gateway of ``outbound_uri`` (9); digest and per-source limits (10)."""
    allowed = list(h.allowed_sources)
    gw = gateway_host(h)
    if gw:
        try:
            allowed.append(str(ipaddress.ip_address(gw)))
        except ValueError:
            with contextlib.suppress(OSError):
                allowed += sorted({ai[4][0] for ai in socket.getaddrinfo(gw, None)})
    guard = GuardConfig(
        allowed_sources=tuple(allowed),
        proxies=tuple(proxies or h.sip_proxies),
        max_pending_per_source=h.max_pending_per_source,
        ack_timeout_s=h.ack_timeout_s,
        auth_user=h.sip_auth_user,
        auth_realm=h.sip_auth_realm,
        auth_ha1=h.sip_auth_ha1,
        # behind kamailio a full worker answers 486 and kamailio tries the next one
        max_inbound=h.max_calls if (proxies or h.sip_proxies) else 0,
    )
    return SipConfig(bind=h.sip_bind, port=port or h.sip_port, public=h.sip_public, user=h.sip_user,
                     out_user=h.out_user, out_port=h.out_port, rtp_port=rtp_port or h.rtp_port,
                     guard=guard)  # fmt: skip


class Hotline:
    """Answers calls on ``line`` with the flows, and dials out through it."""

    def __init__(self, settings: Settings, desk: Desk, line: Line, resources: Resources):
        self.settings = settings
        self.desk = desk
        self.line = line
        self.r = resources
        self._active = 0
        self._lock = threading.Lock()
        self.results: list = []
        self.active: dict[str, InboundCall] = {}
        """Calls in progress by channel id (status screens, tests)."""
        h = settings.hotline
        self.dialer = Dialer(
            desk,
            self._dial,
            resources.prompts,
            resources.menus,
            attempts=h.outbound_attempts,
            retry_minutes=h.outbound_retry_minutes,
            host_calls=h.host_calls,
            follow_up_calls=h.follow_up_calls,
            dial_plan=h.dialplan,
        )
        self.dialer.transfer_to = h.operator_uri  # T3: call-backs are put through to the desk

    def _dial(self, number: str) -> Channel | None:
        h = self.settings.hotline
        return self.line.dial(h.outbound_uri.format(number=number), timeout=h.ring_timeout_s)

    def alert(self, text: str) -> None:
        """E1: tell staff at once: duty log entry + warning (the desk screens show both)."""
        log.warning("STAFF ALERT: %s", text)
        try:
            self.desk.dutylog.write(f"热线紧急提醒：{text}", SYSTEM)
        except Exception:  # noqa: BLE001
            log.exception("could not write the alert to the duty log")

    @property
    def phones(self) -> frozenset[str]:
        """The phones callers can be put through to: "desk" (operator_uri), "duty"
        (duty_uri), when the line can bridge calls."""
        h = self.settings.hotline
        if not hasattr(self.line, "bridge"):
            return frozenset()
        return frozenset(k for k, uri in (("desk", h.operator_uri), ("duty", h.duty_uri)) if uri)

    def transfer(self, channel: Channel, target: str = "desk") -> bool:
        """T3: ring the desk or duty phone for ``transfer_answer_s``; True only when it
        answered (the call was put through and has ended), else the caller is back."""
        h = self.settings.hotline
        uri = {"desk": h.operator_uri, "duty": h.duty_uri}.get(target, "")
        if not uri or target not in self.phones:
            return False
        return put_through(self.line, channel, uri, h.transfer_answer_s)  # type: ignore[arg-type]

    def _busy_emergency(self, channel: Channel, d: Dialog, via: str) -> None:
        """`*` while hearing 线路繁忙: the emergency is recorded and staff alerted at once,
        then the caller is reassured and advised (119/110/120), as on a free line."""
        d.emergency_live = False
        try:
            number = validate.phone(
                dialplan.canonical(channel.caller, self.settings.hotline.dialplan.local_area_code)
            )
        except DeskError:
            number = ""
        outcome = self.desk.emergencies.report(
            EmergencyReport("hotline", via=f"{via}（线路繁忙）", contact_phone=number),
            HOTLINE_ACTOR,
        )
        self.alert(
            f"紧急来电 {mask_phone(channel.caller)} 地点未知（{via}，线路繁忙）：{outcome.request.number}"
        )
        d.say("emergency", barge=False)
        if outcome.advice:
            d.say("emergency_advice", barge=False)

    def on_call(self, channel: Channel) -> None:
        h = self.settings.hotline
        with self._lock:
            busy = self._active >= h.max_calls
            if not busy:
                self._active += 1
        if busy:
            log.warning("all %d lines busy: call recorded as missed", h.max_calls)
            self.desk.calls.record(CallLog(direction="in", caller=channel.caller, callee=channel.callee, outcome="busy", status="missed"), SYSTEM)  # fmt: skip
            d = Dialog(channel, self.r.prompts, self.r.menus)
            with contextlib.suppress(CallerHungUp):
                try:
                    d.say("busy", barge=False)
                except EmergencyRequested as exc:  # E1: even when every line is busy
                    self._busy_emergency(channel, d, exc.via)
            channel.hangup()
            return
        try:
            call = InboundCall(
                channel,
                self.desk,
                self.r.prompts,
                self.r.menus,
                asr=self.r.asr,
                grammars=self.r.grammars,
                alert=self.alert,
                record_max_s=h.record_max_s,
                voicemail_max_s=h.voicemail_max_s,
                digit_timeout_s=h.digit_timeout_s,
                goodbye_wait_s=h.goodbye_wait_s,
                transfer=self.transfer,
                phones=self.phones,
                transcribe=self.r.asr.transcribe if self.r.asr else None,
            )
            self.active[channel.call_id] = call
            self.results.append(call.run())
        finally:
            self.active.pop(channel.call_id, None)
            with self._lock:
                self._active -= 1

    def start(self, dialer: bool = True) -> None:
        purge_audio(
            self.settings.store.data_dir,
            self.settings.retention.call_audio_days,
            self.desk.now().date(),
        )
        self.line.start(self.on_call)
        if dialer:
            self.dialer.start(self.settings.hotline.outbound_poll_s)

    def stop(self) -> None:
        self.dialer.stop()
        self.line.stop()
