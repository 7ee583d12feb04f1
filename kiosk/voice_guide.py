"""Voice guidance: each screen's prompt rendered to a WAV by pyttsx3 (never say()) and played with aplay."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

log = logging.getLogger(__name__)


class VoiceGuide:
    """Renders prompts once into a cache folder and plays the file on a worker thread."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache or Path(tempfile.gettempdir()) / "reception-voice"
        self.cache.mkdir(parents=True, exist_ok=True)
        self.player = shutil.which("paplay") or shutil.which("aplay")
        self._lock = threading.Lock()

    def _render(self, text: str) -> Path | None:
        path = self.cache / (hashlib.sha1(text.encode()).hexdigest()[:16] + ".wav")
        if path.exists():
            return path
        try:
            import pyttsx3

            engine = pyttsx3.init()
            for voice in engine.getProperty("voices"):
                if "zh" in (voice.id or "").lower() or "chinese" in (voice.name or "").lower():
                    engine.setProperty("voice", voice.id)
                    break
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        except Exception:
            log.exception("voice prompt not rendered")
            return None
        return path if path.exists() else None

    def say(self, text: str) -> None:
        threading.Thread(target=self._play, args=(text,), daemon=True).start()

    def _play(self, text: str) -> None:
        with self._lock:
            path = self._render(text)
            if path and self.player:
                subprocess.run(
                    [self.player, str(path)], capture_output=True, timeout=30, check=False
                )
