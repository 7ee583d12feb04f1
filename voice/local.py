"""Local audio line: a headset at the desk through sounddevice (staff practice, demos).

sounddevice (PortAudio) is imported only when the line starts, so machines without
an audio device or PortAudio can import the voice package and run everything else.
Keys come from the terminal (type 0-9, *, #; q hangs up).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable

from voice.events import FRAME_SAMPLES, SAMPLE_RATE, CallStarted, HungUp
from voice.line import Channel

log = logging.getLogger(__name__)


class LocalAudioUnavailable(RuntimeError):
    """No PortAudio / no sound device: say so instead of crashing."""


def check_device(device: str = "") -> str:
    """A one-line description of the audio device, or raise LocalAudioUnavailable."""
    try:
        import sounddevice as sd
    except (ImportError, OSError) as exc:
        raise LocalAudioUnavailable(f"sounddevice/PortAudio not available: {exc}") from exc
    try:
        info = sd.query_devices(device or None, "input")
        sd.query_devices(device or None, "output")
    except Exception as exc:  # noqa: BLE001 - PortAudio raises various errors
        raise LocalAudioUnavailable(f"no usable audio device: {exc}") from exc
    return str(info.get("name", device or "default"))


class LocalChannel(Channel):
    pass


class LocalLine:
    """One call at a time on the local sound device; the call starts at once."""

    def __init__(self, device: str = "", caller: str = "local"):
        self.device = device
        self.caller = caller
        self._stream = None
        self._channel: LocalChannel | None = None
        self._thread: threading.Thread | None = None

    def start(self, on_call: Callable[[Channel], None]) -> None:
        check_device(self.device)
        import sounddevice as sd

        ch = LocalChannel("local-1", self.caller, "ivr")
        self._channel = ch

        def callback(indata, outdata, frames, time_info, status) -> None:  # noqa: ANN001
            if status:
                ch.late_frames += 1
            ch.push_audio(indata[:, 0].copy())
            outdata[:, 0] = ch.pull_audio(frames)

        self._stream = sd.Stream(
            samplerate=SAMPLE_RATE,
            blocksize=FRAME_SAMPLES,
            channels=1,
            dtype="int16",
            device=self.device or None,
            callback=callback,
        )
        self._stream.start()
        ch.push_event(CallStarted(ch.call_id, ch.caller, ch.callee))
        self._thread = threading.Thread(target=on_call, args=(ch,), name="local-call", daemon=True)
        self._thread.start()
        threading.Thread(target=self._keys, daemon=True).start()

    def _keys(self) -> None:
        ch = self._channel
        assert ch is not None
        for line in sys.stdin:
            for c in line.strip():
                if c in "0123456789*#":
                    ch.push_dtmf(c, "keyboard")
                elif c in "qQ":
                    ch.push_event(HungUp("local"))
                    return

    def wait(self) -> None:
        if self._thread:
            self._thread.join()

    def dial(self, uri: str, timeout: float = 30.0) -> Channel | None:
        log.info("local line cannot dial %s", uri)
        return None

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None
