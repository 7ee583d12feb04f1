"""Voice guidance: each screen's prompt rendered once by speech.tts (never say()) and played with aplay."""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from speech.tts import MANDARIN, Tts, TtsError

log = logging.getLogger(__name__)


class VoiceGuide:
    """Renders prompts once into a cache folder and plays the file on a worker thread."""

    def __init__(self, cache: Path | None = None) -> None:
        self.tts = Tts(
            cache or Path(tempfile.gettempdir()) / "reception-voice", MANDARIN, sample_rate=None
        )
        self.player = shutil.which("paplay") or shutil.which("aplay")
        self._lock = threading.Lock()

    def render(self, text: str) -> Path | None:
        """The prompt's WAV (rendered on the first call, then cached); None if no engine works."""
        try:
            return self.tts.render(text)
        except TtsError:
            log.warning("voice prompt not rendered: neither pyttsx3 nor espeak-ng worked")
            return None

    def say(self, text: str) -> None:
        threading.Thread(target=self._play, args=(text,), daemon=True).start()

    def _play(self, text: str) -> None:
        with self._lock:
            path = self.render(text)
            if path and self.player:
                subprocess.run(
                    [self.player, str(path)], capture_output=True, timeout=30, check=False
                )
