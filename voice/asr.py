"""The hotline's listener: decodes a call's audio against the menu's grammar on its own thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

import numpy as np

from speech.asr import Grammar
from speech.audio import SPEECH_RMS, Upsampler2x, rms
from voice.events import SAMPLE_RATE, Speech

log = logging.getLogger(__name__)

MIN_VOICED_S = 0.5
"""An utterance the model made no words of is still reported (``Speech.unknown``) when
this much of it was at speech level: someone spoke, in words the grammar does not hold
(T4: another language). Shorter noise (a cough, the line) is ignored."""


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
