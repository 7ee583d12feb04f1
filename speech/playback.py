"""Audio output for spoken prompts: a player process on the sound card, or a WAV file sink (tests, CI)."""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Protocol

import numpy as np

from speech.audio import write_wav

log = logging.getLogger(__name__)

CHUNK_MS = 20
"""Samples go to the output in 20 ms blocks, so a stop is heard within one block."""
FLUSH_BLOCKS = 10
"""The WAV file sink rewrites its file every 10 blocks (200 ms) and when a prompt ends."""


class AudioOutput(Protocol):
    """Where prompts are played: ``play`` starts at once and returns; ``stop`` cuts it off."""

    def play(self, pcm: np.ndarray, rate: int) -> None: ...

    def stop(self) -> None: ...


class PlayerOutput:
    """The sound card through ``paplay``/``aplay`` reading raw PCM on stdin (killed on stop)."""

    def __init__(self, player: str | None = None) -> None:
        self.player = player or shutil.which("aplay") or shutil.which("paplay") or ""
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def _command(self, rate: int) -> list[str]:
        if Path(self.player).name == "paplay":
            return [self.player, "--raw", "--format=s16le", "--channels=1", f"--rate={rate}"]
        return [self.player, "-q", "-t", "raw", "-f", "S16_LE", "-c", "1", "-r", str(rate)]

    def play(self, pcm: np.ndarray, rate: int) -> None:
        self.stop()
        if not self.player:
            log.info("no audio player (aplay/paplay): prompt not played")
            return
        with self._lock:
            proc = subprocess.Popen(
                self._command(rate),
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            self._proc = proc
        data = np.asarray(pcm, dtype=np.int16).tobytes()

        def feed() -> None:
            try:
                proc.stdin.write(data)  # type: ignore[union-attr]
                proc.stdin.close()  # type: ignore[union-attr]
            except (BrokenPipeError, ValueError, OSError):
                pass

        threading.Thread(target=feed, daemon=True).start()

    def stop(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(2)


class WavFileOutput:
    """Writes what would be heard into a WAV file in real time (a file sink: tests, CI, bench).

    Samples are appended block by block at the playing rate from a thread, so the file holds
    exactly what a listener would have heard: a prompt cut off by a screen change stops there.
    ``first_sample_at`` is the ``time.monotonic()`` of the first block of the latest prompt.
    """

    def __init__(self, path: Path, rate: int = 16000, realtime: bool = True) -> None:
        self.path = Path(path)
        self.rate = rate
        self.realtime = realtime
        self.samples: list[np.ndarray] = []
        self.played: list[tuple[float, int]] = []
        """(monotonic start, samples heard) of each prompt played."""
        self.first_sample_at = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(self.path, np.zeros(0, dtype=np.int16), rate)

    def play(self, pcm: np.ndarray, rate: int) -> None:
        self.stop()
        if rate != self.rate:
            from speech.audio import resample

            pcm = resample(pcm, rate, self.rate)
        self._stop = threading.Event()
        stop = self._stop
        self._thread = threading.Thread(target=self._run, args=(pcm, stop), daemon=True)
        self._thread.start()

    def _run(self, pcm: np.ndarray, stop: threading.Event) -> None:
        block = self.rate * CHUNK_MS // 1000
        start = time.monotonic()
        heard = 0
        with self._lock:
            self.played.append((start, 0))
            index = len(self.played) - 1
        for n, i in enumerate(range(0, len(pcm), block)):
            if stop.is_set():
                break
            chunk = pcm[i : i + block]
            with self._lock:
                if heard == 0:
                    self.first_sample_at = time.monotonic()
                self.samples.append(chunk)
                heard += len(chunk)
                self.played[index] = (start, heard)
                if n % FLUSH_BLOCKS == 0:
                    self._flush()
            if self.realtime:
                time.sleep(max(0.0, start + (i + len(chunk)) / self.rate - time.monotonic()))
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        """The file is replaced whole (temp file + rename): a reader never sees half a header."""
        write_wav(self.path, np.concatenate(self.samples), self.rate)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(1)
        self._thread = None

    def playing(self) -> bool:
        return self._thread is not None and self._thread.is_alive()


def output_for(target: str) -> AudioOutput:
    """``""``: the sound card; a path ending in ``.wav``: a WAV file sink."""
    if target.endswith(".wav"):
        return WavFileOutput(Path(target))
    return PlayerOutput(target or None)
