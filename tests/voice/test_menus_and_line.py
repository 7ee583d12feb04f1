"""Menus as data are consistent; the channel's queues, barge-in and DTMF de-duplication."""

from __future__ import annotations

import numpy as np

from voice.dtmf import silence, tone
from voice.events import Dtmf, PlaybackDone, SilenceAfterSpeech
from voice.flows import InboundCall
from voice.line import Channel
from voice.menu import load_menus
from voice.prompts import Prompts

FLOW_VALUES = {
    "repair_category", "repair_urgency", "repair_confirm", "verify_owner", "parcel_repeat",
    "visitor_day", "complaint_category", "complaint_severity", "host_confirm", "followup",
    "complaint_place", "complaint_place_other", "notice_confirm",
}  # fmt: skip


def test_every_menu_prompt_and_flow_step_exists():
    menus = load_menus()
    prompts = Prompts(None)
    for m in menus.values():
        assert m.prompt in prompts.texts, m.name
        for step in [m.on_fail, *(o.next for o in m.options)]:
            if step.startswith("flow:"):
                assert hasattr(InboundCall, "flow_" + step[5:]), step
            elif m.name not in FLOW_VALUES:
                assert step in menus, (m.name, step)
        keys = [o.key for o in m.options]
        assert all(k in "0123456789#" for k in keys) and "*" not in keys  # * is the emergency key
        if m.name == "main":
            assert keys == [
                "1",
                "2",
                "3",
                "4",
                "5",
                "0",
                "9",
                "6",
            ]  # 9: English (T4), 6: staff menu


def test_every_prompt_is_polite_chinese():
    prompts = Prompts(None)
    assert "您好" in prompts.texts["greeting"] and "{office}" in prompts.texts["greeting"]
    assert "再见" in prompts.texts["goodbye"]


def test_channel_plays_in_frames_and_reports_done():
    ch = Channel("c1")
    ch.play(np.ones(400, np.int16))
    frames = [ch.pull_audio(160) for _ in range(3)]
    assert [int(f.sum()) for f in frames] == [160, 160, 80]
    assert isinstance(ch.next_event(0), PlaybackDone)
    assert ch.pull_audio(160).sum() == 0 and ch.prompt_started_at is not None


def test_barge_in_drops_queued_audio():
    ch = Channel("c1")
    ch.play(np.ones(8000, np.int16))
    ch.pull_audio(160)
    ch.stop_playback()
    assert not ch.playing and ch.pull_audio(160).sum() == 0


def test_inband_digit_then_same_rfc4733_digit_counts_once():
    ch = Channel("c1")
    sig = np.concatenate([silence(40), tone("7", 80), silence(60)])
    for i in range(0, len(sig), 160):
        ch.push_audio(sig[i : i + 160])
    ch.push_dtmf("7", "rfc4733")
    events = [ch.next_event(0) for _ in range(2)]
    assert events == [Dtmf("7", "inband"), None]
    # once RFC 4733 is seen, the audio is no longer searched for tones
    for i in range(0, len(sig), 160):
        ch.push_audio(sig[i : i + 160])
    assert ch.next_event(0) is None


def test_recording_ends_on_silence_after_speech():
    ch = Channel("c1")
    ch.silence_end_s = 0.5
    ch.start_recording()
    loud = (np.sin(np.arange(160) / 3) * 5000).astype(np.int16)
    for _ in range(25):
        ch.push_audio(loud)
    for _ in range(30):
        ch.push_audio(np.zeros(160, np.int16))
    assert isinstance(ch.next_event(0), SilenceAfterSpeech)
    assert len(ch.stop_recording()) == 55 * 160
