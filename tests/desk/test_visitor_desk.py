"""The visitor desk (issue 16 items 2-6, issue 12 "Visitors waiting"): V1-V5 through the core."""

from __future__ import annotations

from datetime import date, time

import pytest

from desk.record_types import Visit
from desk.services.base import AuthError
from desk.services.renovations import PassRefused
from desk.services.requests import BlockRequest, PreauthRequest, RenovationRequest, VisitRequest
from desk.services.visits import VisitorBlocked

ID = "11010519491231002X"
OTHER_ID = "110101199003077774"


def guest(**over):
    base = dict(host_unit="3-2-501", visitor_name="赵六", id_type="resident_id", id_number=ID,
                phone="13600001111", purpose="探亲访友", plate="粤B12345")  # fmt: skip
    return VisitRequest(**{**base, **over})


def test_known_visitor_recognised_by_keyed_hash_not_a_copy(desk, actors):
    """Issue 16 item 2: the same ID comes back with its name, usual host and plate."""
    assert desk.visits.known("resident_id", ID) is None
    for unit in ("3-2-501", "3-2-501", "1-1-101"):
        v = desk.visits.register(guest(host_unit=unit), actors["visitor"])
        desk.visits.host_answer(v.number, actors["owner"], True)
    third = desk.get(v.number)
    assert third.earlier_visits == 2 and len(third.id_hash) == 32 and ID not in third.id_hash
    known = desk.visits.known("resident_id", ID.lower(), from_card=True)
    assert (known.name, known.count, known.usual_host, known.plate) == (
        "赵六",
        3,
        "3-2-501",
        "粤B12345",
    )
    # X1: a typed number proves nothing: no host is offered
    assert desk.visits.known("resident_id", ID).usual_host == ""
    assert desk.visits.known("resident_id", OTHER_ID) is None
    # the hash is keyed per site: the key file exists, private, and is not the plain SHA-256
    key = desk.store.dir / "keys" / "id_hash.key"
    assert key.stat().st_mode & 0o777 == 0o600
    import hashlib

    assert hashlib.sha256(f"resident_id:{ID}".encode()).hexdigest()[:32] != third.id_hash


def test_purge_forgets_the_hash_too(desk, actors, clock):
    v = desk.visits.register(guest(), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], True)
    desk.visits.check_out(v.number, actors["guard"])
    clock.advance(days=desk.settings.retention.visitor_days + 2)
    desk.reports.purge()
    assert desk.get(v.number).id_hash == ""
    assert desk.visits.known("resident_id", ID) is None


def test_blocklist_refuses_without_the_reason_and_alerts_the_guard(desk, actors):
    """Issue 16 item 3: a blocked visitor is told to see the desk; the guard gets the reason."""
    with pytest.raises(AuthError):  # a visitor may not add entries
        desk.blocklist.add(BlockRequest(ID, "赵六", "多次尾随进入", "物业经理"), actors["visitor"])
    entry = desk.blocklist.add(
        BlockRequest(ID, "赵六", "多次尾随进入", "物业经理", until=date(2027, 1, 31)),
        actors["staff"],
    )
    assert ID not in str(entry.to_doc())
    with pytest.raises(VisitorBlocked) as err:
        desk.visits.register(guest(), actors["visitor"])
    assert "尾随" not in err.value.message and "前台" in err.value.message
    [alert] = desk.guard.pending()
    assert alert.number == err.value.request_number and alert.request_kind == "blocked_visitor"
    assert "多次尾随进入" in alert.note and "物业经理" in alert.note and ID not in alert.note
    assert desk.store.open_docs("visit") == []  # not registered
    # someone else is not blocked; a removed or ended entry no longer blocks
    assert desk.visits.register(guest(id_number=OTHER_ID), actors["visitor"]).status
    desk.blocklist.remove(entry.number, actors["supervisor"], "已解除")
    assert desk.visits.register(guest(), actors["visitor"]).status == "waiting_host"
    assert [e.number for e in desk.blocklist.entries(include_ended=True)] == [entry.number]
    assert desk.blocklist.entries() == []


def test_blocklist_entry_ends_after_its_day(desk, actors, clock):
    desk.blocklist.add(
        BlockRequest(ID, "赵六", "冒充快递", "主管", until=clock.now.date()), actors["staff"]
    )
    assert desk.blocklist.check("resident_id", ID) is not None
    clock.advance(days=1)
    assert desk.blocklist.check("resident_id", ID) is None


def renovation(desk, actors, clock, **over):
    base = dict(unit="1-1-101", company="好家装饰", permit="sg-2026 031",
                first_day=clock.now.date(), last_day=date(2026, 12, 4),
                hours_from=time(8, 0), hours_until=time(12, 0), workers=("孙师傅",))  # fmt: skip
    return desk.renovations.add(RenovationRequest(**{**base, **over}), actors["staff"])


def worker(**over):
    return guest(
        **{"visitor_kind": "decoration", "host_unit": "3-2-501", "work_pass": "SG-2026031", **over}
    )


def test_V4_worker_pass_tied_to_the_renovation_its_unit_and_hours(desk, actors, clock):
    reno = renovation(desk, actors, clock)
    assert reno.permit == "SG-2026031"
    v = desk.visits.register(worker(), actors["visitor"])
    # the owner's unit comes from the renovation, not what the worker typed
    assert v.host_unit == "1-1-101" and v.valid_until.strftime("%H:%M") == "12:00"
    admitted = desk.visits.host_answer(v.number, actors["owner"], True)
    assert admitted.valid_until.strftime("%H:%M") == "12:00"  # not the guest's 8 hours


def test_V4_worker_refused_out_of_hours_on_rest_days_and_after_the_end(desk, actors, clock):
    renovation(desk, actors, clock)
    clock.now = clock.now.replace(hour=13)
    with pytest.raises(PassRefused, match="08:00–12:00"):
        desk.visits.register(worker(), actors["visitor"])
    clock.now = clock.now.replace(day=28, hour=9)  # Saturday
    with pytest.raises(PassRefused, match="周末"):
        desk.visits.register(worker(), actors["visitor"])
    clock.now = clock.now.replace(month=12, day=7, hour=9)  # after its last day
    with pytest.raises(PassRefused, match="12-04 结束"):
        desk.visits.register(worker(), actors["visitor"])
    with pytest.raises(PassRefused, match="没有这个施工证"):
        desk.visits.register(worker(work_pass="NOPE"), actors["visitor"])
    assert desk.store.open_docs("visit") == []
    assert desk.renovations.listing() == []  # ended: no longer listed as active
    assert len(desk.renovations.listing(include_ended=True)) == 1


def test_V4_a_renovation_needs_sane_dates_and_staff(desk, actors, clock):
    from desk.errors import ValidationError

    with pytest.raises(ValidationError):
        renovation(desk, actors, clock, last_day=date(2026, 11, 1))
    with pytest.raises(ValidationError):
        renovation(desk, actors, clock, hours_from=time(18, 0), hours_until=time(8, 0))


def test_V1_passes_expire_and_are_signed_out_by_the_tick(desk, actors, clock):
    v = desk.visits.register(guest(), actors["visitor"])
    admitted = desk.visits.host_answer(v.number, actors["owner"], True)
    hours = desk.settings.rules.visit_pass_hours
    assert admitted.valid_until == admitted.time_in.replace() + __import__("datetime").timedelta(
        hours=hours
    )
    assert desk.visits.tick() == {"closed": 0, "signed_out": 0, "expired": 0}
    clock.advance(hours=hours, minutes=1)
    assert desk.visits.tick()["signed_out"] == 1
    out = desk.get(v.number)
    assert out.status == "checked_out" and out.time_out == admitted.valid_until
    assert out.history[-1].actor.role == "system"


def test_issue12_waiting_visits_of_people_gone_are_closed(desk, actors, clock):
    v = desk.visits.register(guest(), actors["visitor"])
    clock.advance(minutes=desk.settings.rules.visit_wait_minutes - 1)
    assert desk.visits.tick()["closed"] == 0
    clock.advance(minutes=2)
    assert desk.visits.tick()["closed"] == 1
    assert desk.get(v.number).status == "expired" and desk.visits.waiting() == []


def test_V5_preauthorised_code_expires_by_the_tick(desk, actors, clock):
    pre = desk.visits.preauthorise(
        PreauthRequest(
            "3-2-501", visitor_name="钱七", valid_from=time(9, 0), valid_until=time(11, 0)
        ),
        actors["owner"],
    )
    clock.now = clock.now.replace(hour=11, minute=1)
    assert desk.visits.tick()["expired"] == 1
    assert desk.get(pre.number).status == "expired"


def test_V2_message_after_decline_reaches_the_callback_list(desk, actors):
    v = desk.visits.register(guest(), actors["visitor"])
    desk.visits.host_answer(v.number, actors["owner"], False)
    outcome = desk.visits.leave_message(v.number, actors["visitor"], "我是小赵，下午再来")
    assert outcome.delivered and outcome.title != "留言已转交住户"
    [entry] = desk.calls.callbacks()
    assert entry.status == "visitor_message" and entry.callee == "13812345678"
    assert entry.outcome == "我是小赵，下午再来" and v.number in entry.records
    # a decline is final: the message is added to the declined visit, which stays declined
    after = desk.get(v.number)
    assert after.status == "declined" and after.message


def test_V2_message_for_a_unit_without_phone_is_not_claimed(desk, actors):
    v = desk.visits.register(guest(host_unit="9-9-909"), actors["visitor"])
    outcome = desk.visits.leave_message(v.number, actors["visitor"], "下午再来")
    assert not outcome.delivered and "前台" in outcome.line
    assert desk.calls.callbacks() == []
    assert desk.get(v.number).status == "expired"


def test_on_site_lists_everyone_in_and_not_out(desk, actors, clock):
    """Issue 16 item 6: visitors, workers and couriers inside, oldest first."""
    renovation(desk, actors, clock)
    a = desk.visits.register(guest(), actors["visitor"])
    desk.visits.host_answer(a.number, actors["owner"], True)
    clock.advance(minutes=5)
    w = desk.visits.register(worker(id_number=OTHER_ID), actors["visitor"])
    desk.visits.host_answer(w.number, actors["owner"], True)
    c = desk.visits.register(guest(visitor_kind="courier", id_type="none", id_number=""),
                             actors["visitor"])  # fmt: skip
    waiting = desk.visits.register(guest(host_unit="1-1-101"), actors["visitor"])
    assert [v.number for v in desk.visits.on_site()] == [a.number, w.number]
    desk.visits.check_out(a.pass_code, actors["visitor"])
    assert [v.number for v in desk.visits.on_site()] == [w.number]
    assert c.number and waiting.number


def test_V5_kiosk_preauthorisation_needs_the_phone_pin(desk, actors):
    """V5 at the kiosk: registered phone + that resident's phone PIN; a time window."""
    from desk.workflow import TransitionRefused

    desk.directory.set_phone_pin("3-2-501", "13812345678", "432198", actors["staff"])
    for phone, pin in (("13812345678", ""), ("13812345678", "000000"), ("13912345678", "432198")):
        actor = desk.visits.resident_at_kiosk("3-2-501", phone, pin, "kiosk-1")
        with pytest.raises(TransitionRefused):
            desk.visits.preauthorise(PreauthRequest("3-2-501", visitor_name="钱七"), actor)
    verified = desk.visits.resident_at_kiosk("3-2-501", "13812345678", "432198", "kiosk-1")
    assert (verified.role, verified.confidence, verified.unit) == ("owner", "verified", "3-2-501")
    pre = desk.visits.preauthorise(
        PreauthRequest("3-2-501", visitor_name="钱七", valid_from=time(14), valid_until=time(16)),
        verified,
    )
    assert isinstance(pre, Visit) and pre.valid_from.hour == 14 and pre.valid_until.hour == 16
    assert desk.visits.by_preauth_code(pre.preauth_code) is None  # 09:00: not yet
    with pytest.raises(TransitionRefused):  # another unit: refused
        desk.visits.preauthorise(PreauthRequest("3-2-502"), verified)


def test_V5_kiosk_preauthorisation_refusals_are_worded_by_the_core(desk, actors):
    req = PreauthRequest("3-2-501", visitor_name="钱七", valid_from=time(14), valid_until=time(16))
    with pytest.raises(AuthError, match="尚未设置电话查询密码"):
        desk.visits.preauthorise_at_kiosk(req, "13812345678", "432198", "kiosk-1")
    desk.directory.set_phone_pin("3-2-501", "13812345678", "432198", actors["staff"])
    with pytest.raises(AuthError, match="不正确"):
        desk.visits.preauthorise_at_kiosk(req, "13812345678", "111111", "kiosk-1")
    ok = desk.visits.preauthorise_at_kiosk(req, "13812345678", "432198", "kiosk-1")
    assert ok.preauthorised_by == "张三"
    by_guard = desk.visits.preauthorise_at_kiosk(req, "", "", "kiosk-1", staff=actors["guard"])
    assert by_guard.preauthorised_by == "guard"


def test_V5_a_code_does_not_let_a_blocked_person_in(desk, actors):
    pre = desk.visits.preauthorise(PreauthRequest("3-2-501", visitor_name="赵六"), actors["owner"])
    desk.blocklist.add(BlockRequest(ID, "赵六", "冒用预约码", "主管"), actors["staff"])
    with pytest.raises(VisitorBlocked):
        desk.visits.arrive(pre.preauth_code, guest(), actors["visitor"])
    assert desk.get(pre.number).status == "preauthorised"
    [alert] = desk.guard.pending()
    assert "冒用预约码" in alert.note and "3栋2单元501" in alert.note
    ok = desk.visits.arrive(pre.preauth_code, guest(id_number=OTHER_ID), actors["visitor"])
    assert ok.status == "admitted" and len(ok.id_hash) == 32
