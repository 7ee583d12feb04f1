"""The desk's rules through the Desk facade, one or more tests per rule id."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from desk.clock import local
from desk.errors import LockedOut, ValidationError
from desk.record_types import Parcel, Visit, WorkOrder
from desk.records import Role, parse_number
from desk.service import AuthError, NotFound
from desk.services.requests import (
    CallLog,
    ComplaintRequest,
    EmergencyReport,
    GuardAsk,
    KeyLoanRequest,
    NewKey,
    NewStaff,
    ParcelIn,
    PreauthRequest,
    RenovationRequest,
    RepairRequest,
    VisitRequest,
)
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
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
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
        desk.visits.register(
            VisitRequest(**visit_fields(id_number="110105194912310021")), actors["visitor"]
        )
    assert err.value.field == "id_number" and "110105194912310021" not in str(err.value)
    assert desk.store.seq == before


def test_V2_host_confirms_or_declines(desk, actors):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    assert v.status == "waiting_host" and desk.visits.waiting_host() == [v]
    admitted = desk.visits.host_answer(v.number, actors["owner"], True)
    assert admitted.status == "admitted" and admitted.time_in
    v2 = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    assert desk.visits.host_answer(v2.number, actors["owner"], False, "不认识").status == "declined"
    v3 = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    assert desk.visits.leave_message(v3.number, actors["visitor"], "我下午再来").delivered
    assert desk.get(v3.number).status == "message_left"


def test_V2_declined_visitor_cannot_be_checked_in_later(desk, actors):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], False)
    with pytest.raises(TransitionRefused):
        desk.visits.host_answer(v.number, actors["owner"], True)


def test_V3_no_id_needs_a_guard_and_records_who(desk, actors):
    """V2 + V3: a visitor without ID waits for the host as well as a guard (host first)."""
    v = desk.visits.register(
        VisitRequest(**visit_fields(id_type="none", id_number="")), actors["visitor"]
    )
    assert v.status == "waiting_host" and desk.visits.needs_guard(v)
    with pytest.raises(TransitionRefused):
        desk.visits.approve_without_id(v.number, actors["visitor"])
    agreed = desk.visits.host_answer(v.number, actors["owner"], True)
    assert agreed.status == "waiting_approval" and agreed.time_in is None
    approved = desk.visits.approve_without_id(v.number, actors["guard"])
    assert approved.status == "admitted" and approved.approved_by == "guard:guard"


def test_V3_guard_first_then_the_host_still_decides(desk, actors):
    v = desk.visits.register(
        VisitRequest(**visit_fields(id_type="none", id_number="")), actors["visitor"]
    )
    vouched = desk.visits.approve_without_id(v.number, actors["guard"])
    assert vouched.status == "waiting_host" and vouched.approved_by == "guard:guard"
    assert v.number in [x.number for x in desk.visits.waiting_host()]  # the host is still called
    assert desk.visits.host_answer(v.number, actors["owner"], False).status == "declined"


def test_V4_decoration_worker_needs_a_work_pass(desk, actors, clock):
    desk.renovations.add(
        RenovationRequest("3-2-501", "好家装饰", "SG-2026-031", clock.now.date(), clock.now.date()),
        actors["staff"],
    )
    with pytest.raises(ValidationError) as err:
        desk.visits.register(
            VisitRequest(**visit_fields(visitor_kind="decoration")), actors["visitor"]
        )
    assert err.value.field == "work_pass"
    assert desk.visits.register(
        VisitRequest(**visit_fields(visitor_kind="decoration", work_pass="SG-2026-031")),
        actors["visitor"],
    ).number


def test_V5_preauthorised_code_valid_only_in_its_window(desk, actors, clock):
    pre = desk.visits.preauthorise(
        PreauthRequest("3-2-501", party_size=3, day=clock.now.date()), actors["owner"]
    )
    assert len(pre.preauth_code) == 6
    visit = desk.visits.arrive(
        pre.preauth_code,
        VisitRequest(visitor_name="钱七", id_number=ID, phone="13600002222"),
        actors["visitor"],
    )
    assert visit.status == "admitted" and visit.number == pre.number
    assert visit.party_size == 3 and visit.visitor_name == "钱七"  # the owner's party size kept
    with pytest.raises(NotFound):
        desk.visits.arrive(pre.preauth_code, VisitRequest(), actors["visitor"])
    later = desk.visits.preauthorise(
        PreauthRequest("3-2-501", day=clock.now.date()), actors["owner"]
    )
    clock.advance(days=1)
    assert desk.visits.by_preauth_code(later.preauth_code) is None


def test_V6_check_out_by_pass_code(desk, actors):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], True)
    out = desk.visits.check_out(v.pass_code, actors["visitor"])
    assert out.status == "checked_out" and out.time_out


def test_V1_visits_open_too_long_are_listed(desk, actors, clock):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], True)
    assert desk.visits.overdue() == []
    clock.advance(hours=13)
    assert [x.number for x in desk.visits.overdue()] == [v.number]


def test_R1_anyone_reports_public_areas_and_a_stranger_s_unit_repair_is_flagged(desk, actors):
    """R1 + identity: a unit repair from someone not vouched for is taken, flagged 待核实,
    with the unit's registered phone to call back; the audit names the real reporter."""
    flagged = desk.repairs.report(RepairRequest(**repair_fields()), actors["visitor"])
    assert flagged.unverified and flagged.callback_phone == "13812345678"
    assert flagged in desk.repairs.unverified()
    assert desk.repairs.verify(flagged.number, actors["staff"]).unverified is False
    w = desk.repairs.report(
        RepairRequest(
            **repair_fields(location="public:3栋大堂", category="public", description="大堂灯不亮")
        ),
        actors["visitor"],
    )
    assert w.status == "received"


def test_R1_missing_phone_is_a_clear_error(desk, actors):
    with pytest.raises(ValidationError) as err:
        desk.repairs.report(RepairRequest(**repair_fields(contact_phone="12")), actors["owner"])
    assert err.value.field == "contact_phone"


def test_R2_urgent_repair_dispatch_now_on_site_in_30_minutes(desk, actors, clock):
    w = desk.repairs.report(
        RepairRequest(**repair_fields(description="厨房水管爆裂，大量漏水", urgent=True)),
        actors["owner"],
    )
    assert w.dispatch_by == clock.now and w.on_site_by == clock.now + timedelta(minutes=30)
    assert w.emergency  # E1 words


def test_R2_ordinary_repair_dispatched_within_2_hours_on_site_at_appointment(desk, actors, clock):
    slot = clock.now + timedelta(days=1, hours=2)
    w = desk.repairs.report(
        RepairRequest(**repair_fields(appointment_start=slot)),
        actors["owner"],
    )
    assert w.dispatch_by == clock.now + timedelta(hours=2) and w.on_site_by == slot


def test_R3_status_history_received_to_closed(desk, actors):
    w = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
    staff = actors["staff"]
    for action in ("dispatch", "accept", "arrive"):
        w = desk.repairs.transition(w.number, action, staff)
    w = desk.repairs.complete(w.number, staff)
    desk.follow_ups.record(w.number, "满意", staff)
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
        order = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
        assert kiosk.get(order.number).description == order.description
    finally:
        kiosk.close()


def test_R3_refused_transition_changes_nothing(desk, actors):
    w = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
    seq = desk.store.seq
    with pytest.raises(TransitionRefused):
        desk.repairs.transition(w.number, "complete", actors["staff"])  # type: ignore[arg-type]
    with pytest.raises(TransitionRefused):
        desk.repairs.transition(w.number, "dispatch", actors["guard"])
    assert desk.store.seq == seq and desk.get(w.number).status == "received"


def test_R4_orders_at_risk_and_overdue_are_reported(desk, actors, clock):
    w = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
    clock.advance(minutes=95)
    assert [(i.number, i.state) for i in desk.reports.due() if i.number == w.number] == [
        (w.number, "due_soon")
    ]
    clock.advance(minutes=30)
    assert [(i.number, i.state) for i in desk.reports.due() if i.number == w.number] == [
        (w.number, "overdue")
    ]


def test_R5_follow_up_within_3_days_and_unhappy_reopens(desk, actors, clock):
    w = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
    for action in ("dispatch", "accept", "arrive"):
        desk.repairs.transition(w.number, action, actors["staff"])
    done = desk.repairs.complete(w.number, actors["staff"])
    assert done.follow_up_by == clock.now + timedelta(days=3)
    assert w.number in [r.number for r in desk.follow_ups.due()]
    desk.follow_ups.record(w.number, "很不满意", actors["staff"], "还在漏")
    reopened = desk.get(w.number)
    assert (
        reopened.status == "reopened"
        and reopened.reopen_count == 1
        and reopened.satisfaction == "很不满意"
    )


def test_C2_five_households_on_one_event_make_a_collective_complaint(desk, actors):
    units = ["3-2-501", "3-2-502", "1-1-101", "2-1-101", "2-1-102"]
    for i, unit in enumerate(units):
        c = desk.complaints.file(
            ComplaintRequest(
                unit=unit, content="夜间施工噪音", category="decoration", event_key="night-works"
            ),
            actors["owner"],
        )
        assert c.collective == (i == 4)
    all_c = [desk.get(c.number) for c in desk.complaints.open()]
    assert all(c.collective and c.severity == "major" and c.escalated_to for c in all_c)


def test_C2_complaints_from_any_channel_group_by_category_building_and_day(desk, actors):
    units = ["3-1-101", "3-1-102", "3-2-201", "3-2-202", "3-1-301"]
    made = [desk.complaints.file(ComplaintRequest(channel="desk", name="住户", unit=u, phone="13800000000", content="电梯又坏了", category="engineering"), actors["staff"])
            for u in units]  # fmt: skip
    assert made[0].event_key == f"engineering@b3@{desk.now():%Y-%m-%d}"
    assert desk.get(made[-1].number).collective
    other = desk.complaints.file(ComplaintRequest(channel="desk", name="住户", unit="1-1-101", phone="13800000000", content="电梯又坏了", category="engineering"), actors["staff"])  # fmt: skip
    assert not other.collective  # another building is another event


def test_C3_major_complaint_reply_in_2_hours(desk, actors, clock):
    clock.now = datetime(2026, 11, 26, 9, 0)  # a Thursday
    c = desk.complaints.file(
        ComplaintRequest(
            unit="3-2-501", content="保安态度恶劣", category="attitude", severity="major"
        ),
        actors["owner"],
    )
    assert c.reply_by == clock.now + timedelta(hours=2)
    assert c.resolve_by == local(2026, 12, 1, 9, 0)  # three working days, over the weekend


def test_C4_unhappy_after_follow_up_opens_a_new_complaint(desk, actors):
    c = desk.complaints.file(
        ComplaintRequest(unit="3-2-501", content="垃圾未清理", category="cleaning"), actors["owner"]
    )
    for action in ("classify", "reply"):
        desk.complaints.transition(c.number, action, actors["staff"])
    desk.complaints.resolve(c.number, actors["staff"], "已安排保洁")
    desk.follow_ups.record(c.number, "不太满意", actors["staff"])
    assert desk.get(c.number).status == "closed"
    new = [x for x in desk.complaints.open() if x.number != c.number]
    assert len(new) == 1 and c.number in new[0].content


def test_P1_parcel_gets_a_unique_six_digit_code(desk, actors):
    codes = {
        desk.parcels.receive(ParcelIn(**parcel_fields(i)), actors["guard"]).pickup_code
        for i in range(50)
    }
    assert len(codes) == 50 and all(len(c) == 6 and c.isdigit() for c in codes)


def parcel_fields(i=0, **over):
    base = dict(recipient_name="张三", unit="3-2-501", phone="13812345678", courier="顺丰",
                tracking_no=f"SF{i:08d}", compartment=f"A-{i:02d}")  # fmt: skip
    return {**base, **over}


def test_P1_only_desk_roles_receive_parcels(desk, actors):
    with pytest.raises(TransitionRefused):
        desk.parcels.receive(ParcelIn(**parcel_fields()), actors["visitor"])


def test_P3_pickup_with_code_then_guard_countersigns(desk, actors):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    found = desk.parcels.for_code(p.pickup_code, "kiosk-1")
    assert [x.number for x in found] == [p.number]
    picked = desk.parcels.pick_up(p.number, actors["owner"])
    assert picked.status == "picked_up"
    with pytest.raises(NotFound):
        desk.parcels.for_code(p.pickup_code, "kiosk-1")  # a code works once
    assert desk.parcels.countersign(p.number, actors["guard"]).status == "collected"


def test_P3_proxy_needs_a_guard(desk, actors):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    with pytest.raises(TransitionRefused):
        desk.parcels.pick_up(p.number, actors["visitor"], proxy_name="张小三", proxy_id=ID)
    done = desk.parcels.pick_up(p.number, actors["guard"], proxy_name="张小三", proxy_id=ID)
    assert (
        done.status == "collected"
        and done.proxy_name == "张小三"
        and done.countersigned_by == "guard"
    )


def test_P3_proxy_request_waits_for_a_guard_and_survives_a_restart(desk, actors, tmp_path):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    req = desk.guard.ask(GuardAsk("proxy_pickup", parcel=p.number, unit=p.unit, compartment="A01", proxy_name="张小三", proxy_id=ID), actors["visitor"])  # fmt: skip
    assert req.status == "open" and req.source == "kiosk-1" and req.number[0] == "0"
    reopened = type(desk).open(desk.settings, clock=desk.clock)
    try:
        assert [r.number for r in reopened.guard.pending()] == [req.number]
    finally:
        reopened.close()
    with pytest.raises(TransitionRefused):
        desk.guard.settle(req.number, actors["visitor"])  # only a guard settles it
    done = desk.guard.settle(req.number, actors["guard"], note="核对证件")
    assert done.status == "handled" and done.settled_by == "guard" and done.settled_at
    assert desk.guard.pending() == []


def test_P3_proxy_request_needs_name_and_id(desk, actors):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    with pytest.raises(ValidationError) as err:
        desk.guard.ask(
            GuardAsk("proxy_pickup", parcel=p.number, proxy_name="张小三"), actors["visitor"]
        )
    assert err.value.field == "proxy_id"
    assert desk.guard.pending() == []


def test_E1_emergency_requests_come_first(desk, actors):
    call = desk.guard.ask(GuardAsk("call_staff", note="自助终端呼叫"), actors["visitor"])
    alarm = desk.emergencies.report(
        EmergencyReport("kiosk", via="button", what="困电梯"), actors["visitor"]
    ).request
    assert [r.number for r in desk.guard.pending()] == [alarm.number, call.number]
    turned = desk.guard.settle(call.number, actors["guard"], done=False, note="误触")
    assert turned.status == "turned_down"


def test_P3_five_wrong_codes_lock_the_source_out_for_5_minutes(desk, actors, clock):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    wrong = "000000" if p.pickup_code != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(NotFound):
            desk.parcels.for_code(wrong, "kiosk-1")
    with pytest.raises(LockedOut):
        desk.parcels.for_code(wrong, "kiosk-1")
    with pytest.raises(LockedOut):
        desk.parcels.for_code(p.pickup_code, "kiosk-1")  # even the right code
    assert desk.parcels.for_code(p.pickup_code, "13900000000")  # another source is not locked
    clock.advance(minutes=5, seconds=1)
    assert desk.parcels.for_code(p.pickup_code, "kiosk-1")


def test_P3_lockout_counts_survive_the_other_process_writing(desk, actors):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    wrong = "000000" if p.pickup_code != "000000" else "111111"
    hotline = type(desk).open(desk.settings, clock=desk.clock)
    try:
        hotline.parcels.for_code(p.pickup_code, "13900000000")  # reads the lockout state
        for _ in range(2):
            with pytest.raises(NotFound):
                desk.parcels.for_code(wrong, "kiosk-1")
        with pytest.raises(NotFound):
            hotline.parcels.for_code(wrong, "13900000000")  # must not erase kiosk-1's count
        for _ in range(2):
            with pytest.raises(NotFound):
                desk.parcels.for_code(wrong, "kiosk-1")
        with pytest.raises(LockedOut):
            desk.parcels.for_code(wrong, "kiosk-1")  # the fifth wrong code from kiosk-1
    finally:
        hotline.close()


def test_P4_uncollected_parcels_become_overdue(desk, actors, clock):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    clock.advance(days=8)
    assert [(i.number, i.state) for i in desk.reports.due() if i.number == p.number] == [
        (p.number, "overdue")
    ]


def test_P5_every_parcel_is_in_a_compartment_or_with_a_person(desk, actors):
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    assert desk.parcels.free_compartments(["A-00", "A-01"]) == ["A-01"]
    desk.parcels.pick_up(p.number, actors["owner"])
    got = desk.get(p.number)
    assert got.collected_by and got.compartment == "A-00"


def test_K2_non_staff_borrower_needs_id_and_deposit(desk, actors):
    desk.keys.add(NewKey("K1", "1栋水泵房", "钥匙 1-01", "plant"))
    with pytest.raises(ValidationError) as err:
        desk.keys.lend(
            KeyLoanRequest("K1", borrower_name="装修工", id_type="resident_id", id_number=ID),
            actors["guard"],
        )
    assert err.value.field == "deposit_yuan"
    loan = desk.keys.lend(
        KeyLoanRequest(
            "K1", borrower_name="装修工", id_type="resident_id", id_number=ID, deposit_yuan=100
        ),
        actors["guard"],
    )
    assert desk.keys.all()[0].status == "out"
    with pytest.raises(TransitionRefused):
        desk.keys.lend(
            KeyLoanRequest("K1", borrower_name="x", borrower_is_staff=True), actors["guard"]
        )
    desk.keys.take_back(loan.number, actors["guard"])
    assert desk.keys.all()[0].status == "in"


def test_K3_entrusted_key_needs_owner_authorisation(desk, actors):
    desk.keys.add(NewKey("K2", "3-2-501托管", "钥匙 3-12", "entrusted", "3-2-501"))
    with pytest.raises(ValidationError):
        desk.keys.lend(
            KeyLoanRequest("K2", borrower_name="李师傅", borrower_is_staff=True), actors["staff"]
        )
    assert (
        desk.keys.lend(
            KeyLoanRequest(
                "K2",
                borrower_name="李师傅",
                borrower_is_staff=True,
                owner_authorised_by="张三(电话)",
            ),
            actors["staff"],
        ).status
        == "lent"
    )


def test_L2_duty_log_is_append_only_corrections_are_new_entries(desk, actors):
    e = desk.dutylog.write("3栋电梯异响，已报工程部", actors["staff"])
    fix = desk.dutylog.write("更正：是2栋电梯", actors["staff"], "correction", corrects=e.number)
    day = [x.number for x in desk.dutylog.day(desk.now().date())]
    assert (
        e.number in day
        and fix.number in day
        and desk.get(e.number).text == "3栋电梯异响，已报工程部"
    )


def test_L3_handover_blocked_by_open_emergency(desk, actors):
    desk.repairs.report(
        RepairRequest(**repair_fields(description="电梯困人", urgent=True)), actors["owner"]
    )
    with pytest.raises(TransitionRefused):
        desk.dutylog.handover(actors["staff"], "夜班小王")
    entry = desk.dutylog.handover(actors["staff"], "夜班小王", force_by=actors["supervisor"])
    assert entry.entry_type == "handover"


def test_L1_staffed_hours(desk):
    assert desk.is_staffed(datetime(2026, 11, 23, 7, 30)) and not desk.is_staffed(
        datetime(2026, 11, 23, 20, 0)
    )


def test_S1_satisfaction_levels(desk, actors):
    w = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
    with pytest.raises(ValueError):
        desk.follow_ups.record(w.number, "还行", actors["staff"])


def test_X1_staff_pin_is_hashed_and_login_checks_it(desk):
    with pytest.raises(ValidationError):
        desk.staff.add(NewStaff("guard1", "guard", "4321"))  # new accounts: 6 digits at least
    account = desk.staff.add(NewStaff("guard1", "guard", "432187"))
    assert "432187" not in account.pin_hash and account.pin_hash.startswith("scrypt$")
    assert desk.staff.login("guard1", "432187").role == Role.GUARD
    with pytest.raises(AuthError):
        desk.staff.login("guard1", "000000")
    assert not hasattr(desk, "login_pin")  # a PIN alone never picks an account


def test_X2_purge_anonymises_old_visits_keeps_counts_and_chain(desk, actors, clock):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], True)
    desk.visits.check_out(v.pass_code, actors["visitor"])
    clock.advance(days=91)
    result = desk.reports.purge()
    assert result["visits"] == 1 and result["log_entries"] >= 3
    anon = desk.get(v.number)
    assert anon.anonymised and not anon.id_number and not anon.visitor_name and anon.party_size == 2
    raw = b"".join(p.read_bytes() for p in (desk.store.log_dir).glob("*.jsonl"))
    assert ID.encode() not in raw and "赵六".encode() not in raw
    assert desk.store.verify() == []


def test_X2_purge_leaves_nothing_in_snapshots_or_indexes(desk, actors, clock):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], True)
    desk.visits.check_out(v.pass_code, actors["visitor"])
    desk.store.compact()  # today's snapshot now holds the visitor's data
    clock.advance(days=91)
    desk.reports.purge()
    files = [p for p in desk.store.dir.rglob("*") if p.is_file() and p.suffix != ".jsonl"]
    assert not any(
        ID.encode() in p.read_bytes() or "赵六".encode() in p.read_bytes() for p in files
    )
    assert desk.store.find("visit", "phone", "13600001111") == []
    assert desk.store._postings[("visit", "phone")].lookup("13600001111") == []
    assert desk.store.snapshots()  # a fresh snapshot replaces the old ones


def test_owner_import_search_by_initials_and_unit_tree(desk):
    assert [o.name for o in desk.directory.search("zs")] == ["张三"]
    assert desk.directory.by_phone("138-1234-5678").unit == "3-2-501"
    assert desk.directory.unit_tree()["3"]["2"] == ["501", "502"]
    with pytest.raises(ValidationError) as err:
        desk.directory.import_owners([{"unit": "3-2-503", "name": "坏", "phone": "123"}])
    assert "第1行" in err.value.message


def test_E1_emergency_words_flag_and_log(desk, actors):
    w = desk.repairs.report(
        RepairRequest(**repair_fields(description="家里着火了")), actors["owner"]
    )
    assert w.emergency and w.urgent
    assert any("紧急" in e.text for e in desk.dutylog.day(desk.now().date()))


def test_types_survive_round_trip(desk, actors):
    v = desk.visits.register(VisitRequest(**visit_fields()), actors["visitor"])
    assert isinstance(desk.get(v.number), Visit)
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    assert isinstance(desk.get(p.number), Parcel)
    w = desk.repairs.report(RepairRequest(**repair_fields()), actors["owner"])
    assert isinstance(desk.get(w.number), WorkOrder)


def test_X1_staff_login_waits_longer_after_failures_per_account_and_per_terminal(desk, clock):
    """Issue 10 item 13: id + PIN; after 3 wrong PINs each further try on that account (from
    any terminal) or from that terminal (on any account) waits, longer each time; logged
    for the supervisor. A right PIN during the wait is refused too."""
    desk.staff.add(NewStaff("guard1", "guard", "432187"))
    desk.staff.add(NewStaff("guard2", "guard", "765432"))
    for pin in ("000000", "111111", "222222"):
        with pytest.raises(AuthError):
            desk.staff.login("guard1", pin, source="kiosk-1")
    with pytest.raises(LockedOut) as first:
        desk.staff.login("guard1", "432187", source="kiosk-2")  # the account waits
    with pytest.raises(LockedOut):
        desk.staff.login("guard2", "765432", source="kiosk-1")  # the terminal waits
    assert desk.staff.login("guard2", "765432", source="kiosk-2").name == "guard2"
    clock.advance(seconds=31)
    with pytest.raises(AuthError):
        desk.staff.login("guard1", "333333", source="kiosk-3")
    with pytest.raises(LockedOut) as second:
        desk.staff.login("guard1", "432187", source="kiosk-3")
    assert second.value.until - clock.now > first.value.until - (clock.now - timedelta(seconds=31))
    assert ("account:guard1", 4, second.value.until.isoformat()) in desk.staff.failed_logins()
    clock.advance(seconds=61)
    assert desk.staff.login("guard1", "432187", source="kiosk-3").name == "guard1"


def test_P3_a_right_code_never_resets_the_wrong_code_count(desk, actors, clock):
    """Issue 10 item 14: keying one's own code between wrong guesses does not clear them."""
    mine = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    wrong = "000000" if mine.pickup_code != "000000" else "111111"
    for _ in range(2):
        for _ in range(2):
            with pytest.raises(NotFound):
                desk.parcels.for_code(wrong, "kiosk-1")
        assert desk.parcels.for_code(mine.pickup_code, "kiosk-1")
    with pytest.raises(LockedOut):
        desk.parcels.for_code(wrong, "kiosk-1")  # the fifth wrong one within the window


def test_P3_wrong_codes_are_also_counted_over_all_sources(desk, actors, clock):
    """Issue 10 item 14: guessing from many caller numbers hits the global count."""
    p = desk.parcels.receive(ParcelIn(**parcel_fields()), actors["guard"])
    wrong = "000000" if p.pickup_code != "000000" else "111111"
    limit = desk.settings.rules.pickup_global_max_failures
    for i in range(limit - 1):
        with pytest.raises(NotFound):
            desk.parcels.for_code(wrong, f"1390000{i:04d}")
    with pytest.raises(LockedOut):
        desk.parcels.for_code(wrong, "13911112222")
    with pytest.raises(LockedOut):
        desk.parcels.for_code(p.pickup_code, "kiosk-1")  # everyone waits a few minutes
    clock.advance(minutes=desk.settings.rules.pickup_global_lockout_minutes, seconds=1)
    assert desk.parcels.for_code(p.pickup_code, "kiosk-1")


def test_T3_a_missed_call_leaves_the_callback_list_once_called_back(desk, actors):
    call = desk.calls.record(CallLog(caller="13812345678", status="missed"), actors["staff"])
    assert call in desk.calls.callbacks()
    done = desk.calls.called_back(call.number, actors["staff"])
    assert done.callback_done and done not in desk.calls.callbacks()
    assert done.history[-1].note == "已回电" and done.status == "missed"


def test_issue14_T3_E1_who_takes_a_caller_who_asks_for_a_person(desk, clock):
    """人工: the desk phone only in staffed hours and only when there is one; an emergency:
    the duty phone at any hour, else the desk phone in staffed hours, never "wait"."""
    p = desk.policy
    day, night = local(2026, 11, 23, 10, 0), local(2026, 11, 23, 23, 0)
    assert p.operator_handover(day, desk_phone=True).transfer_to == "desk"
    assert p.operator_handover(day, desk_phone=False).transfer_to == ""
    assert p.operator_handover(day, desk_phone=False).then == "voicemail"
    at_night = p.operator_handover(night, desk_phone=True)
    assert at_night.transfer_to == "" and at_night.then == "after_hours"
    assert at_night.callback_from == local(2026, 11, 24, 7, 30)
    assert p.emergency_handover(night, True, True).transfer_to == "duty"
    assert p.emergency_handover(night, True, False).transfer_to == ""
    assert p.emergency_handover(day, True, False).transfer_to == "desk"
    for hand in (
        p.emergency_handover(night, False, False),
        p.emergency_handover(day, False, False),
    ):
        assert hand.then == "emergency" and hand.callback_from <= night
