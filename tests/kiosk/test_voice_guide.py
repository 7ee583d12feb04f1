"""Voice guidance renders each prompt to a WAV in Mandarin through the shared speech module
(issue 4: render to files, never say(); issue 9: one TTS for kiosk and hotline)."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.voice_guide import VoiceGuide
from speech.tts import mandarin_voice_id, pick_voice


def test_the_pinyin_reading_mandarin_voice_is_preferred() -> None:
    voices = [SimpleNamespace(id=i) for i in ("sit/cmn", "sit/yue", "sit/cmn-latn-pinyin")]
    assert mandarin_voice_id(voices) == "sit/cmn-latn-pinyin"
    assert mandarin_voice_id(voices[:2]) == "sit/cmn"
    assert mandarin_voice_id([SimpleNamespace(id="en")]) is None
    assert pick_voice(voices, "yue") == "sit/yue" and pick_voice(voices, "ko") is None


def test_the_guide_uses_the_shared_tts_at_the_loudspeaker_rate(tmp_path: Path) -> None:
    guide = VoiceGuide(tmp_path)
    assert guide.tts.cache_dir == tmp_path and guide.tts.sample_rate == 16000


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng not installed")
def test_a_prompt_is_rendered_once_to_a_wav(tmp_path: Path) -> None:
    guide = VoiceGuide(tmp_path)
    first = guide.render("您好，请选择服务")
    assert first is not None and first.exists()
    with wave.open(str(first)) as w:
        assert w.getframerate() > 8000  # loudspeaker audio, not the 8 kHz line cache
        assert w.getnframes() > w.getframerate() // 2  # at least half a second of speech
    stamp = first.stat().st_mtime_ns
    assert guide.render("您好，请选择服务") == first and first.stat().st_mtime_ns == stamp
    assert guide.tts.renders == 1
