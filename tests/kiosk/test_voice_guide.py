"""Voice guidance renders each prompt to a WAV in Mandarin (issue 4: render to files, never say())."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path
from types import SimpleNamespace

import pytest

from kiosk.voice_guide import VoiceGuide, mandarin_voice_id


def test_the_pinyin_reading_mandarin_voice_is_preferred() -> None:
    voices = [SimpleNamespace(id=i) for i in ("sit/cmn", "sit/yue", "sit/cmn-latn-pinyin")]
    assert mandarin_voice_id(voices) == "sit/cmn-latn-pinyin"
    assert mandarin_voice_id(voices[:2]) == "sit/cmn"
    assert mandarin_voice_id([SimpleNamespace(id="en")]) is None


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng not installed")
def test_a_prompt_is_rendered_once_to_a_wav(tmp_path: Path) -> None:
    guide = VoiceGuide(tmp_path)
    first = guide._render("您好，请选择服务")
    assert first is not None and first.exists()
    with wave.open(str(first)) as w:
        assert w.getnframes() > w.getframerate() // 2  # at least half a second of speech
    stamp = first.stat().st_mtime_ns
    assert guide._render("您好，请选择服务") == first and first.stat().st_mtime_ns == stamp
