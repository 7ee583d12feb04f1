"""The line interface: one call's audio in and out, keys, caller ID and hang-up.

A backend (SIP, local sound device, a fake for tests) subclasses ``Channel`` and
calls ``push_audio`` with what it hears, ``pull_audio`` for what it must send,
``push_dtmf`` for out-of-band digits and ``push_event(HungUp())``. The dialog code
only sees typed events from ``next_event`` and calls ``play``/``record``/``hangup``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

import numpy as np

from speech.audio import SPEECH_RMS, rms
from voice.dtmf import DtmfDetector
from voice.events import (
    FRAME_SAMPLES,
    SAMPLE_RATE,
    Dtmf,
    Event,
    HungUp,
    PlaybackDone,
    SilenceAfterSpeech,
)

log = logging.getLogger(__name__)

AudioTap = Callable[[np.ndarray], None]


class Channel:
    """One call, backend-neutral: thread-safe queues between the backend and the dialog."""

    def __init__(self, call_id: str, caller: str = "", callee: str = "", direction: str = "in"):
        self.call_id = call_id
        self.caller = caller
        self.callee = callee
        self.direction = direction
        self.started = time.monotonic()
        self._events: queue.Queue[Event] = queue.Queue()
        self._out: deque[np.ndarray] = deque()
        self._out_lock = threading.Lock()
        self._out_pos = 0
        self._playing = False
        self._detector = DtmfDetector()
        self._rfc_digits = False
        self._last_inband: tuple[str, float] | None = None
        self._recording: list[np.ndarray] | None = None
        self._heard_speech = False
        self._silent_frames = 0
        self.silence_end_s = 2.0
        self._taps: list[AudioTap] = []
        self.hung_up = False
        self.prompt_started_at: float | None = None
        """monotonic time at which the first sample of the latest prompt was sent."""
        self.on_prompt_start: Callable[[float], None] | None = None
        self.late_frames = 0
        """Frames sent a whole frame period (or more) late (benchmark)."""
        self.max_gap = 0.0
        """Longest interval between two frames sent, seconds."""

    # ---- dialog side -------------------------------------------------------
    def next_event(self, timeout: float | None) -> Event | None:
        """The next event, or None when ``timeout`` seconds pass without one."""
        try:
            return self._events.get(timeout=timeout)
        except queue.Empty:
            return None

    def play(self, pcm: np.ndarray) -> None:
        """Queue audio (8 kHz int16) after what is already queued."""
        with self._out_lock:
            if not self._playing:
                self.prompt_started_at = None
            self._out.append(np.asarray(pcm, dtype=np.int16))
            self._playing = True

    def stop_playback(self) -> None:
        """Barge-in: drop queued audio now."""
        with self._out_lock:
            self._out.clear()
            self._out_pos = 0
            self._playing = False

    @property
    def playing(self) -> bool:
        return self._playing

    def start_recording(self) -> None:
        """Start keeping the caller's audio; SilenceAfterSpeech is posted when they stop."""
        self._recording = []
        self._heard_speech = False
        self._silent_frames = 0

    def stop_recording(self) -> np.ndarray:
        parts, self._recording = self._recording or [], None
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int16)

    def add_tap(self, tap: AudioTap) -> None:
        """Also send every inbound frame to ``tap`` (e.g. a speech recogniser queue)."""
        self._taps.append(tap)

    def remove_tap(self, tap: AudioTap) -> None:
        if tap in self._taps:
            self._taps.remove(tap)

    def hangup(self) -> None:
        """End the call (backends override to send BYE)."""
        self._mark_hung_up("local")

    def clear_events(self) -> None:
        while not self._events.empty():
            self._events.get_nowait()

    # ---- backend side -------------------------------------------------------
    def push_event(self, event: Event) -> None:
        if isinstance(event, HungUp):
            if self.hung_up:
                return
            self.hung_up = True
        self._events.put(event)

    def _mark_hung_up(self, reason: str) -> None:
        self.push_event(HungUp(reason))

    def push_dtmf(self, digit: str, source: str = "rfc4733") -> None:
        """An out-of-band digit; in-band detection is then switched off for this call."""
        now = time.monotonic()
        self._rfc_digits = True
        last = self._last_inband
        if last and last[0] == digit and now - last[1] < 0.5:
            return  # the same key already reported from the audio
        self.push_event(Dtmf(digit, source))

    @property
    def wants_audio(self) -> bool:
        """Whether inbound audio is used now: in-band DTMF (until RFC 4733 is seen), a
        recording or a tap. Backends may skip converting frames nobody reads."""
        return not self._rfc_digits or self._recording is not None or bool(self._taps)

    def push_audio(self, pcm: np.ndarray) -> None:
        """Inbound audio from the far end (8 kHz int16), any length."""
        if not self._rfc_digits:
            for digit in self._detector.feed(pcm):
                self._last_inband = (digit, time.monotonic())
                self.push_event(Dtmf(digit, "inband"))
        for tap in list(self._taps):
            tap(pcm)
        if self._recording is not None:
            self._recording.append(pcm.copy())
            if rms(pcm) >= SPEECH_RMS:
                self._heard_speech = True
                self._silent_frames = 0
            else:
                self._silent_frames += len(pcm)
                if self._heard_speech and self._silent_frames >= self.silence_end_s * SAMPLE_RATE:
                    self._heard_speech = False
                    self.push_event(SilenceAfterSpeech())

    def pull_audio(self, n: int = FRAME_SAMPLES) -> np.ndarray:
        """The next ``n`` samples to send; silence when nothing is queued."""
        out = np.zeros(n, dtype=np.int16)
        filled = 0
        done = False
        with self._out_lock:
            while filled < n and self._out:
                head = self._out[0]
                if self.prompt_started_at is None and len(head):
                    self.prompt_started_at = time.monotonic()
                    if self.on_prompt_start:
                        self.on_prompt_start(self.prompt_started_at)
                take = min(n - filled, len(head) - self._out_pos)
                out[filled : filled + take] = head[self._out_pos : self._out_pos + take]
                filled += take
                self._out_pos += take
                if self._out_pos >= len(head):
                    self._out.popleft()
                    self._out_pos = 0
            if self._playing and not self._out:
                self._playing = False
                done = True
        if done:
            self.push_event(PlaybackDone())
        return out


class Line(Protocol):
    """A telephone line backend: answers inbound calls, places outbound ones."""

    def start(self, on_call: Callable[[Channel], None]) -> None:
        """Start; ``on_call`` runs in a thread of its own for every answered inbound call."""

    def dial(self, uri: str, timeout: float = 30.0) -> Channel | None:
        """Place an outbound call; the channel once answered, None if not answered."""

    def stop(self) -> None:
        """Hang up everything and release the backend."""
