"""The desk's rules through the Desk facade, one or more tests per rule id."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.errors import LockedOut, ValidationError
from desk.record_types import Complaint, Parcel, Visit, WorkOrder
from desk.records import Role, parse_number
from desk.service import AuthError, NotFound
from desk.workflow import TransitionRefused

ID = "11010519491231002X"


def visit_fields(**over):
    base = dict(host_unit="3-2-501", visitor_name="赵六", id_type="resident_id", id_number=ID,
                phone="13600001111", purpose="探亲", party_size=2, plate="粤B12345")  # fmt: skip
    return {**base, **over}


def repair_fields(**over):
    base = dict(location="3-2-501", category="water", description="卫生间水龙头滴水",
                contact_name="张三", contact_phone="13812345678")  # fmt: skip
    return {**base, **over}


def test_V1_visit_records_everything_and_gets_a_readable_number(desk, actors):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    kind, day, seq = parse_number(v.number)
    assert (str(kind), seq, len(v.number)) == ("visit", 1, 11)
    got = desk.get(v.number)
    assert (got.visitor_name, got.id_number, got.phone, got.plate, got.party_size) == (
        "赵六",
        ID,
        "13600001111",
        "粤B12345",
        2,
    )


def test_V1_bad_id_is_rejected_naming_the_field_and_nothing_written(desk, actors):
    before = desk.store.seq
    with pytest.raises(ValidationError) as err:
        desk.register_visit(actors["visitor"], **visit_fields(id_number="110105194912310021"))
    assert err.value.field == "id_number" and "110105194912310021" not in str(err.value)
    assert desk.store.seq == before


def test_V2_host_confirms_or_declines(desk, actors):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    assert v.status == "waiting_host" and desk.visits_waiting_host() == [v]
    admitted = desk.host_answer(v.number, actors["owner"], True)
    assert admitted.status == "admitted" and admitted.time_in
    v2 = desk.register_visit(actors["visitor"], **visit_fields())
    assert desk.host_answer(v2.number, actors["owner"], False, "不认识").status == "declined"
    v3 = desk.register_visit(actors["visitor"], **visit_fields())
    assert desk.leave_message(v3.number, actors["visitor"], "我下午再来").status == "message_left"


def test_V2_declined_visitor_cannot_be_checked_in_later(desk, actors):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    desk.host_answer(v.number, actors["owner"], False)
    with pytest.raises(TransitionRefused):
        desk.host_answer(v.number, actors["owner"], True)


def test_V3_no_id_needs_a_guard_and_records_who(desk, actors):
    v = desk.register_visit(actors["visitor"], **visit_fields(id_type="none", id_number=""))
    assert v.status == "waiting_approval"
    with pytest.raises(TransitionRefused):
        desk.approve_visit_without_id(v.number, actors["visitor"])
    approved = desk.approve_visit_without_id(v.number, actors["guard"])
    assert approved.status == "admitted" and approved.approved_by == "guard:guard"


def test_V4_decoration_worker_needs_a_work_pass(desk, actors):
    with pytest.raises(ValidationError) as err:
        desk.register_visit(actors["visitor"], **visit_fields(visitor_kind="decoration"))
    assert err.value.field == "work_pass"
    assert desk.register_visit(
        actors["visitor"], **visit_fields(visitor_kind="decoration", work_pass="SG-2026-031")
    ).number


def test_V5_preauthorised_code_valid_only_in_its_window(desk, actors, clock):
    pre = desk.preauthorise_visit(actors["owner"], "3-2-501", party_size=3, day=clock.now.date())
    assert len(pre.preauth_code) == 6
    visit = desk.arrive_with_code(
        pre.preauth_code, actors["visitor"], visitor_name="钱七", id_number=ID, phone="13600002222"
    )
    assert visit.status == "admitted" and visit.number == pre.number
    with pytest.raises(NotFound):
        desk.arrive_with_code(pre.preauth_code, actors["visitor"])
    later = desk.preauthorise_visit(actors["owner"], "3-2-501", day=clock.now.date())
    clock.advance(days=1)
    assert desk.visit_by_preauth_code(later.preauth_code) is None


def test_V6_check_out_by_pass_code(desk, actors):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    desk.host_answer(v.number, actors["owner"], True)
    out = desk.check_out(v.pass_code, actors["visitor"])
    assert out.status == "checked_out" and out.time_out


def test_V1_visits_open_too_long_are_listed(desk, actors, clock):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    desk.host_answer(v.number, actors["owner"], True)
    assert desk.visits_overdue() == []
    clock.advance(hours=13)
    assert [x.number for x in desk.visits_overdue()] == [v.number]


def test_R1_visitor_may_report_only_public_areas(desk, actors):
    with pytest.raises(TransitionRefused):
        desk.create_work_order(actors["visitor"], **repair_fields())
    w = desk.create_work_order(
        actors["visitor"],
        **repair_fields(location="public:3栋大堂", category="public", description="大堂灯不亮"),
    )
    assert w.status == "received"


def test_R1_missing_phone_is_a_clear_error(desk, actors):
    with pytest.raises(ValidationError) as err:
        desk.create_work_order(actors["owner"], **repair_fields(contact_phone="12"))
    assert err.value.field == "contact_phone"


def test_R2_urgent_repair_dispatch_now_on_site_in_30_minutes(desk, actors, clock):
    w = desk.create_work_order(
        actors["owner"], **repair_fields(description="厨房水管爆裂，大量漏水", urgent=True)
    )
    assert w.dispatch_by == clock.now and w.on_site_by == clock.now + timedelta(minutes=30)
    assert w.emergency  # E1 words


def test_R2_ordinary_repair_dispatched_within_2_hours_on_site_at_appointment(desk, actors, clock):
    slot = clock.now + timedelta(days=1, hours=2)
    w = desk.create_work_order(
        actors["owner"],
        **repair_fields(appointment_start=slot, appointment_end=slot + timedelta(hours=2)),
    )
    assert w.dispatch_by == clock.now + timedelta(hours=2) and w.on_site_by == slot


def test_R3_status_history_received_to_closed(desk, actors):
    w = desk.create_work_order(actors["owner"], **repair_fields())
    staff = actors["staff"]
    for action in ("dispatch", "accept", "arrive"):
        w = desk.transition(w.number, action, staff)
    w = desk.complete_work_order(w.number, staff)
    desk.record_follow_up(w.number, "满意", staff)
    final = desk.get(w.number)
    assert [h.status for h in final.history] == [
        "received",
        "dispatched",
        "accepted",
        "on_site",
        "done",
        "closed",
    ]


def test_R3_a_number_made_by_the_hotline_is_found_at_the_kiosk_at_once(desk, actors):
    kiosk = type(desk).open(desk.settings, clock=desk.clock)
    try:
        assert kiosk.get("2" + "0" * 10) is None  # the kiosk has read the store already
        order = desk.create_work_order(actors["owner"], **repair_fields())
        assert kiosk.get(order.number).description == order.description
    finally:
        kiosk.close()


def test_R3_refused_transition_changes_nothing(desk, actors):
    w = desk.create_work_order(actors["owner"], **repair_fields())
    seq = desk.store.seq
    with pytest.raises(TransitionRefused):
        desk.transition(w.number, "complete", actors["staff"])
    with pytest.raises(TransitionRefused):
        desk.transition(w.number, "dispatch", actors["guard"])
    assert desk.store.seq == seq and desk.get(w.number).status == "received"


def test_R4_orders_at_risk_and_overdue_are_reported(desk, actors, clock):
    w = desk.create_work_order(actors["owner"], **repair_fields())
    clock.advance(minutes=95)
    assert [(i.number, i.state) for i in desk.due_report() if i.number == w.number] == [
        (w.number, "due_soon")
    ]
    clock.advance(minutes=30)
    assert [(i.number, i.state) for i in desk.due_report() if i.number == w.number] == [
        (w.number, "overdue")
    ]


def test_R5_follow_up_within_3_days_and_unhappy_reopens(desk, actors, clock):
    w = desk.create_work_order(actors["owner"], **repair_fields())
    for action in ("dispatch", "accept", "arrive"):
        desk.transition(w.number, action, actors["staff"])
    done = desk.complete_work_order(w.number, actors["staff"])
    assert done.follow_up_by == clock.now + timedelta(days=3)
    assert w.number in [r.number for r in desk.follow_ups_due()]
    desk.record_follow_up(w.number, "很不满意", actors["staff"], "还在漏")
    reopened = desk.get(w.number)
    assert (
        reopened.status == "reopened"
        and reopened.reopen_count == 1
        and reopened.satisfaction == "很不满意"
    )


def test_C2_five_households_on_one_event_make_a_collective_complaint(desk, actors):
    units = ["3-2-501", "3-2-502", "1-1-101", "2-1-101", "2-1-102"]
    for i, unit in enumerate(units):
        c = desk.create_complaint(
            actors["owner"],
            unit=unit,
            content="夜间施工噪音",
            category="decoration",
            event_key="night-works",
        )
        assert c.collective == (i == 4)
    all_c = [desk.get(c.number) for c in desk._open(Complaint.kind, Complaint)]
    assert all(c.collective and c.severity == "major" and c.escalated_to for c in all_c)


def test_C2_complaints_from_any_channel_group_by_category_building_and_day(desk, actors):
    units = ["3-1-101", "3-1-102", "3-2-201", "3-2-202", "3-1-301"]
    made = [desk.create_complaint(actors["staff"], channel="desk", name="住户", unit=u,
                                  phone="13800000000", content="电梯又坏了", category="engineering")
            for u in units]  # fmt: skip
    assert made[0].event_key == f"engineering@b3@{desk.now():%Y-%m-%d}"
    assert desk.get(made[-1].number).collective
    other = desk.create_complaint(actors["staff"], channel="desk", name="住户", unit="1-1-101",
                                  phone="13800000000", content="电梯又坏了", category="engineering")  # fmt: skip
    assert not other.collective  # another building is another event


def test_C3_major_complaint_reply_in_2_hours(desk, actors, clock):
    clock.now = datetime(2026, 11, 26, 9, 0)  # a Thursday
    c = desk.create_complaint(
        actors["owner"],
        unit="3-2-501",
        content="保安态度恶劣",
        category="attitude",
        severity="major",
    )
    assert c.reply_by == clock.now + timedelta(hours=2)
    assert c.resolve_by == datetime(2026, 12, 1, 9, 0)  # three working days, over the weekend


def test_C4_unhappy_after_follow_up_opens_a_new_complaint(desk, actors):
    c = desk.create_complaint(
        actors["owner"], unit="3-2-501", content="垃圾未清理", category="cleaning"
    )
    for action in ("classify", "reply"):
        desk.transition(c.number, action, actors["staff"])
    desk.resolve_complaint(c.number, actors["staff"], "已安排保洁")
    desk.record_follow_up(c.number, "不太满意", actors["staff"])
    assert desk.get(c.number).status == "closed"
    new = [x for x in desk._open(Complaint.kind, Complaint) if x.number != c.number]
    assert len(new) == 1 and c.number in new[0].content


def test_P1_parcel_gets_a_unique_six_digit_code(desk, actors):
    codes = {
        desk.receive_parcel(actors["guard"], **parcel_fields(i)).pickup_code for i in range(50)
    }
    assert len(codes) == 50 and all(len(c) == 6 and c.isdigit() for c in codes)


def parcel_fields(i=0, **over):
    base = dict(recipient_name="张三", unit="3-2-501", phone="13812345678", courier="顺丰",
                tracking_no=f"SF{i:08d}", compartment=f"A-{i:02d}")  # fmt: skip
    return {**base, **over}


def test_P1_only_desk_roles_receive_parcels(desk, actors):
    with pytest.raises(TransitionRefused):
        desk.receive_parcel(actors["visitor"], **parcel_fields())


def test_P3_pickup_with_code_then_guard_countersigns(desk, actors):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    found = desk.parcels_for_code(p.pickup_code, "kiosk-1")
    assert [x.number for x in found] == [p.number]
    picked = desk.pick_up_parcel(p.number, actors["owner"])
    assert picked.status == "picked_up"
    with pytest.raises(NotFound):
        desk.parcels_for_code(p.pickup_code, "kiosk-1")  # a code works once
    assert desk.countersign_parcel(p.number, actors["guard"]).status == "collected"


def test_P3_proxy_needs_a_guard(desk, actors):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    with pytest.raises(TransitionRefused):
        desk.pick_up_parcel(p.number, actors["visitor"], proxy_name="张小三", proxy_id=ID)
    done = desk.pick_up_parcel(p.number, actors["guard"], proxy_name="张小三", proxy_id=ID)
    assert (
        done.status == "collected"
        and done.proxy_name == "张小三"
        and done.countersigned_by == "guard"
    )


def test_P3_proxy_request_waits_for_a_guard_and_survives_a_restart(desk, actors, tmp_path):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    req = desk.open_request(actors["visitor"], "proxy_pickup", parcel=p.number, unit=p.unit,
                            compartment="A01", proxy_name="张小三", proxy_id=ID)  # fmt: skip
    assert req.status == "open" and req.source == "kiosk-1" and req.number[0] == "0"
    reopened = type(desk).open(desk.settings, clock=desk.clock)
    try:
        assert [r.number for r in reopened.open_requests()] == [req.number]
    finally:
        reopened.close()
    with pytest.raises(TransitionRefused):
        desk.settle_request(req.number, actors["visitor"])  # only a guard settles it
    done = desk.settle_request(req.number, actors["guard"], note="核对证件")
    assert done.status == "handled" and done.settled_by == "guard" and done.settled_at
    assert desk.open_requests() == []


def test_P3_proxy_request_needs_name_and_id(desk, actors):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    with pytest.raises(ValidationError) as err:
        desk.open_request(actors["visitor"], "proxy_pickup", parcel=p.number, proxy_name="张小三")
    assert err.value.field == "proxy_id"
    assert desk.open_requests() == []


def test_E1_emergency_requests_come_first(desk, actors):
    call = desk.open_request(actors["visitor"], "call_staff", note="自助终端呼叫")
    alarm = desk.open_request(actors["visitor"], "emergency", note="困电梯")
    assert [r.number for r in desk.open_requests()] == [alarm.number, call.number]
    turned = desk.settle_request(call.number, actors["guard"], done=False, note="误触")
    assert turned.status == "turned_down"


def test_P3_five_wrong_codes_lock_the_source_out_for_5_minutes(desk, actors, clock):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    wrong = "000000" if p.pickup_code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(NotFound):
            desk.parcels_for_code(wrong, "kiosk-1")
    with pytest.raises(LockedOut):
        desk.parcels_for_code(wrong, "kiosk-1")
    with pytest.raises(LockedOut):
        desk.parcels_for_code(p.pickup_code, "kiosk-1")  # even the right code
    assert desk.parcels_for_code(p.pickup_code, "13900000000")  # another source is not locked
    clock.advance(minutes=5, seconds=1)
    assert desk.parcels_for_code(p.pickup_code, "kiosk-1")


def test_P3_lockout_counts_survive_the_other_process_writing(desk, actors):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    wrong = "000000" if p.pickup_code != "000000" else "111111"
    hotline = type(desk).open(desk.settings, clock=desk.clock)
    try:
        hotline.parcels_for_code(p.pickup_code, "13900000000")  # reads the lockout state
        for _ in range(2):
            with pytest.raises(NotFound):
                desk.parcels_for_code(wrong, "kiosk-1")
        with pytest.raises(NotFound):
            hotline.parcels_for_code(wrong, "13900000000")  # must not erase kiosk-1's count
        for _ in range(2):
            with pytest.raises(NotFound):
                desk.parcels_for_code(wrong, "kiosk-1")
        with pytest.raises(LockedOut):
            desk.parcels_for_code(wrong, "kiosk-1")  # the fifth wrong code from kiosk-1
    finally:
        hotline.close()


def test_P4_uncollected_parcels_become_overdue(desk, actors, clock):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    clock.advance(days=8)
    assert [(i.number, i.state) for i in desk.due_report() if i.number == p.number] == [
        (p.number, "overdue")
    ]


def test_P5_every_parcel_is_in_a_compartment_or_with_a_person(desk, actors):
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    assert desk.free_compartments(["A-00", "A-01"]) == ["A-01"]
    desk.pick_up_parcel(p.number, actors["owner"])
    got = desk.get(p.number)
    assert got.collected_by and got.compartment == "A-00"


def test_K2_non_staff_borrower_needs_id_and_deposit(desk, actors):
    desk.add_key("K1", "1栋水泵房", "钥匙 1-01", "plant")
    with pytest.raises(ValidationError) as err:
        desk.lend_key(
            actors["guard"], "K1", borrower_name="装修工", id_type="resident_id", id_number=ID
        )
    assert err.value.field == "deposit_yuan"
    loan = desk.lend_key(
        actors["guard"],
        "K1",
        borrower_name="装修工",
        id_type="resident_id",
        id_number=ID,
        deposit_yuan=100,
    )
    assert desk.keys()[0].status == "out"
    with pytest.raises(TransitionRefused):
        desk.lend_key(actors["guard"], "K1", borrower_name="x", borrower_is_staff=True)
    desk.return_key(loan.number, actors["guard"])
    assert desk.keys()[0].status == "in"


def test_K3_entrusted_key_needs_owner_authorisation(desk, actors):
    desk.add_key("K2", "3-2-501托管", "钥匙 3-12", "entrusted", "3-2-501")
    with pytest.raises(ValidationError):
        desk.lend_key(actors["staff"], "K2", borrower_name="李师傅", borrower_is_staff=True)
    assert (
        desk.lend_key(
            actors["staff"],
            "K2",
            borrower_name="李师傅",
            borrower_is_staff=True,
            owner_authorised_by="张三(电话)",
        ).status
        == "lent"
    )


def test_L2_duty_log_is_append_only_corrections_are_new_entries(desk, actors):
    e = desk.log_entry(actors["staff"], "3栋电梯异响，已报工程部")
    fix = desk.log_entry(actors["staff"], "更正：是2栋电梯", "correction", corrects=e.number)
    day = [x.number for x in desk.duty_log(desk.now().date())]
    assert (
        e.number in day
        and fix.number in day
        and desk.get(e.number).text == "3栋电梯异响，已报工程部"
    )


def test_L3_handover_blocked_by_open_emergency(desk, actors):
    desk.create_work_order(actors["owner"], **repair_fields(description="电梯困人", urgent=True))
    with pytest.raises(TransitionRefused):
        desk.handover(actors["staff"], "夜班小王")
    entry = desk.handover(actors["staff"], "夜班小王", force_by=actors["supervisor"])
    assert entry.entry_type == "handover"


def test_L1_staffed_hours(desk):
    assert desk.is_staffed(datetime(2026, 11, 23, 7, 30)) and not desk.is_staffed(
        datetime(2026, 11, 23, 20, 0)
    )


def test_S1_satisfaction_levels(desk, actors):
    w = desk.create_work_order(actors["owner"], **repair_fields())
    with pytest.raises(ValueError):
        desk.record_follow_up(w.number, "还行", actors["staff"])


def test_X1_staff_pin_is_hashed_and_login_checks_it(desk):
    account = desk.add_staff("guard1", "guard", "4321")
    assert "4321" not in account.pin_hash and account.pin_hash.startswith("scrypt$")
    assert desk.login("guard1", "4321").role == Role.GUARD
    with pytest.raises(AuthError):
        desk.login("guard1", "0000")
    assert desk.login_pin("4321").name == "guard1"


def test_X2_purge_anonymises_old_visits_keeps_counts_and_chain(desk, actors, clock):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    desk.host_answer(v.number, actors["owner"], True)
    desk.check_out(v.pass_code, actors["visitor"])
    clock.advance(days=91)
    result = desk.purge()
    assert result["visits"] == 1 and result["log_entries"] >= 3
    anon = desk.get(v.number)
    assert anon.anonymised and not anon.id_number and not anon.visitor_name and anon.party_size == 2
    raw = b"".join(p.read_bytes() for p in (desk.store.log_dir).glob("*.jsonl"))
    assert ID.encode() not in raw and "赵六".encode() not in raw
    assert desk.store.verify() == []


def test_X2_purge_leaves_nothing_in_snapshots_or_indexes(desk, actors, clock):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    desk.host_answer(v.number, actors["owner"], True)
    desk.check_out(v.pass_code, actors["visitor"])
    desk.store.compact()  # today's snapshot now holds the visitor's data
    clock.advance(days=91)
    desk.purge()
    files = [p for p in desk.store.dir.rglob("*") if p.is_file() and p.suffix != ".jsonl"]
    assert not any(
        ID.encode() in p.read_bytes() or "赵六".encode() in p.read_bytes() for p in files
    )
    assert desk.store.find("visit", "phone", "13600001111") == []
    assert desk.store._postings[("visit", "phone")].lookup("13600001111") == []
    assert desk.store.snapshots()  # a fresh snapshot replaces the old ones


def test_owner_import_search_by_initials_and_unit_tree(desk):
    assert [o.name for o in desk.search_residents("zs")] == ["张三"]
    assert desk.resident_by_phone("138-1234-5678").unit == "3-2-501"
    assert desk.unit_tree()["3"]["2"] == ["501", "502"]
    with pytest.raises(ValidationError) as err:
        desk.import_owners([{"unit": "3-2-503", "name": "坏", "phone": "123"}])
    assert "第1行" in err.value.message


def test_E1_emergency_words_flag_and_log(desk, actors):
    w = desk.create_work_order(actors["owner"], **repair_fields(description="家里着火了"))
    assert w.emergency and w.urgent
    assert any("紧急" in e.text for e in desk.duty_log(desk.now().date()))


def test_types_survive_round_trip(desk, actors):
    v = desk.register_visit(actors["visitor"], **visit_fields())
    assert isinstance(desk.get(v.number), Visit)
    p = desk.receive_parcel(actors["guard"], **parcel_fields())
    assert isinstance(desk.get(p.number), Parcel)
    w = desk.create_work_order(actors["owner"], **repair_fields())
    assert isinstance(desk.get(w.number), WorkOrder)
