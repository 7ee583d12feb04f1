"""In-band DTMF: a Goertzel detector on 8 kHz audio and a tone generator for tests."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np

from voice.events import SAMPLE_RATE

log = logging.getLogger(__name__)

ROWS = (697.0, 770.0, 852.0, 941.0)
COLS = (1209.0, 1336.0, 1477.0, 1633.0)
KEYPAD = ("123A", "456B", "789C", "*0#D")
WINDOW = 205
"""Analysis window: 25.6 ms at 8 kHz (the classic Goertzel block length)."""
HOP = 80
"""Windows start every 10 ms: a digit needs 2 agreeing windows (~36 ms of tone)."""


def tone(digit: str, ms: float = 100, amplitude: float = 8000, twist_db: float = 0.0) -> np.ndarray:
    """The dual tone of ``digit`` (int16); twist_db > 0 makes the high tone louder."""
    for r, row in enumerate(KEYPAD):
        if digit in row:
            fr, fc = ROWS[r], COLS[row.index(digit)]
            break
    else:
        raise ValueError(f"not a DTMF digit: {digit!r}")
    t = np.arange(int(SAMPLE_RATE * ms / 1000)) / SAMPLE_RATE
    high = 10 ** (twist_db / 20)
    scale = amplitude / (1 + high)
    sig = scale * np.sin(2 * np.pi * fr * t) + scale * high * np.sin(2 * np.pi * fc * t)
    return sig.astype(np.int16)


def silence(ms: float) -> np.ndarray:
    return np.zeros(int(SAMPLE_RATE * ms / 1000), dtype=np.int16)


_FREQS = ROWS + COLS


def _dft_rows(freqs: tuple[float, ...], n: int) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(n)
    ang = 2 * np.pi * np.outer(np.asarray(freqs) / SAMPLE_RATE, t)
    return np.cos(ang), np.sin(ang)


_COS, _SIN = _dft_rows(_FREQS, WINDOW)
# Second harmonics of the row/col tones reject speech and music (talk-off).
_HCOS, _HSIN = _dft_rows(tuple(2 * f for f in _FREQS), WINDOW)


def goertzel_power(block: np.ndarray, freq: float) -> float:
    """Power at ``freq`` by the Goertzel recursion (reference for the vectorised form)."""
    w = 2 * np.pi * freq / SAMPLE_RATE
    coef = 2 * np.cos(w)
    s1 = s2 = 0.0
    for x in block:
        s1, s2 = float(x) + coef * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coef * s1 * s2


def _powers(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Goertzel power at the 8 DTMF tones and their second harmonics, as one matrix product."""
    re, im = _COS @ block, _SIN @ block
    hre, him = _HCOS @ block, _HSIN @ block
    return re * re + im * im, hre * hre + him * him


class DtmfDetector:
    """Streaming detector: feed audio, get each digit once when its tone starts.

    A digit is reported once 2 consecutive windows agree (tones >= 40 ms pass, < 23 ms
    do not), each with enough energy, normal twist (high group louder) <= 8 dB, reverse twist <= 4 dB,
    clear peaks over the other bins and little second-harmonic energy; the same digit
    is reported again only after >= 20 ms without it.
    """

    def __init__(self, min_blocks: int = 2, threshold: float = 1e10) -> None:
        self.min_blocks = min_blocks
        self.threshold = threshold
        self._buf = np.zeros(0, dtype=np.float64)
        self._candidate: str | None = None
        self._count = 0
        self._reported: str | None = None
        self._gap = 0

    def reset(self) -> None:
        self.__init__(self.min_blocks, self.threshold)  # type: ignore[misc]

    def _classify(self, block: np.ndarray) -> str | None:
        energy = float(block @ block)
        if energy < 1e5:
            return None
        p, h = _powers(block)
        rows, cols = p[:4], p[4:]
        r, c = int(np.argmax(rows)), int(np.argmax(cols))
        pr, pc = rows[r], cols[c]
        if pr < self.threshold / 10 or pc < self.threshold / 10:
            return None
        # twist: the high group may be up to 8 dB louder (normal), the low 4 dB (reverse)
        if pc > pr * 10 ** (8 / 10) or pr > pc * 10 ** (4 / 10):
            return None
        # the tone must fill the whole window: rejects tones shorter than ~25 ms
        quarters = (block[: WINDOW // 4 * 4].reshape(4, -1) ** 2).sum(axis=1)
        if quarters.min() < 0.4 * quarters.max():
            return None
        # relative peak: other bins in each group well below
        if np.sort(rows)[-2] * 6.3 > pr or np.sort(cols)[-2] * 6.3 > pc:
            return None
        # the two tones must hold most of the block's energy
        if (pr + pc) * 2 / WINDOW < 0.4 * energy:
            return None
        if h[r] * 10 > pr or h[4 + c] * 10 > pc:
            return None
        return KEYPAD[r][c]

    def feed(self, pcm: np.ndarray) -> Iterator[str]:
        """Feed int16 samples; yield each newly detected digit."""
        self._buf = np.concatenate([self._buf, np.asarray(pcm, dtype=np.float64)])
        while len(self._buf) >= WINDOW:
            block, self._buf = self._buf[:WINDOW], self._buf[HOP:]
            digit = self._classify(block)
            if digit is not None and digit == self._candidate:
                self._count += 1
            else:
                self._candidate = digit
                self._count = 1 if digit else 0
            if digit is None:
                self._gap += 1
                if self._gap >= 2:
                    self._reported = None
            else:
                self._gap = 0
            if (
                self._candidate is not None
                and self._count >= self.min_blocks
                and self._candidate != self._reported
            ):
                self._reported = self._candidate
                yield self._candidate


def detect(pcm: np.ndarray) -> str:
    """All digits in a buffer, in order (convenience for tests and tools)."""
    return "".join(DtmfDetector().feed(pcm))
