"""Text to speech: pyttsx3 on espeak-ng (fallback ``espeak-ng -w``), cached 8 kHz WAVs."""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import shutil
import subprocess
import threading
import time
from pathlib import Path

import numpy as np

from voice.audio import read_wav, resample, trim, write_wav
from voice.events import SAMPLE_RATE

log = logging.getLogger(__name__)


class TtsError(RuntimeError):
    """No engine could render the text."""


def _render_pyttsx3(text: str, voice: str, rate_wpm: int, path: Path) -> bool:
    """One prompt per run: wait for the finished event and a complete file.

    pyttsx3 2.99 returns from runAndWait() before save_to_file has written the file
    and keeps only the last of several queued files, so never queue two.
    """
    try:
        import pyttsx3
    except ImportError:
        return False
    done = threading.Event()
    # the espeak driver prints "Audio saved to ..." from its callback, also after
    # runAndWait() has returned: keep stdout quiet until the file is complete
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            engine = pyttsx3.init("espeak")
            engine.setProperty("voice", voice)
            engine.setProperty("rate", rate_wpm)
            token = engine.connect("finished-utterance", lambda name, completed: done.set())
            engine.save_to_file(text, str(path))
            engine.runAndWait()
            engine.disconnect(token)
        except Exception:  # noqa: BLE001 - any driver failure means: fall back
            log.debug("pyttsx3 failed for %r", text, exc_info=True)
            return False
        return _wait_complete(path, done)


def _wait_complete(path: Path, done: threading.Event) -> bool:
    """runAndWait() may return before the file is written and the finished event does
    not always come: accept the file once it has stopped growing (after the event,
    or after 4 polls without it)."""
    last, same = -1, 0
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else 0
        same = same + 1 if size > 44 and size == last else 0
        if same >= (1 if done.is_set() else 4):
            return True
        last = size
        time.sleep(0.05)
    return False


def _render_espeak(text: str, voice: str, rate_wpm: int, path: Path) -> bool:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        return False
    res = subprocess.run(
        [exe, "-v", voice, "-s", str(rate_wpm), "-w", str(path), text],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return res.returncode == 0 and path.exists() and path.stat().st_size > 44


class Tts:
    """Renders text once per (text, voice, rate); later calls read the 8 kHz cache."""

    def __init__(
        self, cache_dir: Path, voice: str = "cmn", rate_wpm: int = 150, engine: str = "auto"
    ):
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.voice = voice
        self.rate_wpm = rate_wpm
        self.engine = engine
        """auto (pyttsx3, then espeak-ng), pyttsx3 or espeak."""
        self._mem: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.renders = 0
        """Number of syntheses made (cache misses), for tests and logs."""

    def key(self, text: str) -> str:
        raw = f"{self.voice}|{self.rate_wpm}|{text}".encode()
        return hashlib.sha256(raw).hexdigest()[:24]

    def path(self, text: str) -> Path:
        return self.cache_dir / f"{self.key(text)}.wav"

    def cached(self, text: str) -> bool:
        return self.key(text) in self._mem or self.path(text).exists()

    def get(self, text: str, trim_silence: bool = False) -> np.ndarray:
        """8 kHz int16 audio of ``text``, synthesising it on a cache miss."""
        k = self.key(text) + (":t" if trim_silence else "")
        pcm = self._mem.get(k)
        if pcm is not None:
            return pcm
        with self._lock:
            path = self.path(text)
            if not path.exists():
                self._synthesise(text, path)
            pcm, rate = read_wav(path)
        if rate != SAMPLE_RATE:  # a cache file written by an older version
            pcm = resample(pcm, rate, SAMPLE_RATE)
        if trim_silence:
            pcm = trim(pcm)
        self._mem[k] = pcm
        return pcm

    def warm(self, texts: list[str] | set[str], trim_silence: bool = False) -> int:
        """Render every text not yet cached; returns how many were rendered."""
        before = self.renders
        for t in sorted(set(texts)):
            self.get(t, trim_silence)
        return self.renders - before

    def _synthesise(self, text: str, path: Path) -> None:
        raw = path.with_suffix(".raw.wav")
        raw.unlink(missing_ok=True)
        ok = False
        if self.engine in ("auto", "pyttsx3"):
            ok = _render_pyttsx3(text, self.voice, self.rate_wpm, raw)
            if not ok:
                log.info("pyttsx3 gave no file for %r, using espeak-ng -w", text[:20])
                raw.unlink(missing_ok=True)
        if not ok and self.engine in ("auto", "espeak"):
            ok = _render_espeak(text, self.voice, self.rate_wpm, raw)
        if not ok:
            raise TtsError(f"no TTS engine could render {text!r}")
        pcm, rate = read_wav(raw)
        write_wav(path, resample(pcm, rate, SAMPLE_RATE), SAMPLE_RATE)
        raw.unlink(missing_ok=True)
        self.renders += 1
        log.debug("rendered %r (%d samples at %d Hz)", text[:20], len(pcm), rate)
