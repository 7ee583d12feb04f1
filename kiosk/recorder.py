"""Spoken notes for repair requests: the speech recorder and transcriber, set up from the kiosk's settings."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from speech import recording
from speech.asr import transcriber_for
from speech.recording import RecorderUnavailable

log = logging.getLogger(__name__)

__all__ = ["Recorder", "RecorderUnavailable", "transcribe"]

TRANSCRIBE_WAIT_S = 20.0
"""How long a submit waits for a transcript still being made (the audio is kept anyway)."""


class Recorder(recording.Recorder):
    """Records into ``<data_dir>/audio/kiosk-<time>.wav``; with a speech model set, loads it
    while the person speaks and transcribes the note on a worker thread once it stops."""

    def __init__(self, settings: Any) -> None:
        super().__init__(
            Path(settings.store.data_dir) / "audio", settings.kiosk.record_seconds, "kiosk"
        )
        self.transcriber = transcriber_for(settings.kiosk.speech_model)

    def start(self) -> None:
        super().start()
        if self.transcriber is not None:
            self.transcriber.preload()

    def stop(self) -> Path | None:
        path = super().stop()
        if path is not None and self.transcriber is not None:
            self.transcriber.submit(path)
        return path


def transcribe(path: str, model_dir: str) -> str:
    """Text of a spoken note, or "" when no speech model is installed."""
    transcriber = transcriber_for(model_dir)
    if transcriber is None:
        return ""
    return transcriber.result(Path(path), TRANSCRIBE_WAIT_S)
