"""Voice guidance heard (issue 18 items 6, 7): each screen's prompt reaches the audio output as
soon as the screen shows, stops when the screen changes, 再听一遍 replays it, and the number
pad reads back each digit in 长辈模式. The output is a WAV file sink: the test reads what a
listener would have heard, not whether a file was rendered."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from kiosk.voice_guide import RATE, VoiceGuide
from speech.audio import read_wav
from speech.playback import WavFileOutput

pytestmark = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng not installed")


def wait_for(cond, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture
def heard(k, tmp_path: Path):
    """The kiosk in 长辈模式 with its prompts played into a WAV file sink."""
    sink = WavFileOutput(tmp_path / "heard.wav")
    guide = VoiceGuide(tmp_path / "cache", output=sink)
    guide.preload(k.app.prompts()).join()
    old = k.app.voice
    k.app.voice = guide
    k.tap(k.screen().ids.elder)
    yield k, guide, sink
    k.app.set_elder(False)
    sink.stop()
    k.app.voice = old


def test_the_prompt_is_played_when_the_screen_shows_and_cut_when_it_changes(heard) -> None:
    k, guide, sink = heard
    assert k.app.elder and k.app.guidance and k.app.font >= 40
    factor = k.app.settings.kiosk.elder_idle_factor
    assert k.app.idle.timeout == k.app.settings.kiosk.idle_seconds * factor > 60  # more time
    k.tap(k.screen().ids.repair)
    repair = guide.pcm(k.screen().prompt)
    wait_for(lambda: sink.played and sink.played[-1][1] > RATE // 10)
    start = sum(heard for _, heard in sink.played[:-1])  # where the repair prompt begins
    wait_for(lambda: len(read_wav(sink.path)[0]) > start + RATE // 10)
    pcm, rate = read_wav(sink.path)
    assert rate == RATE
    n = min(len(repair), len(pcm) - start)
    assert n > 0 and np.array_equal(pcm[start : start + n], repair[:n])  # the repair prompt
    k.tap(k.button(k.screen(), "首页"))  # the home screen's prompt replaces it at once
    wait_for(lambda: len(sink.played) >= 3 and sink.played[-1][1] > 0)
    cut = [heard for _, heard in sink.played[:-1]]
    assert cut[-1] < len(repair)  # the repair prompt stopped with its screen
    home = guide.pcm(k.app.screen("home").prompt)
    assert sink.played[-1][1] <= len(home)


def test_listen_again_replays_the_prompt(heard) -> None:
    k, guide, sink = heard
    k.tap(k.screen().ids.parcel)
    k.app.close_popups()
    wait_for(lambda: sink.played and sink.played[-1][1] > 0)
    before = len(sink.played)
    k.tap(k.button(k.screen(), "再听一遍"))
    wait_for(lambda: len(sink.played) > before and sink.played[-1][1] > 0)


def test_the_number_pad_reads_back_each_digit(heard) -> None:
    k, guide, sink = heard
    k.tap(k.screen().ids.parcel)  # opens the pickup code pad
    pad = k.popup()
    wait_for(lambda: sink.played)
    before = len(sink.played)
    k.press_keys(pad, "7")
    wait_for(lambda: len(sink.played) > before and sink.played[-1][1] > 0)
    seven = guide.pcm("7")
    wait_for(lambda: not sink.playing())
    assert sink.played[-1][1] == len(seven)  # the whole "七" was heard
    pcm, _ = read_wav(sink.path)
    assert np.array_equal(pcm[-len(seven) :], seven)


def test_secret_entries_are_never_read_aloud(heard) -> None:
    from kiosk.widgets.numpad import NumPad

    k, guide, sink = heard
    pad = NumPad.ask("密码", lambda _t: None, secret=True)
    k.pump(2)
    k.app.voice.stop()
    before = len(sink.played)
    k.press_keys(pad, "1234")
    time.sleep(0.3)
    assert len(sink.played) == before
    pad.dismiss()


def test_leaving_长辈模式_silences_the_guidance(heard) -> None:
    k, guide, sink = heard
    k.tap(k.screen().ids.elder)  # 标准模式
    assert not k.app.elder and not k.app.guidance
    before = len(sink.played)
    k.tap(k.screen().ids.repair)
    guide.say("请输入取件码")  # a screen speaking directly is silent too
    time.sleep(0.3)
    assert len(sink.played) == before
