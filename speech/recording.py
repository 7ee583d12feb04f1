"""Recording from the microphone with sounddevice into 16 kHz mono WAV files."""

from __future__ import annotations

import logging
import queue
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from speech.audio import write_wav

log = logging.getLogger(__name__)

RATE = 16000
"""Microphone rate: what the Vosk models want, so no resampling before transcription."""


class RecorderUnavailable(RuntimeError):
    """No audio input (no device, no PortAudio)."""


def available() -> bool:
    """A microphone can be opened here: PortAudio is installed and has an input device.

    Screens offer a spoken note only when this is true (no button that cannot work)."""
    try:
        import sounddevice as sd

        device = sd.query_devices(kind="input")
    except Exception as exc:  # OSError (no PortAudio), PortAudioError (no input device)
        log.debug("no audio input: %s", exc)
        return False
    return bool(device) and int(device.get("max_input_channels", 0)) > 0


class Recorder:
    """Records 16 kHz mono into ``<folder>/<prefix>-<time>.wav`` until stopped."""

    def __init__(self, folder: Path, max_seconds: int, prefix: str = "note") -> None:
        self.folder = Path(folder)
        self.max_seconds = max_seconds
        self.prefix = prefix
        self.frames: queue.Queue[bytes] = queue.Queue()
        self.stream: Any = None

    def start(self) -> None:
        """Open the default input and start queueing its audio (RecorderUnavailable if none)."""
        try:
            import sounddevice as sd

            self.stream = sd.RawInputStream(
                samplerate=RATE,
                channels=1,
                dtype="int16",
                callback=lambda data, *_: self.frames.put(bytes(data)),
            )
            self.stream.start()
        except Exception as exc:  # OSError, PortAudioError: no microphone here
            self.stream = None
            raise RecorderUnavailable(str(exc)) from exc

    def stop(self) -> Path | None:
        """Close the input and save what was said (at most ``max_seconds``); None if nothing."""
        if self.stream is None:
            return None
        self.stream.stop()
        self.stream.close()
        self.stream = None
        return self.save(self.drain())

    def drain(self) -> bytes:
        data = b""
        while not self.frames.empty():
            data += self.frames.get()
        return data[: RATE * 2 * self.max_seconds]

    def save(self, data: bytes) -> Path | None:
        """Write 16-bit samples to a new WAV in ``folder`` (None for no audio)."""
        if not data:
            return None
        path = self.folder / f"{self.prefix}-{datetime.now():%Y%m%d-%H%M%S}.wav"
        write_wav(path, np.frombuffer(data, dtype=np.int16), RATE)
        log.info("recording saved: %s (%.1f s)", path, len(data) / RATE / 2)
        return path

    def cancel(self) -> None:
        """Stop without saving."""
        if self.stream is not None:
            self.stream.abort()
            self.stream.close()
            self.stream = None
