"""Text to speech: pyttsx3 on espeak-ng (fallback ``espeak-ng -w``), WAVs cached by text and voice."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import logging
import shutil
import subprocess
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from speech.audio import LINE_RATE, read_wav, resample, trim, write_wav

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
            engine.setProperty("voice", pick_voice(engine.getProperty("voices"), voice) or voice)
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


MANDARIN = "cmn-latn-pinyin"
"""espeak-ng's Mandarin voice. From espeak-ng 1.51 (Debian 12) the plain ``cmn`` voice is
"latin as English": its dictionary turns 汉字 into pinyin with tone digits, which it then
reads as English words ("您好" -> "nin two hao three"). ``cmn-latn-pinyin`` speaks them."""
MANDARIN_NAMES = (MANDARIN, "cmn", "zh")
"""Mandarin voices, best first."""


def pick_voice(voices: Iterable[Any], wanted: str) -> str | None:
    """The id of pyttsx3's voice named ``wanted`` (ids look like ``sit/cmn``); for a
    Mandarin name the best Mandarin voice there is: pinyin-reading cmn, then cmn, then zh."""
    ids = [getattr(v, "id", None) or "" for v in voices]
    names = MANDARIN_NAMES if wanted.lower() in MANDARIN_NAMES else (wanted.lower(),)
    for name in names:
        for voice_id in ids:
            if voice_id.lower().rsplit("/", 1)[-1] == name:
                return voice_id
    return None


def mandarin_voice_id(voices: Iterable[Any]) -> str | None:
    """The best Mandarin voice among pyttsx3's voices (None if it has none)."""
    return pick_voice(voices, MANDARIN)


@functools.cache
def espeak_voices() -> frozenset[str]:
    """Voice names espeak-ng knows (empty when espeak-ng is missing)."""
    exe = shutil.which("espeak-ng")
    if not exe:
        return frozenset()
    try:
        out = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    names = set()
    for line in out.splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 4:
            names.add(cols[1].lower())
            names.add(cols[3].split("/")[-1].lower())
    return frozenset(names)


def resolve_voice(voice: str) -> str:
    """The Mandarin voice this espeak-ng has: ``cmn-latn-pinyin`` where it exists (1.51+,
    where ``cmn`` reads pinyin as English), else ``cmn`` (older espeak-ng, whose ``cmn``
    speaks Chinese)."""
    known = espeak_voices()
    if not known:
        return voice
    if voice.lower() in ("cmn", "zh", MANDARIN) and MANDARIN in known:
        return MANDARIN
    if voice.lower() == MANDARIN and MANDARIN not in known:
        return "cmn"
    return voice


class Tts:
    """Renders text once per (text, voice, rate); later calls read the cache.

    ``sample_rate`` is the rate of the cached files: 8 kHz line audio for the hotline,
    None to keep the engine's own rate (the kiosk's loudspeaker)."""

    def __init__(
        self,
        cache_dir: Path,
        voice: str = MANDARIN,
        rate_wpm: int = 150,
        engine: str = "auto",
        sample_rate: int | None = LINE_RATE,
    ) -> None:
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.voice = resolve_voice(voice)
        if self.voice != voice:
            log.info("TTS voice %s -> %s", voice, self.voice)
        self.rate_wpm = rate_wpm
        self.engine = engine
        """auto (pyttsx3, then espeak-ng), pyttsx3 or espeak."""
        self.sample_rate = sample_rate
        self._mem: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.renders = 0
        """Number of syntheses made (cache misses), for tests and logs."""

    def key(self, text: str, voice: str | None = None) -> str:
        rate = "" if self.sample_rate == LINE_RATE else f"|{self.sample_rate or 'native'}"
        raw = f"{voice or self.voice}|{self.rate_wpm}|{text}{rate}".encode()
        return hashlib.sha256(raw).hexdigest()[:24]

    def path(self, text: str, voice: str | None = None) -> Path:
        return self.cache_dir / f"{self.key(text, voice)}.wav"

    def cached(self, text: str, voice: str | None = None) -> bool:
        return self.key(text, voice) in self._mem or self.path(text, voice).exists()

    def render(self, text: str, voice: str | None = None) -> Path:
        """The cached WAV file of ``text``, synthesised on a miss (raises TtsError)."""
        with self._lock:
            path = self.path(text, voice)
            if not path.exists():
                self._synthesise(text, path, voice or self.voice)
        return path

    def get(self, text: str, trim_silence: bool = False, voice: str | None = None) -> np.ndarray:
        """Int16 audio of ``text`` at ``sample_rate`` (in ``voice``, default the Mandarin
        one), synthesising it on a cache miss."""
        k = self.key(text, voice) + (":t" if trim_silence else "")
        pcm = self._mem.get(k)
        if pcm is not None:
            return pcm
        pcm, rate = read_wav(self.render(text, voice))
        if self.sample_rate and rate != self.sample_rate:  # written by an older version
            pcm = resample(pcm, rate, self.sample_rate)
        if trim_silence:
            pcm = trim(pcm, rate=self.sample_rate or rate)
        self._mem[k] = pcm
        return pcm

    def warm(
        self, texts: list[str] | set[str], trim_silence: bool = False, voice: str | None = None
    ) -> int:
        """Render every text not yet cached; returns how many were rendered."""
        before = self.renders
        for t in sorted(set(texts)):
            self.get(t, trim_silence, voice)
        return self.renders - before

    def _synthesise(self, text: str, path: Path, voice: str) -> None:
        raw = path.with_suffix(".raw.wav")
        raw.unlink(missing_ok=True)
        ok = False
        if self.engine in ("auto", "pyttsx3"):
            ok = _render_pyttsx3(text, voice, self.rate_wpm, raw)
            if not ok:
                log.info("pyttsx3 gave no file for %r, using espeak-ng -w", text[:20])
                raw.unlink(missing_ok=True)
        if not ok and self.engine in ("auto", "espeak"):
            ok = _render_espeak(text, voice, self.rate_wpm, raw)
            if not ok and voice == MANDARIN:  # an older espeak-ng without the pinyin voice
                ok = _render_espeak(text, "cmn", self.rate_wpm, raw)
        if not ok:
            raise TtsError(f"no TTS engine could render {text!r}")
        pcm, rate = read_wav(raw)
        out_rate = self.sample_rate or rate
        write_wav(path, resample(pcm, rate, out_rate), out_rate)
        raw.unlink(missing_ok=True)
        self.renders += 1
        log.debug("rendered %r (%d samples at %d Hz)", text[:20], len(pcm), rate)
