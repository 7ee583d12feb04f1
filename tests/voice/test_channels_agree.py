"""The kiosk and the hotline apply one rule the same way: each divergence of issue 9, through
both front ends (the kiosk's backend, the hotline's call flow on a scripted line) on one core."""

from __future__ import annotations

import pytest

from desk.clock import local
from desk.record_types import Visit, WorkOrder
from desk.records import Actor, Role
from kiosk.backend import KioskBackend
from voice.fake import HANGUP, ScriptedChannel
from voice.outbound import Dialer

from .conftest import NIGHT, OWNER_PHONE, OWNER_UNIT

STRANGER = "13600001111"
"""A mobile number registered to no unit."""
GUARD = Actor(Role.GUARD, "guard", "kiosk-guard")


@pytest.fixture
def kiosk(desk) -> KioskBackend:
    return KioskBackend(desk, None, desk.settings)


def repair_at_kiosk(
    kiosk: KioskBackend, phone: str, description: str = "卫生间水管漏水"
) -> WorkOrder:
    return kiosk.create_work_order(
        {"location": OWNER_UNIT, "category": "water", "description": description,
         "contact_name": "来访者", "contact_phone": phone}
    )  # fmt: skip


def orders(desk) -> list[WorkOrder]:
    return [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]


def test_E1_an_emergency_from_the_kiosk_and_from_a_call_land_in_the_same_list(
    desk, kiosk, run_call
):
    """E1: one operation for every channel: both are on the guard's emergency list (first,
    before a plain call for staff), on the desk's list and blocking the handover."""
    kiosk.call_staff()
    at_kiosk = kiosk.emergency()
    call, _, alerts = run_call(["*", "#", HANGUP])
    on_phone = [r for r in desk.emergencies.open() if r.channel == "hotline"]
    assert alerts and len(on_phone) == 1 and on_phone[0].number in call.result.records
    listed = desk.guard.pending()
    assert [r.request_kind for r in listed] == ["emergency", "emergency", "call_staff"]
    assert {r.number for r in listed[:2]} == {at_kiosk.request.number, on_phone[0].number}
    assert {r.channel for r in listed[:2]} == {"kiosk", "hotline"}
    assert [i.what for i in desk.reports.due()[:2]] == ["紧急事件", "紧急事件"]
    assert set(desk.dutylog.blocking_items()) >= {r.number for r in listed[:2]}


def test_E1_night_emergency_advice_on_both_channels(desk, kiosk, run_call, clock):
    """E1: unstaffed, both channels give the advice to call 119/110/120."""
    clock.now = NIGHT
    assert kiosk.emergency().advice.startswith("如有人员受伤")
    call, _, _ = run_call(["*", "#", HANGUP])
    said = [s.prompt for s in call.d.state.said]
    assert "emergency_advice" in said and "after_hours" not in said


def test_R1_an_in_unit_repair_from_an_unregistered_phone_is_taken_flagged_by_both(
    desk, kiosk, run_call
):
    """R1 + identity: taken on both channels, flagged 待核实 with the unit's registered phone
    to call back; the audit names the real reporter, not the unit's first resident."""
    at_kiosk = repair_at_kiosk(kiosk, STRANGER)
    script = ["1", "3#", "2#", "501#", "1", "2", "#", "1", "2"]
    run_call(script, caller=STRANGER)
    by_phone = [o for o in orders(desk) if o.channel == "hotline"]
    assert len(by_phone) == 1
    for order in (at_kiosk, by_phone[0]):
        assert order.location == OWNER_UNIT and order.unverified
        assert order.callback_phone == OWNER_PHONE
        assert order.reported_by != "张三" and order.history[0].actor.name != "张三"
    assert {o.number for o in desk.repairs.unverified()} == {at_kiosk.number, by_phone[0].number}


def test_R2_an_urgent_leak_is_never_refused_for_want_of_verification(desk, kiosk, run_call):
    order = repair_at_kiosk(kiosk, STRANGER, "厨房水管爆裂，大量漏水")
    assert order.urgent and order.emergency and order.unverified
    assert desk.emergencies.open()[0].work_order == order.number


def test_L1_the_same_after_hours_repair_is_handled_the_same_way(desk, kiosk, run_call, clock):
    """L1: an ordinary repair after hours is a work order on both channels, dispatched from
    the next staffed opening (07:30 + 2 h); neither turns it into a voicemail only."""
    clock.now = NIGHT
    at_kiosk = repair_at_kiosk(kiosk, OWNER_PHONE, "门锁有点松")
    run_call(["1", "1", "3", "2", "#", "1", "2"])
    by_phone = [o for o in orders(desk) if o.channel == "hotline"]
    assert len(by_phone) == 1
    morning = local(2026, 11, 24, 9, 30)
    for order in (at_kiosk, by_phone[0]):
        assert order.status == "received" and not order.urgent and not order.unverified
        assert order.dispatch_by == morning


def test_V2_V3_a_visitor_without_id_waits_for_the_host_as_well_as_the_guard(
    desk, kiosk, menus, text_prompts
):
    """V2 applies to every visitor; V3 adds the guard: the host's yes by phone does not
    admit a visitor without ID, the guard's approval then does."""
    visit = kiosk.register_visit(
        {"host_unit": OWNER_UNIT, "visitor_name": "赵六", "id_type": "none", "purpose": "探亲"}
    )
    assert kiosk.visit_state(visit.number) == "waiting_host"

    def dial(number: str) -> ScriptedChannel:
        return ScriptedChannel(["1"], caller="hotline", callee=number)

    Dialer(desk, dial, text_prompts, menus).run_once()
    assert kiosk.visit_state(visit.number) == "waiting_guard"
    assert desk.get(visit.number).time_in is None
    kiosk.app = type("App", (), {"staff": GUARD})()
    admitted = kiosk.approve_without_id(visit.number)
    assert isinstance(admitted, Visit) and admitted.status == "admitted"
    assert kiosk.visit_state(visit.number) == "admitted"
