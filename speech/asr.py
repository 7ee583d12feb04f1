"""Speech recognition with Vosk: one model per process, word grammars with a margin rule, free transcription."""

from __future__ import annotations

import atexit
import json
import logging
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from speech.audio import LINE_RATE, resample

log = logging.getLogger(__name__)

MODEL_RATE = 16000
"""The small models want 16 kHz; line audio (8 kHz) is upsampled."""


class AsrUnavailable(RuntimeError):
    """No Vosk or no model: the hotline runs on keys, the kiosk keeps the audio only."""


@dataclass(frozen=True)
class Hypothesis:
    text: str
    confidence: float
    margin: float
    unknown: bool = False
    """No alternative of the n-best list is a menu word."""


class AsrModel:
    """A loaded Vosk model (load once per process, share between calls)."""

    def __init__(self, path: Path, min_margin: float = 1.0) -> None:
        try:
            import vosk
        except ImportError as exc:
            raise AsrUnavailable("vosk is not installed") from exc
        if not (Path(path) / "am").is_dir() and not (Path(path) / "conf").is_dir():
            raise AsrUnavailable(f"no Vosk model in {path}")
        vosk.SetLogLevel(-1)
        self._vosk = vosk
        self.path = Path(path)
        self.model = vosk.Model(str(path))
        self.min_margin = min_margin

    def in_vocabulary(self, word: str) -> bool:
        return self.model.vosk_model_find_word(word) >= 0

    def phrase(self, word: str) -> str | None:
        """The word as the model's lexicon spells it: whole, or split into known words
        (Chinese models list 报修 as 报 修); None if it cannot be spelled."""
        if all(self.in_vocabulary(w) for w in word.split()):
            return word
        out: list[str] = []
        i = 0
        while i < len(word):
            for j in range(len(word), i, -1):
                if self.in_vocabulary(word[i:j]):
                    out.append(word[i:j])
                    i = j
                    break
            else:
                return None
        return " ".join(out)

    def check_words(self, words: Iterable[str]) -> list[str]:
        """Words that the model cannot recognise (checked at start-up for every menu)."""
        return [w for w in words if self.phrase(w) is None]

    def recognizer(self, words: Iterable[str]) -> Grammar:
        return Grammar(self, list(words))

    def transcribe(self, pcm: np.ndarray, rate: int = LINE_RATE) -> str:
        """Free transcription of a whole recording (no grammar); Chinese without spaces."""
        rec = self._vosk.KaldiRecognizer(self.model, MODEL_RATE)
        rec.AcceptWaveform(resample(pcm, rate, MODEL_RATE).tobytes())
        return str(json.loads(rec.FinalResult()).get("text", "")).replace(" ", "")

    def transcribe_wav(self, path: Path) -> str:
        """Free transcription of a 16-bit WAV file."""
        from speech.audio import read_wav

        pcm, rate = read_wav(path)
        return self.transcribe(pcm, rate)


class Grammar:
    """One menu's word list as a Vosk grammar: its words plus [unk]."""

    def __init__(self, model: AsrModel, words: list[str]) -> None:
        self.model = model
        self.by_phrase: dict[str, str] = {}
        for w in words:
            p = model.phrase(w)
            if p is None:
                log.warning("word %r not in the model's vocabulary: left out", w)
                continue
            self.by_phrase[p] = w
        self.grammar = json.dumps(sorted(self.by_phrase) + ["[unk]"], ensure_ascii=False)

    def new(self) -> Any:  # a vosk.KaldiRecognizer
        rec = self.model._vosk.KaldiRecognizer(self.model.model, MODEL_RATE, self.grammar)
        rec.SetMaxAlternatives(3)
        return rec

    def best(self, result_json: str) -> Hypothesis | None:
        """The recognised menu word if clear enough (confidence margin over the next best);
        text "" when something was said but not clearly a menu word; None for silence."""
        doc = json.loads(result_json)
        alts = doc.get("alternatives") or [{"text": doc.get("text", ""), "confidence": 0.0}]
        scored: list[tuple[str, float]] = []
        for a in alts:
            text = a.get("text", "").strip()
            word = self.by_phrase.get(text)
            if word is None and text:
                word = self.by_phrase.get(text.replace("[unk]", "").strip())
            scored.append((word or "", float(a.get("confidence", 0.0))))
        raw = (alts[0].get("text", "") if alts else "").strip()
        if not raw:
            return None  # nothing said
        top, conf = scored[0]
        others = [c for w, c in scored[1:] if w != top]
        margin = conf - max(others) if others else float("inf")
        if not top or margin < self.model.min_margin:
            unknown = not any(w for w, _ in scored)
            log.debug("ASR miss %r (margin %.2f, unknown %s)", raw, margin, unknown)
            # heard something, not clearly a menu word
            return Hypothesis("", conf, margin, unknown)
        return Hypothesis(top, conf, margin)

    def recognise(self, pcm: np.ndarray, rate: int = LINE_RATE) -> Hypothesis | None:
        """Whole-buffer recognition (tests, voicemail transcripts of menu words)."""
        rec = self.new()
        x = resample(pcm, rate, MODEL_RATE)
        rec.AcceptWaveform(x.tobytes())
        return self.best(rec.FinalResult())


def find_model(explicit: str, data_dir: Path) -> Path | None:
    """The configured model dir, else the first model under <data>/models/."""
    if explicit:
        p = Path(explicit)
        return p if p.is_dir() else None
    root = Path(data_dir) / "models"
    if root.is_dir():
        for d in sorted(root.iterdir()):
            if (d / "am").is_dir() or (d / "conf").is_dir():
                return d
    return None


_models: dict[Path, AsrModel] = {}
_models_lock = threading.Lock()
atexit.register(_models.clear)  # free the models while vosk is still importable


def shared_model(path: Path, min_margin: float = 1.0) -> AsrModel:
    """The process's one loaded model for ``path`` (loading takes seconds: done once)."""
    key = Path(path).resolve()
    with _models_lock:
        model = _models.get(key)
        if model is None:
            model = _models[key] = AsrModel(key, min_margin)
        return model


class Transcriber:
    """Transcribes recordings on its own thread with a model loaded once, off the caller's
    (UI) thread: ``preload`` when recording starts, ``submit`` when it stops, ``result``
    when the text is needed."""

    def __init__(self, model_dir: Path) -> None:
        self.model_dir = Path(model_dir)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="transcribe")
        self._jobs: dict[str, Future[str]] = {}
        self._lock = threading.Lock()

    def preload(self) -> Future[AsrModel]:
        """Start loading the model in the background (a no-op once it is loaded)."""
        return self._pool.submit(shared_model, self.model_dir)

    def submit(self, path: Path) -> Future[str]:
        """Start transcribing the WAV at ``path``; the text is kept for ``result``."""
        with self._lock:
            job = self._jobs.get(str(path))
            if job is None:
                job = self._jobs[str(path)] = self._pool.submit(self._run, Path(path))
            return job

    def result(self, path: Path, timeout: float = 30.0) -> str:
        """The text of ``path`` ("" when there is no model or it failed or took longer)."""
        job = self.submit(path)
        try:
            text = job.result(timeout)
        except TimeoutError:
            log.warning(
                "transcription of %s not done in %.0f s: audio kept without text", path, timeout
            )
            return ""
        with self._lock:
            self._jobs.pop(str(path), None)
        return text

    def _run(self, path: Path) -> str:
        try:
            return shared_model(self.model_dir).transcribe_wav(path)
        except AsrUnavailable as exc:
            log.warning("no transcription: %s", exc)
        except Exception:  # noqa: BLE001 - whatever Vosk raises, the audio is kept without text
            log.exception("transcription failed for %s", path)
        return ""


_transcribers: dict[Path, Transcriber] = {}


def transcriber_for(model_dir: str | Path) -> Transcriber | None:
    """The process's transcriber for a model directory (None when it is unset or missing)."""
    if not model_dir or not Path(model_dir).is_dir():
        return None
    key = Path(model_dir).resolve()
    with _models_lock:
        if key not in _transcribers:
            _transcribers[key] = Transcriber(key)
        return _transcribers[key]
