"""Voice guidance: each screen's prompt rendered ahead of time by speech.tts, played through an audio output."""

from __future__ import annotations

import logging
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from speech.playback import AudioOutput, output_for
from speech.tts import MANDARIN, Tts, TtsError

log = logging.getLogger(__name__)

RATE = 16000
"""Loudspeaker prompts are cached at 16 kHz (clear speech; one rate for every output)."""
VOICES = {"zh": MANDARIN, "en": "en"}


class VoiceGuide:
    """Prompts are rendered on a background thread (``preload``) and kept in memory, so a
    screen's prompt starts as soon as the screen shows; ``stop`` cuts it off (screen change)."""

    def __init__(self, cache: Path | None = None, output: AudioOutput | str = "") -> None:
        self.tts = Tts(
            cache or Path(tempfile.gettempdir()) / "reception-voice", MANDARIN, sample_rate=RATE
        )
        self.output: AudioOutput = output_for(output) if isinstance(output, str) else output
        self._lock = threading.Lock()
        self._wanted = 0
        """Incremented by every say/stop: a prompt rendered late is played only if still wanted."""
        self.enabled = True
        """False while guidance is off (长辈模式 left): ``say`` is then silent for every caller."""

    def render(self, text: str, lang: str = "zh") -> Path | None:
        """The prompt's WAV (rendered on the first call, then cached); None if no engine works."""
        try:
            return self.tts.render(text, VOICES.get(lang, MANDARIN))
        except TtsError:
            log.warning("voice prompt not rendered: neither pyttsx3 nor espeak-ng worked")
            return None

    def pcm(self, text: str, lang: str = "zh") -> np.ndarray | None:
        try:
            return self.tts.get(text, trim_silence=True, voice=VOICES.get(lang, MANDARIN))
        except TtsError:
            log.warning("voice prompt not rendered: %r", text[:20])
            return None

    def ready(self, text: str, lang: str = "zh") -> bool:
        key = self.tts.key(text, VOICES.get(lang, MANDARIN)) + ":t"
        return key in self.tts._mem

    def preload(self, texts: Iterable[tuple[str, str]]) -> threading.Thread:
        """Render (text, lang) pairs on a background thread, into memory."""
        items = list(dict.fromkeys(texts))

        def work() -> None:
            for text, lang in items:
                self.pcm(text, lang)

        thread = threading.Thread(target=work, daemon=True, name="voice-preload")
        thread.start()
        return thread

    def say(self, text: str, lang: str = "zh") -> None:
        """Play ``text`` now (cutting off the prompt playing); rendered first if not cached."""
        with self._lock:
            self._wanted += 1
            ticket = self._wanted
        self.output.stop()
        if not text or not self.enabled:
            return
        if self.ready(text, lang):
            self._play(ticket, self.pcm(text, lang))
            return

        def late() -> None:
            self._play(ticket, self.pcm(text, lang))

        threading.Thread(target=late, daemon=True).start()

    def _play(self, ticket: int, pcm: np.ndarray | None) -> None:
        with self._lock:
            if ticket != self._wanted or pcm is None or not len(pcm):
                return
            self.output.play(pcm, RATE)

    def stop(self) -> None:
        with self._lock:
            self._wanted += 1
        self.output.stop()
