"""Issue 14 through real SIP calls (baresip) on free loopback ports: a transfer to a desk
phone that does not answer comes back (item 8, T3); a caller's `#` after a full number and
`*` bursts during the emergency, end to end (items 1, 4; E1)."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

import pytest

from desk.config_hotline import HotlineSettings
from desk.record_types import Call, GuardRequest
from desk.records import Actor, Role
from desk.services.requests import RepairRequest
from voice import baresip as bs
from voice import sip
from voice.transfer import ringback

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (sip.available() and bs.available()), reason="needs pjsua2 and baresip"),
]

GUARD = Actor(Role.GUARD, "guard", "test")


@pytest.fixture(scope="module")
def line():
    ln = sip.SipLine(sip.SipConfig(port=bs.free_port(3), rtp_port=bs.free_port(1) // 2 * 2))
    ln.start(lambda ch: None)
    yield ln
    ln.stop()


@pytest.fixture
def desk_port():
    return bs.free_port(2)


@pytest.fixture
def hotline(line, desk, settings, resources, desk_port):
    from voice.hotline import Hotline

    h = dataclasses.replace(
        HotlineSettings(), sip_port=line.config.port, goodbye_wait_s=0.3, transfer_answer_s=3.0,
        operator_uri=f"sip:desk@127.0.0.1:{desk_port}", digit_timeout_s=4.0,
    )  # fmt: skip
    hl = Hotline(dataclasses.replace(settings, hotline=h), desk, line, resources)
    line.set_handler(hl.on_call)
    yield hl
    line.set_handler(lambda ch: None)


def wait_for(pred, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out")


def said_now(hotline) -> list[str]:
    calls = list(hotline.active.values())
    return [s.prompt for s in calls[0].d.state.said] if calls else []


def phone(tmp_path: Path, name: str, port: int | None = None, **kw) -> bs.Baresip:
    return bs.Baresip(port or bs.free_port(2), bs.free_port(1), workdir=tmp_path / name, **kw)


def test_ringback_is_450hz_one_second_on_four_off():
    tone = ringback(5.0)
    assert len(tone) == 40000 and abs(tone[:8000]).max() > 3000 and not tone[8000:].any()


def test_T3_item_8_desk_phone_not_answering_brings_the_caller_back(
    line, hotline, desk, tmp_path, desk_port
):
    """The desk phone rings (it never answers): after transfer_answer_s the caller is back,
    told nobody answered and asked for a message; the call is on the callback list and is
    not recorded as transferred."""
    with (
        phone(tmp_path, "desk", desk_port, user="desk") as deskphone,
        phone(tmp_path, "caller", user="13800138000") as caller,
    ):
        caller.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert caller.wait_event("CALL_ESTABLISHED", 10)
        wait_for(lambda: "main" in said_now(hotline))
        caller.keys("0")
        assert deskphone.wait_event("CALL_INCOMING", 10)  # the desk phone rang
        wait_for(lambda: "transfer_no_answer" in said_now(hotline), timeout=15)
        assert deskphone.wait_event("CALL_CLOSED", 5)  # and was cancelled
        wait_for(lambda: "beep" in said_now(hotline), timeout=20)
        time.sleep(1.0)
        caller.keys("#")
        wait_for(lambda: not hotline.active, timeout=20)
    [c] = [Call.from_doc(d) for d in desk.store.iter_days("call")]
    assert c.outcome == "voicemail" and c.status == "voicemail" and c in desk.calls.callbacks()
    assert "TRANSFER:no answer" in c.menu_path and "TRANSFER:answered" not in c.menu_path


def test_T3_item_8_desk_phone_answering_is_put_through(line, hotline, desk, tmp_path, desk_port):
    with (
        phone(tmp_path, "desk", desk_port, user="desk", auto_answer=True) as deskphone,
        phone(tmp_path, "caller", user="13800138000") as caller,
    ):
        caller.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert caller.wait_event("CALL_ESTABLISHED", 10)
        wait_for(lambda: "main" in said_now(hotline))
        caller.keys("0")
        assert deskphone.wait_event("CALL_ESTABLISHED", 10)
        time.sleep(1.0)  # talking
        assert hotline.active  # the call is held while the two talk
        caller.hangup()
        assert deskphone.wait_event("CALL_CLOSED", 10)  # the desk's side is ended too
        wait_for(lambda: not hotline.active, timeout=10)
    [c] = [Call.from_doc(d) for d in desk.store.iter_days("call")]
    assert c.outcome == "transferred" and "TRANSFER:answered" in c.menu_path
    assert c not in desk.calls.callbacks()


def test_E1_items_1_4_end_to_end_hash_after_full_number_and_star_bursts(
    line, hotline, desk, tmp_path
):
    """Work-order status: 5, the 11-digit number and `#` as the prompt says: the status is
    played and 还需要其他服务 is asked (the `#` did not answer it). Then `*`, `*` again and a
    burst of keys during the reassurance: one emergency, on record, and no error."""
    order = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="滴水", contact_name="张三", contact_phone="13800138000"), GUARD)  # fmt: skip
    with phone(tmp_path, "caller", user="13800138000") as caller:
        caller.dial(f"sip:ivr@127.0.0.1:{line.config.port}")
        assert caller.wait_event("CALL_ESTABLISHED", 10)
        wait_for(lambda: "main" in said_now(hotline))
        caller.keys("5")
        wait_for(lambda: "ask_order" in said_now(hotline))
        caller.keys(order.number + "#")
        wait_for(lambda: "anything_else" in said_now(hotline), timeout=20)
        call = next(iter(hotline.active.values()))
        assert "anything_else:i" not in call.d.state.path
        caller.keys("*")
        wait_for(lambda: "emergency" in said_now(hotline))
        caller.keys("*3*#9")
        wait_for(lambda: "beep" in said_now(hotline), timeout=90)  # ~35 s of prompts
        time.sleep(1.0)  # the recording has started
        caller.keys("#")
        wait_for(lambda: not hotline.active, timeout=30)
    [c] = [Call.from_doc(d) for d in desk.store.iter_days("call")]
    assert c.outcome == "emergency" and "order_status" not in c.menu_path
    said = [s.prompt for s in call.d.state.said]
    assert "order_status" in said and "error" not in said
    reqs = [GuardRequest.from_doc(d) for d in desk.store.iter_days("request")]
    assert [r.request_kind for r in reqs] == ["emergency"]
