"""T4: callers who do not speak Mandarin are asked for Mandarin (in Mandarin and English)
or handed over: to staff in staffed hours, else voicemail on the callback list (L1, T3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desk.record_types import Call, WorkOrder
from voice.baresip import hum
from voice.fake import HANGUP, TIMEOUT, FakeAsr, audio, foreign, say

from .conftest import NIGHT


def said(call) -> list[str]:
    return [s.prompt for s in call.d.state.said]


def calls(desk) -> list[Call]:
    return [Call.from_doc(d) for d in desk.store.iter_days("call")]


def text_of(call, prompt: str) -> str:
    return next(s.text for s in call.d.state.said if s.prompt == prompt)


def test_T4_main_menu_offers_key_9_in_english(run_call):
    call, _, _ = run_call([HANGUP])
    main = text_of(call, "main")
    assert "press 9" in main and main.startswith("报修请按1")


def test_T4_key_9_hands_over_to_staff_in_staffed_hours(run_call, desk):
    taken = []
    call, _, _ = run_call(["9"], transfer=lambda ch, to: taken.append(to) or True)
    assert taken and call.result.outcome == "transferred"
    assert "LANGUAGE(key 9)" in call.d.state.path
    assert "hold" in text_of(call, "language_transfer")
    [c] = calls(desk)
    assert c.purpose == "language" and c.outcome == "transferred"


def test_T4_key_9_without_a_desk_phone_is_a_bilingual_voicemail_T3(run_call, desk):
    call, _, _ = run_call(["9", audio(hum(2)), "#", HANGUP])
    assert "language_voicemail" in said(call) and "language_saved" in said(call)
    assert "call you back" in text_of(call, "language_voicemail")
    [c] = calls(desk)
    assert c.status == "voicemail" and c.purpose == "language" and c in desk.calls.callbacks()
    assert Path(c.audio_path).exists()


def test_T4_L1_key_9_at_night_is_voicemail_not_a_transfer(run_call, desk, clock):
    clock.now = NIGHT
    taken = []
    call, _, _ = run_call(["9", "#", HANGUP], transfer=lambda ch, to: taken.append(to) or True)
    assert not taken
    assert "language_after_hours" in said(call)
    assert "closed" in text_of(call, "language_after_hours")
    [c] = calls(desk)
    assert c.status == "voicemail" and c.purpose == "language" and c in desk.calls.callbacks()


def test_T4_unknown_speech_twice_asks_for_mandarin_then_hands_over(run_call, desk):
    taken = []
    script = [foreign(), foreign(), TIMEOUT]
    call, _, _ = run_call(script, asr=FakeAsr(), transfer=lambda ch, to: taken.append(to) or True)
    s = said(call)
    assert "main:lang" in call.d.state.path and "LANGUAGE(asr)" in call.d.state.path
    ask = text_of(call, "ask_mandarin")
    assert "请您讲普通话" in ask and "Please speak Mandarin, or hold" in ask
    assert s.index("ask_mandarin") < s.index("language_transfer")
    # the request is quiet: no Chinese-only "没有听到/没能听清" after it
    after = s[s.index("ask_mandarin") :]
    assert not {"timeout", "too_many", "invalid", "keys_only"} & set(after)
    assert taken and call.result.outcome == "transferred"
    assert calls(desk)[0].purpose == "language"


def test_T4_caller_who_then_speaks_mandarin_carries_on(run_call, desk):
    script = [foreign(), foreign(), say("报修"), say("是"), say("电"), say("一般"), "#",
              say("确认"), say("结束")]  # fmt: skip
    call, _, _ = run_call(script, asr=FakeAsr())
    assert "ask_mandarin" in said(call) and "language_transfer" not in said(call)
    assert "language~报修" in call.d.state.path
    [order] = [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]
    assert order.category == "electric"
    assert calls(desk)[0].purpose == "repair"


def test_T4_caller_may_answer_the_request_by_key(run_call):
    call, _, _ = run_call([foreign(), foreign(), "5", "99999999999#", "2"], asr=FakeAsr())
    assert "language=5" in call.d.state.path and "order_unknown" in said(call)


def test_T4_asked_once_then_a_second_detection_hands_over_directly(run_call):
    script = [foreign(), foreign(), "1", foreign(), foreign(), "#", HANGUP]
    call, _, _ = run_call(script, asr=FakeAsr())
    assert said(call).count("ask_mandarin") == 1
    assert call.d.state.path.count("LANGUAGE(asr)") == 2
    assert "language_voicemail" in said(call)


def test_T4_short_noise_or_unclear_mandarin_is_not_taken_for_another_language(run_call):
    call, _, _ = run_call([foreign(0.2), foreign(0.2), "5", "1#", "2"], asr=FakeAsr())
    assert "ask_mandarin" not in said(call) and "keys_only" in said(call)
    call, _, _ = run_call([say("嗯"), foreign(), say("那个"), "5", "1#", "2"], asr=FakeAsr())
    assert "ask_mandarin" not in said(call)


def test_T4_E1_emergency_still_wins_during_the_request(run_call):
    call, _, alerts = run_call([foreign(), foreign(), "*", "#", HANGUP], asr=FakeAsr())
    assert call.result.emergency and alerts


def test_T4_key_9_in_the_request_hands_over(run_call):
    call, _, _ = run_call([foreign(), foreign(), "9", "#", HANGUP], asr=FakeAsr())
    assert "language=9" in call.d.state.path and "language_voicemail" in said(call)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="needs espeak-ng")
def test_T4_bilingual_prompts_are_cached_with_their_english_half(resources):
    p = resources.prompts
    before = p.tts.renders
    both = p.audio("ask_mandarin")
    assert p.tts.renders == before  # rendered at start-up, English voice included
    zh_only = p.tts.get(p.template("ask_mandarin"))
    assert len(both) > len(zh_only) + 8000  # a second or more of English after it
    assert p.tts.cached(p.english["ask_mandarin"], p.en_voice)
