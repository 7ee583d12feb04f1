"""TTS render + cache (pyttsx3 and espeak-ng), prompt assembly from cached pieces."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from speech import tts as tts_mod
from speech.audio import read_wav, resample
from speech.tts import Tts
from voice.prompts import Prompts, cn_number, digits_zh, time_zh, unit_zh

needs_espeak = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")


def test_chinese_numbers():
    assert cn_number(501) == "五百零一"
    assert cn_number(12) == "十二"
    assert cn_number(20) == "二十"
    assert cn_number(1005) == "一千零五"
    assert digits_zh("2026") == "二零二六"
    assert digits_zh("1#") == "幺井号"
    assert unit_zh("3-2-501") == "三栋二单元五零一室"


def test_times_as_people_say_them():
    from datetime import date, datetime

    today = date(2026, 11, 23)
    assert time_zh(datetime(2026, 11, 23, 15, 30), today) == "今天下午三点半"
    assert time_zh(datetime(2026, 11, 24, 9, 5), today) == "明天上午九点五分"
    assert time_zh(datetime(2026, 11, 24, 14, 0), today) == "明天下午两点"


@needs_espeak
def test_espeak_render_is_cached_at_8khz(tmp_path):
    t = Tts(tmp_path, engine="espeak")
    a = t.get("您好")
    assert t.renders == 1 and len(a) > 1000 and a.dtype == np.int16
    pcm, rate = read_wav(t.path("您好"))
    assert rate == 8000
    assert np.array_equal(t.get("您好"), a) and t.renders == 1
    t2 = Tts(tmp_path, engine="espeak")  # a new process: served from disk
    t2.get("您好")
    assert t2.renders == 0
    assert t.key("您好") != Tts(tmp_path, voice="ko").key("您好")


@needs_espeak
def test_pyttsx3_renders_one_prompt_per_run(tmp_path):
    pytest.importorskip("pyttsx3")
    t = Tts(tmp_path, engine="pyttsx3")
    a, b = t.get("报修请按一"), t.get("投诉请按四")
    assert (
        t.renders == 2
        and len(a) > 1000
        and len(b) > 1000
        and not np.array_equal(a[:1000], b[:1000])
    )


@needs_espeak
def test_falls_back_to_espeak_when_pyttsx3_gives_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(tts_mod, "_render_pyttsx3", lambda *a: False)
    t = Tts(tmp_path, engine="auto")
    assert len(t.get("再见")) > 1000 and t.renders == 1


def test_no_engine_raises(tmp_path, monkeypatch):
    monkeypatch.setattr(tts_mod, "_render_pyttsx3", lambda *a: False)
    monkeypatch.setattr(tts_mod, "_render_espeak", lambda *a: False)
    with pytest.raises(tts_mod.TtsError):
        Tts(tmp_path).get("再见")


@needs_espeak
def test_prompts_with_numbers_need_no_synthesis_after_warm(resources):
    p: Prompts = resources.prompts
    before = p.tts.renders
    audio = p.audio("repair_saved", number="22611230007")
    p.audio("unit_is", unit="12-3-1802")
    p.audio("parcel_count", count=3)
    p.audio("order_status", number="22611230007", status="已派工")
    assert p.tts.renders == before  # every piece came from the cache
    assert len(audio) > 8000 * 3


def test_resample_keeps_a_tone():
    t = np.arange(22050) / 22050
    x = (np.sin(2 * np.pi * 440 * t) * 10000).astype(np.int16)
    y = resample(x, 22050, 8000)
    assert abs(len(y) - 8000) <= 1
    spec = np.abs(np.fft.rfft(y.astype(float)))
    assert abs(np.argmax(spec) * 8000 / len(y) - 440) < 3


@needs_espeak
def test_T1_mandarin_voice_speaks_chinese_not_pinyin_read_as_english():
    """espeak-ng 1.51's `cmn` reads 您好 as "nin two hao three" (English switch "(en)")."""
    import subprocess

    from desk.config_hotline import HotlineSettings
    from speech.tts import resolve_voice

    voice = resolve_voice(HotlineSettings().tts_voice)
    phonemes = subprocess.run(
        ["espeak-ng", "-q", "-x", "-v", voice, "您好，物业客服中心"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "(en)" not in phonemes and phonemes.strip()
    assert resolve_voice("cmn") == voice  # an old config's `cmn` gets the working voice


@needs_espeak
def test_T4_english_half_is_rendered_in_an_english_voice(tmp_path):
    t = Tts(tmp_path, engine="espeak")
    en = t.get("Please speak Mandarin.", voice="en")
    assert t.renders == 1 and len(en) > 1000
    assert t.path("Please speak Mandarin.", "en") != t.path("Please speak Mandarin.")
