"""The technicians' staff menu (R3): staff id + PIN with the core's lockout, then the order and
1 到场 / 2 完工 / 3 需要配件 / 4 退回; scripted calls and one real SIP call (baresip)."""

from __future__ import annotations

import dataclasses
import time

import pytest

from desk.config_hotline import HotlineSettings
from desk.records import Actor, Role
from desk.services.requests import NewStaff, RepairRequest
from tests.voice.conftest import said
from voice import baresip as bs
from voice import sip
from voice.fake import HANGUP

DESK_STAFF = Actor(Role.STAFF, "小李", "desk")
TECH_ID, TECH_PIN = "8001", "246810"


@pytest.fixture
def order(desk):
    desk.staff.add(NewStaff(TECH_ID, "staff", TECH_PIN))
    desk.staff.add(NewStaff("9001", "guard", "135790"))
    w = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="水龙头滴水",
                                          contact_name="张三", contact_phone="13800138000"), DESK_STAFF)  # fmt: skip
    return desk.orders.dispatch(w.number, DESK_STAFF, assignee="老陈")


def test_R3_technician_reports_arrival_and_completion_by_phone(run_call, desk, order):
    script = ["6", f"{TECH_ID}#", f"{TECH_PIN}#", f"{order.number}#", "1", "1",
              f"{order.number}#", "2", "2", HANGUP]  # fmt: skip
    call, _, _ = run_call(script)
    done = desk.orders.get(order.number)
    assert done.status == "done" and done.arrived_at is not None
    steps = [(h.status, h.actor.name, h.actor.source) for h in done.history[-2:]]
    assert steps == [
        ("on_site", TECH_ID, "hotline:13800138000"),
        ("done", TECH_ID, "hotline:13800138000"),
    ]
    assert said(call).count("staff_done") == 2 and call.result.purpose == "staff"


def test_R3_parts_and_hand_back_by_phone(run_call, desk, order):
    run_call(["6", f"{TECH_ID}#", f"{TECH_PIN}#", f"{order.number}#", "3", "1",
              f"{order.number}#", "4", "2", HANGUP])  # fmt: skip
    back = desk.orders.get(order.number)
    assert [h.status for h in back.history[-2:]] == ["waiting_parts", "received"]


def test_X1_wrong_pin_is_refused_counted_by_the_core_and_a_guard_may_not_act(run_call, desk, order):
    call, _, _ = run_call(["6", f"{TECH_ID}#", "000000#", f"{TECH_ID}#", "111111#", HANGUP])
    assert said(call).count("staff_login_failed") == 2
    assert ("account:8001", 2) in [(k, n) for k, n, _ in desk.staff.failed_logins()]
    call, _, _ = run_call(["6", "9001#", "135790#", HANGUP])
    assert "staff_not_allowed" in said(call)
    assert desk.orders.get(order.number).status == "dispatched"


def test_R6_phone_completion_of_unconfirmed_paid_work_is_refused(run_call, desk, order):
    desk.orders.quote(order.number, DESK_STAFF, 150)
    desk.orders.arrive(order.number, DESK_STAFF)
    call, _, _ = run_call(
        ["6", f"{TECH_ID}#", f"{TECH_PIN}#", f"{order.number}#", "2", "2", HANGUP]
    )
    assert "staff_price_unconfirmed" in said(call)
    assert desk.orders.get(order.number).status == "on_site"


@pytest.mark.slow
@pytest.mark.skipif(not (sip.available() and bs.available()), reason="needs pjsua2 and baresip")
def test_R3_real_sip_call_technician_reports_arrival(desk, order, settings, resources, tmp_path):
    from voice.hotline import Hotline

    port = bs.free_port(2)
    line = sip.SipLine(sip.SipConfig(port=port, rtp_port=bs.free_port(1) // 2 * 2))
    line.start(lambda ch: None)
    try:
        h = dataclasses.replace(HotlineSettings(), sip_port=port, goodbye_wait_s=0.5)
        hotline = Hotline(dataclasses.replace(settings, hotline=h), desk, line, resources)
        line.set_handler(hotline.on_call)
        with bs.Baresip(
            bs.free_port(2), bs.free_port(1), user="13800138000", workdir=tmp_path / "bs"
        ) as b:
            b.dial(f"sip:ivr@127.0.0.1:{port}")
            assert b.wait_event("CALL_ESTABLISHED", 10)
            for keys, pause in (("6", 1.5), (f"{TECH_ID}#", 1.0), (f"{TECH_PIN}#", 2.0),
                                (f"{order.number}#", 3.0), ("1", 2.0), ("2", 0.5)):  # fmt: skip
                time.sleep(pause)
                b.keys(keys)
            deadline = time.monotonic() + 40
            while desk.orders.get(order.number).status != "on_site" and time.monotonic() < deadline:
                time.sleep(0.1)
            b.wait_event("CALL_CLOSED", 30)
    finally:
        line.stop()
    arrived = desk.orders.get(order.number)
    assert arrived.status == "on_site"
    assert (arrived.history[-1].actor.name, arrived.history[-1].actor.source) == (
        TECH_ID,
        "hotline:13800138000",
    )


def test_staff_menu_prompts_and_menus_exist():
    from voice.staff_menu import load

    texts, menus = load()
    for menu in menus.values():
        assert menu.prompt in texts
        assert {o.next for o in menu.options} <= {
            "arrive",
            "complete",
            "need_parts",
            "hand_back",
            "other",
            "more",
            "end",
        }
    assert "工号" in texts["staff_id"] and "{number}" in texts["staff_order"]
