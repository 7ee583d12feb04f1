"""Real SIP calls on loopback: baresip dials the hotline / answers the dialer (pjsua2)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from desk.config_hotline import HotlineSettings
from desk.record_types import Call, FollowUp, Visit, WorkOrder
from desk.records import Actor, Role
from desk.services.requests import RepairRequest, VisitRequest
from voice import baresip as bs
from voice import sip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (sip.available() and bs.available()), reason="needs pjsua2 and baresip"),
]

PORT = 5480
GUARD = Actor(Role.GUARD, "guard", "test")


@pytest.fixture(scope="module")
def line():
    ln = sip.SipLine(sip.SipConfig(port=PORT, rtp_port=46000))
    ln.start(lambda ch: None)
    yield ln
    ln.stop()


@pytest.fixture
def hotline(line, desk, settings, resources):
    from voice.hotline import Hotline

    h = dataclasses.replace(
        HotlineSettings(), sip_port=PORT, goodbye_wait_s=0.5, outbound_uri="sip:{number}@127.0.0.1:5562",
        ring_timeout_s=10.0,
    )  # fmt: skip
    hl = Hotline(dataclasses.replace(settings, hotline=h), desk, line, resources)
    line.set_handler(hl.on_call)
    return hl


def wait_for(pred, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out")


def active_channel(line):
    calls = list(line._calls.values())
    return calls[0].channel if calls and calls[0].channel else None


def test_R1_real_call_ends_with_work_order(line, hotline, desk, tmp_path):
    with bs.Baresip(5460, 5470, user="13800138000", workdir=tmp_path / "bs") as b:
        b.dial(f"sip:ivr@127.0.0.1:{PORT}")
        assert b.wait_event("CALL_ESTABLISHED", 10)
        ch = wait_for(lambda: active_channel(line))
        b.keys("1")  # 报修 (barges the greeting)
        wait_for(lambda: ch.call_id and "verify_owner" in _path(hotline, ch))
        b.keys("1")  # yes, 3-2-501
        b.keys("1")  # water
        b.keys("2")  # ordinary
        wait_for(lambda: ch._recording is not None)  # after the beep: the WAV's hum is recorded
        time.sleep(1.0)
        b.keys("#")
        b.keys("1")  # confirm (T2)
        b.keys("2")  # nothing else: goodbye
        wait_for(lambda: b.wait_event("CALL_CLOSED", 0.1), timeout=40)
    wait_for(lambda: list(desk.store.iter_days("call")), timeout=10)
    [order] = [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]
    assert order.location == "3-2-501" and order.category == "water" and order.channel == "hotline"
    assert Path(order.audio_path).stat().st_size > 8000
    [call] = [Call.from_doc(d) for d in desk.store.iter_days("call")]
    assert call.records == (order.number,) and call.caller == "13800138000"
    assert call.menu_path[:3] == ("main", "main=1", "verify_owner")
    assert line.active_calls == 0


def _path(hotline, ch) -> list[str]:
    call = hotline.active.get(ch.call_id)
    return call.d.state.path if call else []


def test_R5_follow_up_answered_by_baresip_records_rating(line, hotline, desk, tmp_path):
    order = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="滴水", contact_name="张三", contact_phone="13800138000"), GUARD)  # fmt: skip
    staff = Actor(Role.STAFF, "staff", "test")
    for action in ("dispatch", "accept", "arrive"):
        desk.repairs.transition(order.number, action, staff)
    desk.repairs.complete(order.number, staff)
    assert [r.number for r in desk.follow_ups.due()] == [order.number]
    with bs.Baresip(5562, 5572, user="13800138000", auto_answer=True, workdir=tmp_path / "bs") as b:
        import threading

        result = {}
        t = threading.Thread(target=lambda: result.update(level=hotline.dialer.follow_up(order)))
        t.start()
        assert b.wait_event("CALL_ESTABLISHED", 10)
        time.sleep(0.5)
        b.keys("2")  # 满意
        t.join(30)
    assert str(result["level"]) == "满意"
    [fu] = [FollowUp.from_doc(d) for d in desk.store.iter_days("follow_up")]
    assert fu.target == order.number and fu.satisfaction == "满意"
    assert desk.get(order.number).status == "closed"
    out = [Call.from_doc(d) for d in desk.store.iter_days("call") if d["direction"] == "out"]
    assert out and out[0].outcome == "rated"


def test_V2_host_declines_by_key(line, hotline, desk, tmp_path):
    visit = desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="王五", id_number="11010519491231002X", purpose="拜访"), GUARD)  # fmt: skip
    if visit.status != "waiting_host":
        pytest.skip(f"visit starts as {visit.status}")
    with bs.Baresip(5562, 5572, user="13800138000", auto_answer=True, workdir=tmp_path / "bs") as b:
        import threading

        result = {}
        t = threading.Thread(target=lambda: result.update(ok=hotline.dialer.confirm_host(visit)))
        t.start()
        assert b.wait_event("CALL_ESTABLISHED", 10)
        time.sleep(0.5)
        b.keys("2")
        t.join(30)
    assert result["ok"] is False
    v = desk.get(visit.number)
    assert isinstance(v, Visit) and v.host_answer == "拒绝" and v.status == "declined"


def test_inband_dtmf_through_g711_on_a_real_call(line, tmp_path):
    """Gateways that do not send RFC 4733 leave the tones in the audio: detect them there."""
    import numpy as np

    from voice.dtmf import silence, tone
    from voice.events import Dtmf

    parts = [silence(1500)]
    for d in "159#":
        parts += [tone(d, 120), silence(120)]
    wav = bs.write_wav(tmp_path / "tones.wav", np.concatenate([*parts, silence(6000)]))
    digits: list[Dtmf] = []

    def collect(ch):
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not ch.hung_up:
            ev = ch.next_event(0.2)
            if isinstance(ev, Dtmf):
                digits.append(ev)

    line.set_handler(collect)
    with bs.Baresip(5460, 5470, wav=wav, workdir=tmp_path / "bs") as b:
        b.dial(f"sip:ivr@127.0.0.1:{PORT}")
        assert b.wait_event("CALL_ESTABLISHED", 10)
        wait_for(lambda: len(digits) >= 4, timeout=10)
        b.hangup()
    assert "".join(d.digit for d in digits) == "159#"
    assert {d.source for d in digits} == {"inband"}


def test_reception_hotline_command_answers_and_records_the_call(tmp_path):
    """`reception hotline` as the service runs it: config file, SIP, prompts, Call record."""
    import subprocess
    import sys

    from desk.config import load_settings
    from desk.service import Desk

    cfg = tmp_path / "reception.toml"
    cfg.write_text(
        '[hotline]\nsip_port = 5880\nrtp_port = 49000\ntts_engine = "espeak"\ngoodbye_wait_s = 0.5\n'
    )
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "desk.cli", "--config", str(cfg), "--data", str(data), "hotline", "--no-dialer"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        wait_for(lambda: "热线已启动" in proc.stdout.readline(), timeout=60, step=0)
        with bs.Baresip(5460, 5470, user="13800138000", workdir=tmp_path / "bs") as b:
            b.dial("sip:ivr@127.0.0.1:5880")
            assert b.wait_event("CALL_ESTABLISHED", 10)
            time.sleep(0.5)
            b.keys("5")
            b.keys("12345678901#")
            time.sleep(1.0)
            b.keys("12345678901#")  # not found: asked once more (issue 14 item 5)
            time.sleep(1.0)
            b.keys("2")
            assert b.wait_event("CALL_CLOSED", 30)
    finally:
        proc.terminate()
        proc.wait(20)
    desk = Desk.open(load_settings(cfg, data_dir=data))
    try:
        [call] = [Call.from_doc(d) for d in desk.store.iter_days("call")]
        assert call.caller == "13800138000" and "main=5" in call.menu_path
    finally:
        desk.close()
