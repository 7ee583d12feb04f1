"""The audio output abstraction (issue 18 item 7): the WAV file sink holds exactly what would have
been heard, a stop cuts it off; recording is offered only where an input device exists."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

from speech.audio import read_wav
from speech.playback import PlayerOutput, WavFileOutput, output_for


def wait_idle(sink: WavFileOutput) -> None:
    deadline = time.monotonic() + 5
    while sink.playing() and time.monotonic() < deadline:
        time.sleep(0.01)


def test_the_file_sink_holds_what_was_played(tmp_path: Path) -> None:
    sink = WavFileOutput(tmp_path / "out.wav", realtime=False)
    pcm = (np.arange(8000) % 200 - 100).astype(np.int16)
    sink.play(pcm, 16000)
    wait_idle(sink)
    heard, rate = read_wav(sink.path)
    assert rate == 16000 and np.array_equal(heard, pcm)
    assert sink.played[-1][1] == len(pcm) and sink.first_sample_at > 0


def test_a_stop_cuts_the_prompt_off(tmp_path: Path) -> None:
    sink = WavFileOutput(tmp_path / "out.wav")
    sink.play(np.ones(16000 * 3, dtype=np.int16), 16000)  # three seconds in real time
    time.sleep(0.2)
    sink.stop()
    heard = sink.played[-1][1]
    assert 0 < heard < 16000 * 3
    assert len(read_wav(sink.path)[0]) == heard


def test_the_output_is_chosen_from_the_setting(tmp_path: Path) -> None:
    assert isinstance(output_for(str(tmp_path / "heard.wav")), WavFileOutput)
    assert isinstance(output_for(""), PlayerOutput)


def test_no_recorder_without_portaudio(monkeypatch) -> None:
    from speech import recording

    monkeypatch.setitem(sys.modules, "sounddevice", None)  # import fails as without PortAudio
    assert recording.available() is False
