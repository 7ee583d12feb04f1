"""Every inbound menu path on a scripted fake line against the real Desk."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from desk.clock import local
from desk.record_types import Call, Complaint, Visit, WorkOrder
from desk.records import Actor, Role
from desk.services.requests import ParcelIn, RepairRequest
from voice.baresip import hum
from voice.fake import HANGUP, TIMEOUT, FakeAsr, audio, say

GUARD = Actor(Role.GUARD, "guard", "test")
STAFF = Actor(Role.STAFF, "staff", "test")
OWNER_UNIT = "3-2-501"
NIGHT = datetime(2026, 11, 23, 23, 0)


def said(call) -> list[str]:
    return [s.prompt for s in call.d.state.said]


def docs(desk, kind: str) -> list[dict]:
    return list(desk.store.iter_days(kind))


def calls(desk) -> list[Call]:
    return [Call.from_doc(d) for d in desk.store.iter_days("call")]


def test_T1_greeting_names_the_office_first(run_call):
    call, ch, _ = run_call([HANGUP])
    assert call.d.state.said[0].prompt == "greeting"
    assert "幸福家园物业客服中心" in call.d.state.said[0].text


def test_abandoned_call_goes_on_callback_list_T3(run_call, desk):
    call, _, _ = run_call([HANGUP])
    assert call.result.status == "abandoned"
    [c] = calls(desk)
    assert c.status == "abandoned" and c in desk.calls.callbacks()


def test_main_menu_timeouts_end_in_voicemail(run_call, desk):
    call, ch, _ = run_call([TIMEOUT, TIMEOUT, TIMEOUT, "#", HANGUP])
    assert said(call)[:8] == [
        "greeting",
        "main",
        "timeout",
        "main",
        "timeout",
        "main",
        "timeout",
        "too_many",
    ]
    assert "operator_voicemail" in said(call)  # T3: no desk phone configured, no 转接
    assert "transfer" not in said(call)
    assert call.result.status == "voicemail"
    assert calls(desk)[0] in desk.calls.callbacks()
    assert Path(call.result.audio_path).exists()


def test_main_menu_invalid_keys_retry_limit(run_call):
    call, _, _ = run_call(["8", "7", "#", HANGUP])  # 9 is English (T4)
    assert said(call).count("invalid") == 3 or said(call).count("invalid") == 2
    assert "main:i" in call.d.state.path


def test_invalid_then_valid_choice(run_call):
    call, _, _ = run_call(["8", "5", "99999999999#", "2"])
    assert call.d.state.path[:3] == ["main", "main:i", "main=5"]
    assert "order_unknown" in said(call)


def test_R1_T2_repair_by_caller_id_repeats_back_then_saves(run_call, desk):
    script = ["1", "1", "1", "2", audio(hum(2)), "#", "1", "2"]
    call, ch, _ = run_call(script)
    [order] = [WorkOrder.from_doc(d) for d in docs(desk, "work_order")]
    assert order.location == OWNER_UNIT and order.category == "water" and not order.urgent
    assert order.channel == "hotline" and order.contact_phone == "13800138000"
    assert Path(order.audio_path).exists()
    s = said(call)
    assert s.index("repair_confirm") < s.index("repair_saved")
    confirm = next(x.text for x in call.d.state.said if x.prompt == "repair_confirm")
    assert "三栋二单元五零一室" in confirm and "水" in confirm
    saved = next(x.text for x in call.d.state.said if x.prompt == "repair_saved")
    assert saved.endswith("".join("零幺二三四五六七八九"[int(c)] for c in order.number) + "。")
    assert "promise_normal" in s
    [c] = calls(desk)
    assert c.records == (order.number,) and c.outcome == "work_order"
    assert c.menu_path[:3] == ("main", "main=1", "verify_owner")
    assert ch.local_hangup


def test_T2_rerecord_then_cancel_saves_nothing(run_call, desk):
    call, _, _ = run_call(["1", "1", "2", "1", "#", "2", "#", "3", "2"])
    assert said(call).count("record_description") == 2
    assert "cancelled" in said(call)
    assert docs(desk, "work_order") == []


def test_repair_keyed_unit_for_unknown_caller(run_call, desk):
    """R1 + identity: taken, flagged 待核实, the registered phone to call back; the audit
    names the caller, never the unit's resident (李四 did not call)."""
    script = ["1", "1#", "1#", "101#", "4", "1", "#", "1", "13712345678#", "2"]
    call, _, _ = run_call(script, caller="anonymous")
    [order] = [WorkOrder.from_doc(d) for d in docs(desk, "work_order")]
    assert order.location == "1-1-101" and order.urgent and order.category == "pipe"
    assert order.contact_phone == "13712345678"
    assert order.unverified and order.callback_phone == "13900139000"
    assert "李四" not in order.reported_by and order.history[0].actor.name != "李四"
    assert "promise_urgent" in said(call) and "repair_unverified" in said(call)


def test_unknown_unit_is_asked_again(run_call):
    call, _, _ = run_call(["1", "9#", "9#", "909#", HANGUP], caller="anonymous")
    assert "unit_unknown" in said(call)


def test_E1_star_in_any_menu_alerts_staff(run_call, desk):
    call, _, alerts = run_call(["1", "1", "*", "#", HANGUP])
    assert alerts and OWNER_UNIT in alerts[0]
    assert call.result.emergency
    [req] = desk.emergencies.open()
    assert req.unit == OWNER_UNIT and req.channel == "hotline" and req.number in call.result.records
    assert desk.guard.pending()[0] == req and req.number in desk.dutylog.blocking_items()
    assert "emergency" in said(call)


def test_E1_spoken_emergency_word(run_call, desk):
    call, _, alerts = run_call([say("家里漏水了"), "#", HANGUP], asr=FakeAsr())
    assert alerts and call.result.emergency


def test_speech_selects_menu_options(run_call, desk):
    script = [say("报修"), say("是"), say("电"), say("一般"), "#", say("确认"), say("结束")]
    call, _, _ = run_call(script, asr=FakeAsr())
    [order] = [WorkOrder.from_doc(d) for d in docs(desk, "work_order")]
    assert order.category == "electric"
    assert "main~报修" in call.d.state.path


def test_two_speech_misses_switch_to_keys_only(run_call):
    call, _, _ = run_call([say("嗯"), say("那个"), "5", "99999999999#", "2"], asr=FakeAsr())
    assert "keys_only" in said(call)
    assert call.d.state.keys_only


def test_parcels_read_with_pickup_codes(run_call, desk):
    p = desk.parcels.receive(ParcelIn(recipient_name="张三", unit=OWNER_UNIT, phone="13800138000", courier="顺丰速运", tracking_no="SF1", compartment="A-01"), GUARD)  # fmt: skip
    desk.directory.set_phone_pin(OWNER_UNIT, "13800138000", "246810", STAFF)
    call, _, _ = run_call(["2", "1", "246810#", "2", "2"])
    item = next(x.text for x in call.d.state.said if x.prompt == "parcel_item")
    assert "顺丰速运" in item
    assert "".join("零幺二三四五六七八九"[int(c)] for c in p.pickup_code) in item


def test_X1_caller_id_alone_never_reads_pickup_codes(run_call, desk):
    """Caller ID is a hint (it can be forged): the registered number without the unit's
    phone PIN hears no code; a wrong PIN neither."""
    desk.parcels.receive(ParcelIn(recipient_name="张三", unit=OWNER_UNIT, phone="13800138000", courier="顺丰速运", tracking_no="SF1", compartment="A-01"), GUARD)  # fmt: skip
    call, _, _ = run_call(["2", "1", "2"])  # no PIN set: not even asked
    assert "need_phone_pin" in said(call) and "parcel_item" not in said(call)
    desk.directory.set_phone_pin(OWNER_UNIT, "13800138000", "246810", STAFF)
    call, _, _ = run_call(["2", "1", "111111#", "222222#", HANGUP])
    assert said(call).count("phone_pin_wrong") == 2 and "parcel_item" not in said(call)


def test_X1_keyed_unit_and_pin_work_without_caller_id(run_call, desk):
    desk.directory.set_phone_pin(OWNER_UNIT, "13800138000", "246810", STAFF)
    desk.parcels.receive(ParcelIn(recipient_name="张三", unit=OWNER_UNIT, phone="13800138000", courier="顺丰速运", tracking_no="SF1", compartment="A-01"), GUARD)  # fmt: skip
    call, _, _ = run_call(["2", "3#", "2#", "501#", "246810#", "2", "2"], caller="anonymous")
    assert "parcel_item" in said(call)


def test_V5_visitor_preauthorisation_reads_code(run_call, desk, clock):
    desk.directory.set_phone_pin(OWNER_UNIT, "13800138000", "246810", STAFF)
    call, _, _ = run_call(["3", "1", "246810#", "2#", "2", "2"])
    [visit] = [Visit.from_doc(d) for d in docs(desk, "visit")]
    assert visit.status == "preauthorised" and visit.party_size == 2
    assert visit.valid_from.date() == clock.now.date().replace(day=clock.now.day + 1)
    code_text = next(x.text for x in call.d.state.said if x.prompt == "visitor_code")
    assert "".join("零幺二三四五六七八九"[int(c)] for c in visit.preauth_code) in code_text


def test_C1_complaint_with_recording_and_severity(run_call, desk):
    call, _, _ = run_call(["4", "1", "2", "1", "#", "1", "2"])
    [c] = [Complaint.from_doc(d) for d in docs(desk, "complaint")]
    assert c.category == "cleaning" and c.severity == "major" and c.channel == "hotline"
    assert c.unit == OWNER_UNIT and Path(c.audio_path).exists()
    assert c.place == "3栋" and c.event_key == "cleaning@b3@2026-11-23"
    assert "在您住的三栋" in next(
        x.text for x in call.d.state.said if x.prompt == "complaint_place"
    )
    assert "complaint_saved" in said(call)


def test_status_of_a_work_order(run_call, desk):
    order = desk.repairs.report(RepairRequest(location=OWNER_UNIT, category="water", description="滴水", contact_name="张三", contact_phone="13800138000"), GUARD)  # fmt: skip
    call, _, _ = run_call(["5", order.number + "#", "2"])
    status = next(x.text for x in call.d.state.said if x.prompt == "order_status")
    assert "已受理" in status


def test_L1_operator_at_night_is_voicemail_and_callback(run_call, desk, clock):
    clock.now = NIGHT
    call, _, _ = run_call(["0", "#", HANGUP])
    assert "after_hours" in said(call)
    assert calls(desk)[0].status == "voicemail"


def test_L1_ordinary_repair_at_night_is_filed_for_the_morning_urgent_at_once(run_call, desk, clock):
    """L1: the same as at the kiosk: the work order is filed; dispatch from 07:30."""
    clock.now = NIGHT
    call, _, _ = run_call(["1", "1", "1", "2", "#", "1", "2"])
    assert "repair_after_hours" in said(call)
    [order] = [WorkOrder.from_doc(d) for d in docs(desk, "work_order")]
    assert order.dispatch_by == local(2026, 11, 24, 9, 30) and not order.urgent
    call, _, _ = run_call(["1", "1", "1", "1", "#", "1", "2"])
    assert len(docs(desk, "work_order")) == 2


def test_L1_complaints_taken_at_night(run_call, desk, clock):
    clock.now = NIGHT
    run_call(["4", "1", "9", "3", "#", "3", "2"])
    assert len(docs(desk, "complaint")) == 1


def test_operator_transfer_when_staffed(run_call):
    taken = []
    call, _, _ = run_call(["0"], transfer=lambda ch, to: taken.append(to) or True)
    assert taken and call.result.outcome == "transferred"


def test_anything_else_back_to_main(run_call):
    call, _, _ = run_call(["5", "1#", "1#", "1", "5", "1#", "1#", "2"])  # unknown: asked twice
    assert said(call).count("main") == 2


def test_E1_star_while_recording(run_call, desk):
    call, _, alerts = run_call(["4", "1", "2", "1", "*", "#", HANGUP])
    assert call.result.emergency and alerts


def test_answer_spoken_over_the_prompt_is_kept(menus, text_prompts):
    from voice.dialog import Dialog
    from voice.events import Speech
    from voice.fake import ScriptedChannel

    ch = ScriptedChannel([])
    d = Dialog(ch, text_prompts, menus, asr=FakeAsr())
    ch.push_event(Speech("投诉"))  # heard while the menu prompt plays
    assert d.menu("main") == "flow:complaint"
    assert d.state.path == ["main", "main~投诉"]


def test_E1_recorded_before_a_word_and_a_second_star_does_not_break_the_call(run_call, desk):
    """E1 (issue 14 items 1-2 on the core's operation): the record exists even if the caller
    hangs up at once; `*` again during the emergency keeps the call in the emergency flow."""
    call, _, _ = run_call(["*", HANGUP], caller="anonymous")
    assert call.result.emergency and len(desk.emergencies.open()) == 1
    call, _, _ = run_call(["*", "*", "#", HANGUP])
    assert "error" not in said(call) and call.result.outcome == "emergency"
    assert len(desk.emergencies.open()) == 2
