"""Speech recognition with Vosk: per-menu word grammars, vocabulary check, margin rule."""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from voice.audio import SPEECH_RMS, Upsampler2x, resample, rms
from voice.events import SAMPLE_RATE, Speech

log = logging.getLogger(__name__)

MODEL_RATE = 16000
"""The small models want 16 kHz; line audio (8 kHz) is upsampled."""
MIN_VOICED_S = 0.5
"""An utterance the model made no words of is still reported (``Speech.unknown``) when
this much of it was at speech level: someone spoke, in words the grammar does not hold
(T4: another language). Shorter noise (a cough, the line) is ignored."""


class AsrUnavailable(RuntimeError):
    """No Vosk or no model: the hotline runs on keys."""


@dataclass(frozen=True)
class Hypothesis:
    text: str
    confidence: float
    margin: float
    unknown: bool = False
    """No alternative of the n-best list is a menu word."""


class AsrModel:
    """A loaded Vosk model (load once per process, share between calls)."""

    def __init__(self, path: Path, min_margin: float = 1.0):
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


class Grammar:
    """One menu's word list as a Vosk grammar: its words plus [unk]."""

    def __init__(self, model: AsrModel, words: list[str]):
        self.model = model
        self.by_phrase: dict[str, str] = {}
        for w in words:
            p = model.phrase(w)
            if p is None:
                log.warning("word %r not in the model's vocabulary: left out", w)
                continue
            self.by_phrase[p] = w
        self.grammar = json.dumps(sorted(self.by_phrase) + ["[unk]"], ensure_ascii=False)

    def new(self):  # noqa: ANN201 - vosk type
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

    def recognise(self, pcm: np.ndarray, rate: int = SAMPLE_RATE) -> Hypothesis | None:
        """Whole-buffer recognition (tests, voicemail transcripts of menu words)."""
        rec = self.new()
        x = resample(pcm, rate, MODEL_RATE)
        rec.AcceptWaveform(x.tobytes())
        return self.best(rec.FinalResult())


class Listener:
    """Decodes a call's audio on its own thread while the menu waits for keys or words.

    ``feed`` (the line's audio tap, called from the media thread) only queues frames;
    the decoding thread posts a ``Speech`` event through ``post`` when an utterance ends.
    """

    def __init__(self, grammar: Grammar, post: Callable[[Speech], None]):
        self.grammar = grammar
        self.post = post
        self._q: queue.Queue[np.ndarray | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="asr", daemon=True)
        self.audio_seconds = 0.0
        self.decode_seconds = 0.0
        self._thread.start()

    def feed(self, pcm: np.ndarray) -> None:
        self._q.put(pcm)

    def close(self) -> None:
        self._q.put(None)
        self._thread.join(5)

    def _run(self) -> None:
        rec = self.grammar.new()
        up = Upsampler2x()
        voiced = 0
        while True:
            pcm = self._q.get()
            if pcm is None:
                return
            t0 = time.perf_counter()
            if rms(pcm) >= SPEECH_RMS:
                voiced += len(pcm)
            final = rec.AcceptWaveform(up(pcm).tobytes())
            if final:
                hyp = self.grammar.best(rec.Result())
                voiced_s, voiced = voiced / SAMPLE_RATE, 0
                if hyp:
                    self.post(Speech(hyp.text, hyp.confidence, hyp.margin, hyp.unknown, voiced_s))
                elif voiced_s >= MIN_VOICED_S:  # spoken, but the model made no words of it
                    self.post(Speech("", 0.0, 0.0, unknown=True, voiced_s=voiced_s))
            self.decode_seconds += time.perf_counter() - t0
            self.audio_seconds += len(pcm) / SAMPLE_RATE


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
