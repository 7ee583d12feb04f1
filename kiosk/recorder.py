"""Spoken notes for repair requests: recorded with sounddevice, transcribed by Vosk when a model is set."""

from __future__ import annotations

import logging
import os
import queue
import wave
from datetime import datetime
from pathlib import Path
from typing import Any

from desk.fileio import private_dir

log = logging.getLogger(__name__)

RATE = 16000


class RecorderUnavailable(RuntimeError):
    """No audio input (no device, no PortAudio)."""


class Recorder:
    """Records 16 kHz mono into ``<data_dir>/audio/kiosk-<time>.wav`` until stopped."""

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.frames: queue.Queue[bytes] = queue.Queue()
        self.stream = None
        self.max_seconds = settings.kiosk.record_seconds

    def start(self) -> None:
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
            raise RecorderUnavailable(str(exc)) from exc

    def stop(self) -> Path | None:
        if self.stream is None:
            return None
        self.stream.stop()
        self.stream.close()
        self.stream = None
        data = b""
        while not self.frames.empty():
            data += self.frames.get()
        data = data[: RATE * 2 * self.max_seconds]
        if not data:
            return None
        folder = private_dir(Path(self.settings.store.data_dir) / "audio")
        path = folder / f"kiosk-{datetime.now():%Y%m%d-%H%M%S}.wav"
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        os.chmod(path, 0o600)  # a spoken note is personal data (X1): 0600 like every data file
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(data)
        log.info("spoken note saved: %s (%.1f s)", path, len(data) / RATE / 2)
        return path

    def cancel(self) -> None:
        if self.stream is not None:
            self.stream.abort()
            self.stream.close()
            self.stream = None


def transcribe(path: str, model_dir: str) -> str:
    """Text of a spoken note, or "" when no speech model is installed."""
    if not model_dir or not Path(model_dir).is_dir():
        return ""
    try:
        import json

        from vosk import KaldiRecognizer, Model

        recognizer = KaldiRecognizer(Model(model_dir), RATE)
        with wave.open(path, "rb") as wav:
            while chunk := wav.readframes(4000):
                recognizer.AcceptWaveform(chunk)
        return json.loads(recognizer.FinalResult()).get("text", "").replace(" ", "")
    except Exception:
        log.exception("transcription failed for %s", path)
        return ""
