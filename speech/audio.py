"""Audio helpers: resampling, WAV files, trimming, level."""

from __future__ import annotations

import os
import wave
from functools import lru_cache
from pathlib import Path

import numpy as np

LINE_RATE = 8000
"""Telephone audio: 16-bit mono PCM at 8 kHz (G.711 decoded)."""


@lru_cache(maxsize=16)
def _lowpass(cutoff: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass FIR; cutoff as a fraction of the sample rate (< 0.5)."""
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    return h / h.sum()


def resample(pcm: np.ndarray, src: int, dst: int) -> np.ndarray:
    """Resample int16 audio from ``src`` Hz to ``dst`` Hz (FIR low-pass + interpolation)."""
    if src == dst or len(pcm) == 0:
        return np.asarray(pcm, dtype=np.int16)
    x = np.asarray(pcm, dtype=np.float64)
    if dst < src:
        x = np.convolve(x, _lowpass(0.45 * dst / src), mode="same")
    n_out = int(round(len(x) * dst / src))
    t = np.arange(n_out) * (src / dst)
    y = np.interp(t, np.arange(len(x)), x)
    if dst > src:
        y = np.convolve(y, _lowpass(0.45 * src / dst), mode="same")
    return np.clip(np.round(y), -32768, 32767).astype(np.int16)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono int16 samples and rate of a 16-bit WAV (stereo is averaged)."""
    with wave.open(str(path), "rb") as w:
        rate, ch, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
        data = w.readframes(w.getnframes())
    if width != 2:
        raise ValueError(f"{path}: {8 * width}-bit WAV, want 16-bit")
    pcm = np.frombuffer(data, dtype=np.int16)
    if ch > 1:
        pcm = pcm.reshape(-1, ch).mean(axis=1).astype(np.int16)
    return pcm, rate


def _private_parents(folder: Path) -> None:
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        new.mkdir(mode=0o700, exist_ok=True)
        os.chmod(new, 0o700)


def write_wav(path: Path, pcm: np.ndarray, rate: int = 8000) -> Path:
    _private_parents(path.parent)
    tmp = path.with_suffix(".tmp")
    # Call audio is personal data (X1): 0600 files in 0700 folders, as the README promises.
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    os.chmod(tmp, 0o600)
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.asarray(pcm, dtype=np.int16).tobytes())
    tmp.replace(path)
    return path


def trim(pcm: np.ndarray, rate: int = 8000, threshold: int = 300, keep_ms: int = 30) -> np.ndarray:
    """Cut leading and trailing silence, keeping ``keep_ms`` on each side."""
    loud = np.flatnonzero(np.abs(pcm) > threshold)
    if len(loud) == 0:
        return pcm[:0]
    keep = rate * keep_ms // 1000
    return pcm[max(0, loud[0] - keep) : loud[-1] + keep]


def silence(ms: float, rate: int = 8000) -> np.ndarray:
    return np.zeros(int(rate * ms / 1000), dtype=np.int16)


def rms(pcm: np.ndarray) -> float:
    return float(np.sqrt(np.mean(pcm.astype(np.float64) ** 2))) if len(pcm) else 0.0


class Upsampler2x:
    """Streaming 8 kHz -> 16 kHz (zero-stuffing + FIR, state kept across frames)."""

    def __init__(self, taps: int = 63):
        self.h = _lowpass(0.23, taps) * 2
        self.state = np.zeros(taps - 1)

    def __call__(self, pcm: np.ndarray) -> np.ndarray:
        z = np.zeros(2 * len(pcm))
        z[::2] = pcm
        buf = np.concatenate([self.state, z])
        y = np.convolve(buf, self.h, mode="valid")
        self.state = buf[len(buf) - len(self.state) :]
        return np.clip(np.round(y), -32768, 32767).astype(np.int16)


SPEECH_RMS = 500.0
"""Frame RMS above which the caller is taken to be speaking."""
