"""Putting a caller through to a person (T3): ring the phone, bridge when it answers, else back."""

from __future__ import annotations

import logging
import time
from typing import Protocol

import numpy as np

from voice.events import SAMPLE_RATE
from voice.line import Channel

log = logging.getLogger(__name__)

RINGBACK_HZ = 450.0
RINGBACK_ON_S, RINGBACK_OFF_S = 1.0, 4.0
"""China's ring-back tone, 450 Hz 1 s on / 4 s off (ITU-T E.180 Suppl. 2, China's
entry), so the caller knows the phone is ringing."""


class BridgingLine(Protocol):
    """A line that can call a phone and join two calls' audio (voice.sip.SipLine)."""

    def place(self, uri: str) -> Channel: ...

    def bridge(self, a: Channel, b: Channel) -> bool: ...


def ringback(seconds: float, level: float = 4000) -> np.ndarray:
    """``seconds`` of ring-back tone (int16, 8 kHz), starting with a ring."""
    n = int(SAMPLE_RATE * seconds)
    t = np.arange(n) / SAMPLE_RATE
    on = (t % (RINGBACK_ON_S + RINGBACK_OFF_S)) < RINGBACK_ON_S
    return (level * np.sin(2 * np.pi * RINGBACK_HZ * t) * on).astype(np.int16)


def put_through(
    line: BridgingLine, caller: Channel, uri: str, answer_s: float, poll_s: float = 0.05
) -> bool:
    """Ring ``uri`` for up to ``answer_s`` while the caller hears ring-back. Answered: the two
    calls are bridged until either side hangs up, then both are ended; True. Not answered
    (or the caller hung up): the phone's call is cancelled and the caller is still on the
    line with the flow; False. Only an answered phone counts as a transfer."""
    caller.play(ringback(answer_s))
    try:
        leg = line.place(uri)
    except Exception:  # noqa: BLE001 - a bad URI or a full line: the caller is not put through
        log.exception("could not ring %s", uri.split("@")[-1])
        caller.stop_playback()
        return False
    answered = getattr(leg, "answered", None)
    deadline = time.monotonic() + answer_s
    ok = False
    while time.monotonic() < deadline and not (leg.hung_up or caller.hung_up):
        if answered is not None and answered.wait(poll_s):
            ok = True
            break
    caller.stop_playback()
    if not ok or caller.hung_up or not line.bridge(caller, leg):
        log.info("transfer of %s: not answered in %.0f s", caller.call_id, answer_s)
        leg.hangup()
        return False
    log.info("transfer of %s: answered, put through", caller.call_id)
    while not (caller.hung_up or leg.hung_up):
        time.sleep(poll_s * 2)
    leg.hangup()
    caller.hangup()
    return True
