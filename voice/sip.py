"""SIP line on PJSIP (pjsua2): G.711 at 8 kHz, RFC 4733 and in-band digits, many calls.

All pjsua2 calls run in one event thread of our own (``threadCnt=0``); other threads
hand work to it through ``_submit``. Audio goes through one ``AudioMediaPort`` per
call, fed and drained by pjsua's conference clock, so no player/recorder slots are
used (pjsua allows 32 players in all).
"""

from __future__ import annotations

import concurrent.futures
import itertools
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from voice.events import FRAME_SAMPLES, SAMPLE_RATE, CallStarted, HungUp
from voice.line import Channel
from voice.sipguard import Guard, GuardConfig, mask_uri
from voice.siplog import pj_log_writer

log = logging.getLogger(__name__)

try:  # pragma: no cover - import guarded for machines without the wheel
    import pjsua2 as pj
except ImportError:  # pragma: no cover
    pj = None


def available() -> bool:
    return pj is not None


@dataclass(frozen=True)
class SipConfig:
    bind: str = "127.0.0.1"
    port: int = 5080
    public: str = ""
    user: str = "ivr"
    out_user: str = "out"
    """User part of the separate outbound account (the duty hotline only receives)."""
    out_port: int = 0
    """UDP port of the outbound account's transport; 0: port + 2."""
    rtp_port: int = 40000
    log_level: int = 1
    max_calls: int = 4
    """pjsua call slots (inbound + outbound). The pjsua2-python wheel accepts at most 4
    calls per process whatever is asked (seen here: the 5th INVITE gets 486); run more
    processes (`reception hotline --workers N`) for more simultaneous calls."""
    guard: GuardConfig = GuardConfig()
    """Who may call (allow-list, digest, per-source limits); see voice.sipguard."""


class SipChannel(Channel):
    """A call on the SIP line."""

    def __init__(
        self, line: SipLine, call: Any, call_id: str, caller: str, callee: str, direction: str
    ):
        super().__init__(call_id, caller, callee, direction)
        self._line = line
        self._call = call
        self.port: Any = None
        self.connected = threading.Event()
        self.answered = threading.Event()
        """The far end answered (200 OK / ACK), not just early media."""
        self.media_index = -1
        self.source = ""
        """The address the INVITE came from (or the proxy's X-Reception-Source)."""
        self.flow_started = False

    def hangup(self) -> None:
        if self.hung_up:
            return
        self._line._submit(self._line._hangup, self)
        self._mark_hung_up("local")


def _caller_number(remote_uri: str) -> str:
    """'"x" <sip:13800138000@gw>' -> '13800138000'."""
    s = remote_uri
    if "<" in s:
        s = s[s.index("<") + 1 : s.index(">") if ">" in s else None]
    s = s.split(":", 1)[-1]
    return s.split("@", 1)[0].split(";", 1)[0]


if pj is not None:

    class _Port(pj.AudioMediaPort):
        """Bridges pjsua's conference clock to a Channel's queues (8 kHz, 20 ms, 16-bit)."""

        def __init__(self, channel: Channel):
            self.channel = channel
            self._last: float | None = None
            super().__init__()

        def onFrameRequested(self, frame: Any) -> None:
            now = time.monotonic()
            if self._last is not None:
                gap = now - self._last
                self.channel.max_gap = max(self.channel.max_gap, gap)
                if gap > 0.04:  # a whole frame period late: the far end hears a gap
                    self.channel.late_frames += 1
            self._last = now
            pcm = self.channel.pull_audio(FRAME_SAMPLES)
            frame.type = pj.PJMEDIA_FRAME_TYPE_AUDIO
            frame.buf = pj.ByteVector(pcm.tobytes())
            frame.size = len(pcm) * 2

        def onFrameReceived(self, frame: Any) -> None:
            if (
                frame.type != pj.PJMEDIA_FRAME_TYPE_AUDIO
                or not frame.size
                or not self.channel.wants_audio
            ):
                return  # converting the SWIG byte vector costs ~0.25 ms of GIL a frame
            data = bytes(frame.buf)
            self.channel.push_audio(np.frombuffer(data, dtype=np.int16))

    class _Call(pj.Call):
        def __init__(self, line: SipLine, acc: Any, call_id: int = pj.PJSUA_INVALID_ID):
            super().__init__(acc, call_id)
            self.line = line
            self.channel: SipChannel | None = None

        def onCallState(self, prm: Any) -> None:
            ci = self.getInfo()
            if ci.state == pj.PJSIP_INV_STATE_CONFIRMED and self.channel:
                self.channel.connected.set()
                self.channel.answered.set()
                if self.channel.direction == "in":
                    self.line._on_confirmed(self)
            if ci.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                self.line._on_disconnected(self, ci.lastReason)

        def onCallMediaState(self, prm: Any) -> None:
            ci = self.getInfo()
            for i, mi in enumerate(ci.media):
                if mi.type == pj.PJMEDIA_TYPE_AUDIO and mi.status == pj.PJSUA_CALL_MEDIA_ACTIVE:
                    self.line._connect_media(self, i)

        def onDtmfDigit(self, prm: Any) -> None:
            if self.channel:
                self.channel.push_dtmf(prm.digit, "rfc4733")

    class _Account(pj.Account):
        def __init__(self, line: SipLine, inbound: bool):
            super().__init__()
            self.line = line
            self.inbound = inbound

        def onIncomingCall(self, prm: Any) -> None:
            self.line._on_incoming(self, prm.callId, prm.rdata.srcAddress, prm.rdata.wholeMsg)


class SipLine:
    """The hotline's SIP endpoint: answers on ``user@bind:port``, dials from ``out_user``."""

    def __init__(self, config: SipConfig | None = None):
        if pj is None:
            raise RuntimeError("pjsua2 is not installed (pip install pjsua2-python)")
        self.config = config or SipConfig()
        self._cmds: queue.Queue[tuple[Callable[..., Any], tuple, concurrent.futures.Future]] = (
            queue.Queue()
        )
        self._thread: threading.Thread | None = None
        self._running = threading.Event()
        self._ready = threading.Event()
        self._on_call: Callable[[Channel], None] | None = None
        self._calls: dict[int, Any] = {}
        self._ids = itertools.count(1)
        self._start_error: BaseException | None = None
        self._dead_ports: list[Any] = []
        self.ep: Any = None
        self.guard = Guard(self.config.guard)
        self.rejected: list[tuple[int, str]] = []
        """(status code, source address) of INVITEs refused or dropped (status, tests)."""
        self._log_writer: Any = None

    # ---- public ------------------------------------------------------------
    def start(self, on_call: Callable[[Channel], None]) -> None:
        self._on_call = on_call
        self._running.set()
        self._thread = threading.Thread(target=self._loop, name="sip-events", daemon=True)
        self._thread.start()
        self._ready.wait(10)
        if self._start_error:
            err = self._start_error
            detail = str(err) or getattr(err, "reason", "") or type(err).__name__
            raise RuntimeError(
                f"SIP start failed on {self.config.bind}:{self.config.port}: {detail}"
            ) from err

    def set_handler(self, on_call: Callable[[Channel], None]) -> None:
        """Replace the inbound call handler of a running line."""
        self._on_call = on_call

    def place(self, uri: str) -> SipChannel:
        """Start a call to ``uri`` from the outbound account; returns while it rings."""
        return self._submit(self._make_call, uri).result(5)

    def bridge(self, a: Channel, b: Channel) -> bool:
        """Connect two answered calls' audio both ways (a transfer put through, T3)."""
        return bool(self._submit(self._bridge, a, b).result(5))

    def dial(self, uri: str, timeout: float = 30.0) -> Channel | None:
        """Call ``uri`` from the outbound account; the channel once answered, else None."""
        channel = self.place(uri)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if channel.connected.wait(0.05):
                return channel
            if channel.hung_up:
                return None
        channel.hangup()
        return None

    def stop(self) -> None:
        if not self._thread:
            return
        self._running.clear()
        self._thread.join(10)
        self._thread = None

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    # ---- event thread ------------------------------------------------------------
    def _submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future:
        fut: concurrent.futures.Future = concurrent.futures.Future()
        if threading.current_thread() is self._thread:
            try:
                fut.set_result(fn(*args))
            except BaseException as exc:  # noqa: BLE001
                fut.set_exception(exc)
        else:
            self._cmds.put((fn, args, fut))
        return fut

    def _loop(self) -> None:
        try:
            self._init()
        except BaseException as exc:  # noqa: BLE001
            log.exception("SIP init failed")
            self._start_error = exc
            # destroy the library on this (registered) thread: left to the garbage
            # collector elsewhere, pjlib aborts the process ("unknown/external thread")
            if self.ep is not None:
                try:
                    self.ep.libDestroy()
                except Exception:  # noqa: BLE001
                    log.debug("libDestroy after a failed start failed", exc_info=True)
                self.ep = None
            self._ready.set()
            return
        self._ready.set()
        try:
            while self._running.is_set():
                # poll without blocking, then sleep in Python: a blocking libHandleEvents
                # would hold the GIL and delay the media clock's frame callbacks
                if self.ep.libHandleEvents(0) <= 0:
                    time.sleep(0.01)
                for call_id, source in self.guard.expired():
                    self._drop_unacknowledged(call_id, source)
                while True:
                    try:
                        fn, args, fut = self._cmds.get_nowait()
                    except queue.Empty:
                        break
                    try:
                        fut.set_result(fn(*args))
                    except BaseException as exc:  # noqa: BLE001
                        fut.set_exception(exc)
        finally:
            self._shutdown()

    def _transport(self, port: int) -> None:
        c = self.config
        tcfg = pj.TransportConfig()
        tcfg.port = port
        tcfg.boundAddress = c.bind
        tcfg.publicAddress = c.public or c.bind
        return self.ep.transportCreate(pj.PJSIP_TRANSPORT_UDP, tcfg)

    def _account(self, user: str, port: int, transport_id: int, inbound: bool) -> Any:
        c = self.config
        acfg = pj.AccountConfig()
        acfg.idUri = f"sip:{user}@{c.public or c.bind}:{port}"
        acfg.sipConfig.transportId = transport_id
        acfg.mediaConfig.transportConfig.boundAddress = c.bind
        acfg.mediaConfig.transportConfig.publicAddress = c.public or c.bind
        acfg.mediaConfig.transportConfig.port = c.rtp_port + (0 if inbound else 1000)
        acfg.mediaConfig.transportConfig.portRange = 1000
        acc = _Account(self, inbound)
        acc.create(acfg)
        return acc

    def _init(self) -> None:
        c = self.config
        self.ep = pj.Endpoint()
        self.ep.libCreate()
        cfg = pj.EpConfig()
        cfg.uaConfig.threadCnt = 0
        cfg.uaConfig.mainThreadOnly = False
        cfg.uaConfig.maxCalls = self.config.max_calls
        cfg.logConfig.level = c.log_level
        cfg.logConfig.consoleLevel = c.log_level
        self._log_writer = pj_log_writer()  # X1: through the masking logger, never stderr
        cfg.logConfig.writer = self._log_writer
        cfg.logConfig.decor = pj.PJ_LOG_HAS_SENDER | pj.PJ_LOG_HAS_INDENT
        cfg.medConfig.clockRate = SAMPLE_RATE
        cfg.medConfig.sndClockRate = SAMPLE_RATE
        cfg.medConfig.audioFramePtime = 20
        cfg.medConfig.ptime = 20
        cfg.medConfig.noVad = True
        cfg.medConfig.ecTailLen = 0
        cfg.medConfig.quality = 4
        cfg.medConfig.threadCnt = 1
        self.ep.libInit(cfg)
        tin = self._transport(c.port)
        tout = self._transport(c.out_port or c.port + 2)
        self.ep.audDevManager().setNullDev()
        self.ep.libStart()
        for codec in self.ep.codecEnum2():
            cid = codec.codecId
            prio = {"PCMU/8000/1": 255, "PCMA/8000/1": 254}.get(cid, 0)
            self.ep.codecSetPriority(cid, prio)
        self.acc_in = self._account(c.user, c.port, tin, True)
        self.acc_out = self._account(c.out_user, c.out_port or c.port + 2, tout, False)
        log.info("SIP line up: sip:%s@%s:%d (outbound as %s)", c.user, c.bind, c.port, c.out_user)

    def _shutdown(self) -> None:
        try:
            self.ep.hangupAllCalls()
            for _ in range(20):
                self.ep.libHandleEvents(10)
        except Exception:  # noqa: BLE001
            log.debug("hangup at shutdown failed", exc_info=True)
        for call in list(self._calls.values()):
            if call.channel is not None:
                call.channel.port = None
        self._calls.clear()
        self._dead_ports.clear()  # remove our ports while the conference bridge still exists
        self.acc_in = self.acc_out = None
        try:
            self.ep.libDestroy()
        except Exception:  # noqa: BLE001
            log.debug("libDestroy failed", exc_info=True)
        self.ep = None

    def _on_incoming(self, acc: Any, call_id: int, src: str = "", msg: str = "") -> None:
        call = _Call(self, acc, call_id)
        ci = call.getInfo()
        inbound = sum(1 for c in self._calls.values() if c.channel and c.channel.direction == "in")
        verdict = self.guard.decide(src, msg, inbound)
        if verdict.code != 200:
            self._refuse(call, call_id, verdict.code, verdict.source, verdict.reason, ci.remoteUri)
            return
        channel = SipChannel(
            self,
            call,
            f"sip-{next(self._ids)}",
            _caller_number(ci.remoteUri),
            _caller_number(ci.localUri),
            "in",
        )
        call.channel = channel
        channel.source = verdict.source
        self._calls[call_id] = call
        prm = pj.CallOpParam()
        prm.statusCode = 200
        call.answer(prm)
        self.guard.answered(call_id, verdict.source)

    def _on_confirmed(self, call: Any) -> None:
        """The caller's ACK arrived: only now is it a call (junk never reaches the flows)."""
        channel = call.channel
        self.guard.confirmed(call.getId())
        if channel is None or channel.flow_started:
            return
        channel.flow_started = True
        channel.push_event(CallStarted(channel.call_id, channel.caller, channel.callee, "in"))
        if self._on_call:
            threading.Thread(
                target=self._run_call, args=(channel,), name=channel.call_id, daemon=True
            ).start()

    def _refuse(
        self, call: Any, call_id: int, code: int, source: str, reason: str, remote: str
    ) -> None:
        log.warning(
            "INVITE from %s (%s) refused with %d: %s", source, mask_uri(remote), code, reason
        )
        self.rejected.append((code, source))
        del self.rejected[:-256]
        self._calls[call_id] = call  # until pjsua reports it disconnected
        prm = pj.CallOpParam()
        prm.statusCode = code
        if code == 401:
            from voice.sipguard import challenge

            hdr = pj.SipHeader()
            hdr.hName = "WWW-Authenticate"
            hdr.hValue = challenge(self.guard.cfg)
            prm.txOption.headers.append(hdr)
        try:  # answer(), not hangup(): pjsua keeps answer headers across its async media set-up
            call.answer(prm)
        except Exception:  # noqa: BLE001 - the far end may already be gone
            log.debug("refusing call %d failed", call_id, exc_info=True)

    def _drop_unacknowledged(self, call_id: int, source: str) -> None:
        call = self._calls.get(call_id)
        channel = call.channel if call is not None else None
        if channel is None or channel.flow_started:
            return
        log.warning("call from %s (%s) never acknowledged: dropped, not put on the callback list",
                    source, mask_uri(f"sip:{channel.caller}@"))  # fmt: skip
        self.rejected.append((408, source))
        del self.rejected[:-256]
        self._hangup(channel)
        channel._mark_hung_up("no ACK")

    def _run_call(self, channel: Channel) -> None:
        try:
            assert self._on_call is not None
            self._on_call(channel)
        except Exception:
            log.exception("call %s failed", channel.call_id)
        finally:
            channel.hangup()

    def _make_call(self, uri: str) -> SipChannel:
        call = _Call(self, self.acc_out)
        number = _caller_number(uri)
        channel = SipChannel(
            self, call, f"sip-{next(self._ids)}", self.config.out_user, number, "out"
        )
        call.channel = channel
        prm = pj.CallOpParam(True)
        call.makeCall(uri, prm)
        self._calls[call.getId()] = call
        return channel

    def _connect_media(self, call: Any, index: int) -> None:
        channel = call.channel
        if channel is None or channel.port is not None:
            return
        aud = call.getAudioMedia(index)
        port = _Port(channel)
        fmt = pj.MediaFormatAudio()
        fmt.type = pj.PJMEDIA_TYPE_AUDIO
        fmt.clockRate = SAMPLE_RATE
        fmt.channelCount = 1
        fmt.bitsPerSample = 16
        fmt.frameTimeUsec = 20000
        port.createPort(channel.call_id, fmt)
        aud.startTransmit(port)
        port.startTransmit(aud)
        channel.port = port
        channel.media_index = index
        if channel.direction == "out":
            channel.connected.set()

    def _hangup(self, channel: SipChannel) -> None:
        call = channel._call
        if call is None:
            return
        try:
            prm = pj.CallOpParam()
            prm.statusCode = 200
            call.hangup(prm)
        except Exception:  # noqa: BLE001 - already disconnected
            log.debug("hangup of %s failed", channel.call_id, exc_info=True)

    def _bridge(self, a: Channel, b: Channel) -> bool:
        media = []
        for ch in (a, b):
            call = getattr(ch, "_call", None)
            if call is None or getattr(ch, "media_index", -1) < 0:
                return False
            media.append(call.getAudioMedia(ch.media_index))
        media[0].startTransmit(media[1])
        media[1].startTransmit(media[0])
        return True

    def _on_disconnected(self, call: Any, reason: str) -> None:
        channel = call.channel
        # Drop every Python reference now: a late delete would hang up whichever
        # call pjsua puts in this slot next (seen on these machines).
        for key, value in list(self._calls.items()):
            if value is call:
                del self._calls[key]
        if channel is not None:
            channel._call = None
            channel.push_event(HungUp(reason or "disconnected"))
            # keep the port alive a while: the conference clock may still be calling it
            self._dead_ports.append(channel.port)
            del self._dead_ports[:-64]
            channel.port = None
        call.channel = None
