"""Voice guidance: each screen's prompt rendered to a WAV by pyttsx3 (never say()) and played with aplay."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MANDARIN = "cmn-latn-pinyin"
"""espeak-ng 1.51+ voice that reads Chinese as Mandarin (its plain ``cmn`` reads the pinyin
as English: 您好 -> "nin two hao three")."""


def mandarin_voice_id(voices: Iterable[Any]) -> str | None:
    """The best Mandarin voice among pyttsx3's voices: pinyin-reading cmn, then cmn, then zh."""
    ids = [v.id or "" for v in voices]
    for wanted in (MANDARIN, "cmn", "zh"):
        for voice_id in ids:
            if voice_id.lower().rsplit("/", 1)[-1] == wanted:
                return voice_id
    return None


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
            voice_id = mandarin_voice_id(engine.getProperty("voices"))
            if voice_id:
                engine.setProperty("voice", voice_id)
            engine.save_to_file(text, str(path))
            engine.runAndWait()
        except Exception:
            log.exception("pyttsx3 did not render the prompt; trying espeak-ng")
        # pyttsx3 2.99 may return from runAndWait() before the file is written.
        deadline = time.monotonic() + 3.0
        while not (path.exists() and path.stat().st_size > 44) and time.monotonic() < deadline:
            time.sleep(0.05)
        if path.exists() and path.stat().st_size > 44:
            return path
        return self._render_espeak(text, path)

    @staticmethod
    def _render_espeak(text: str, path: Path) -> Path | None:
        espeak = shutil.which("espeak-ng")
        if not espeak:
            log.warning("voice prompt not rendered: neither pyttsx3 nor espeak-ng worked")
            return None
        tmp = path.with_suffix(".tmp.wav")
        done = subprocess.run([espeak, "-v", MANDARIN, "-w", str(tmp), text],
                              capture_output=True, timeout=30, check=False)  # fmt: skip
        if done.returncode != 0:  # an older espeak-ng without the pinyin voice
            done = subprocess.run([espeak, "-v", "cmn", "-w", str(tmp), text],
                                  capture_output=True, timeout=30, check=False)  # fmt: skip
        if done.returncode != 0 or not tmp.exists():
            log.warning("espeak-ng failed: %s", done.stderr.decode(errors="replace")[:200])
            return None
        tmp.replace(path)
        return path

    def say(self, text: str) -> None:
        threading.Thread(target=self._play, args=(text,), daemon=True).start()

    def _play(self, text: str) -> None:
        with self._lock:
            path = self._render(text)
            if path and self.player:
                subprocess.run(
                    [self.player, str(path)], capture_output=True, timeout=30, check=False
                )
