"""The notice queue in the core: what is queued at which change, to whom, and when it may go."""

from __future__ import annotations

import dataclasses
from datetime import datetime, time

import pytest

from desk.notice_hooks import notice_line, queue_of
from desk.notice_templates import (
    MAX_PARTS,
    TemplateError,
    load_templates,
    parse_templates,
    sms_parts,
)
from desk.notices import Request, in_quiet_hours
from desk.records import SYSTEM
from desk.services.requests import (
    ComplaintRequest,
    EmergencyReport,
    ParcelIn,
    PreauthRequest,
    RepairRequest,
    VisitRequest,
)


def parcel(desk, actors, **kw):
    fields = dict(unit="3-2-501", recipient_name="张三", courier="顺丰", tracking_no="SF1",
                  compartment="A-07")  # fmt: skip
    fields.update(kw)
    return desk.parcels.receive(ParcelIn(**fields), actors["guard"])


def test_parcel_intake_queues_one_notice_with_code_place_and_time(desk, actors):
    """P2: the recipient (registered phone of the named resident) gets code, compartment, hours."""
    p = parcel(desk, actors)
    queue = queue_of(desk)
    (n,) = queue.for_record(p.number)
    assert n.status == "queued" and n.recipient == "13812345678"
    assert n.text.startswith("【幸福家园物业】")
    assert p.pickup_code in n.text and "A-07" in n.text and "24小时" in n.text
    assert sms_parts(n.text) <= MAX_PARTS
    assert "已排队" in notice_line(desk, p.number) and "138****5678" in notice_line(desk, p.number)


def test_counter_parcel_gives_staffed_hours_and_registered_mail_its_own_wording(desk, actors):
    """P2, P4: counter pickups name the desk's hours; registered mail says it goes back in 2 days."""
    p = parcel(desk, actors, compartment="counter", phone="13612345678")
    (n,) = queue_of(desk).for_record(p.number)
    assert n.recipient == "13612345678"  # given in the transaction itself
    assert "07:30-20:00" in n.text and "前台" in n.text
    m = parcel(desk, actors, registered_mail=True, compartment="counter", tracking_no="EMS1")
    (n,) = queue_of(desk).for_record(m.number)
    assert n.template == "registered_mail" and "退回邮局" in n.text and "11月25日" in n.text


def test_number_not_registered_nor_given_gets_nothing(desk, actors):
    """Privacy: nothing goes to a number outside the register or the transaction."""
    queue = queue_of(desk)
    got = queue.enqueue([Request("x:1", "test", "13500000000", "", {"office": "x", "time": "t"})])
    assert got == []
    p = parcel(desk, actors, unit="9-9-999", recipient_name="某人")
    assert queue.for_record(p.number) == []
    assert "未发送" in notice_line(desk, p.number)


def test_same_notice_id_is_queued_once(desk):
    queue = queue_of(desk)
    req = Request("test:1", "test", "13812345678", "", {"office": "幸福家园", "time": "9:00"})
    assert len(queue.enqueue([req])) == 1
    assert queue.enqueue([req]) == []
    assert len(queue.pending()) == 1


def test_opt_out_stops_non_essential_only(desk, actors):
    """Opt-out (owner register flag): reminders and follow-ups no, transactional notices yes."""
    owner = desk.directory.by_phone("13812345678")
    with desk.store.transaction() as txn:
        txn.put("owner", owner.number, owner.replace(sms_opt_out=True).to_doc(), SYSTEM.to_doc())
    queue = queue_of(desk)
    slots = {"place": "A", "days": "8", "code": "123456", "hotline": "1"}
    assert queue.enqueue([Request("r:1", "parcel_reminder", "13812345678", "", slots)]) == []
    p = parcel(desk, actors)
    assert len(queue.for_record(p.number)) == 1


def test_quiet_hours_hold_all_but_urgent(desk, actors, clock):
    """Quiet hours 21:30-07:30 (default): a night intake waits, an urgent alert goes."""
    assert in_quiet_hours(datetime(2026, 1, 1, 23, 0), time(21, 30), time(7, 30))
    assert in_quiet_hours(datetime(2026, 1, 1, 7, 0), time(21, 30), time(7, 30))
    assert not in_quiet_hours(datetime(2026, 1, 1, 7, 30), time(21, 30), time(7, 30))
    clock.now = datetime(2026, 11, 23, 22, 0)
    parcel(desk, actors)
    queue = queue_of(desk)
    assert queue.next_due() is None
    visit = desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="赵六",
                                              id_type="none", purpose="送货"), actors["visitor"])  # fmt: skip
    # V2, V3: the new core asks the host about every visitor, and a guard as well when there
    # is no ID (the old core skipped the host then): so this one gets a host SMS too.
    assert visit.status == "waiting_host"
    v = desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="赵六", id_type="passport",
                                          id_number="E12345678", purpose="送货"), actors["visitor"])  # fmt: skip
    due = queue.next_due()
    assert due is not None and due.template == "visitor_host" and due.record == visit.number
    hosts = [n.record for n in queue.pending() if n.template == "visitor_host"]
    assert sorted(hosts) == sorted([visit.number, v.number])  # urgent: not held in quiet hours
    clock.now = datetime(2026, 11, 24, 7, 31)
    assert queue.next_due().template == "visitor_host"  # urgent first


def test_pace_per_minute_and_per_recipient(desk, actors, clock):
    queue = queue_of(desk)
    queue.settings = dataclasses.replace(queue.settings, per_minute=2, per_recipient_hour=1)
    for i in range(3):
        parcel(desk, actors, tracking_no=f"T{i}", phone=f"1361234567{i}")
    for _ in range(2):
        n = queue.next_due()
        assert queue.claim(n.number)
        queue.sent(n.number, [1])
    assert queue.next_due() is None  # 2 a minute
    clock.advance(seconds=61)
    assert queue.next_due() is not None
    parcel(desk, actors, tracking_no="T9", phone="13612345670")  # same number as the first
    numbers = {queue.next_due().recipient for _ in range(1)}
    assert "13612345670" not in numbers


def test_sent_sets_notified_at_and_report_delivers(desk, actors, clock):
    """P2: the parcel is notified from the real send; a status report per part delivers it."""
    p = parcel(desk, actors)
    queue = queue_of(desk)
    n = queue.next_due()
    queue.claim(n.number)
    clock.advance(seconds=3)
    queue.sent(n.number, [7, 8])
    got = desk.get(p.number)
    assert got.status == "notified" and got.notified_at == clock.now
    assert queue.report(7, "+8613812345678", True).status == "sent"
    assert queue.report(8, "13812345678", True).status == "delivered"


def test_claimed_notice_is_never_sent_again_after_a_crash(desk, actors, tmp_path, clock):
    """A sender that died after claiming: the notice fails at the next start, it is not resent."""
    parcel(desk, actors)
    queue = queue_of(desk)
    n = queue.next_due()
    queue.claim(n.number)
    failed = queue_of(desk).recover()
    assert [f.number for f in failed] == [n.number] and failed[0].status == "failed"
    assert queue.next_due() is None


def test_refused_retries_then_fails(desk, actors, clock):
    queue = queue_of(desk)
    queue.settings = dataclasses.replace(queue.settings, max_attempts=2, retry_s=10)
    parcel(desk, actors)
    n = queue.next_due()
    queue.claim(n.number)
    assert queue.refused(n.number, "+CMS ERROR: 500").status == "queued"
    assert queue.next_due() is None
    clock.advance(seconds=11)
    queue.claim(queue.next_due().number)
    assert queue.refused(n.number, "+CMS ERROR: 500").status == "failed"


def test_templates_over_three_parts_are_refused():
    with pytest.raises(TemplateError, match="parts"):
        parse_templates({"long": {"text": "很长的通知" * 40}}, "幸福家园物业")
    with pytest.raises(TemplateError, match="slot"):
        parse_templates({"bad": {"text": "取件码{secret}"}}, "幸福家园物业")
    assert "parcel_intake" in load_templates("幸福家园物业")


def test_sms_parts_matches_gammu():
    """The core's part count agrees with Gammu's encoder (UCS-2 70/67, GSM 160/153)."""
    gammu = pytest.importorskip("gammu")
    for text in ("短" * 70, "短" * 71, "短" * 134, "短" * 135, "a" * 160, "a" * 161, "【物业】abc"):
        parts = gammu.EncodeSMS({"Class": -1, "Unicode": not text.isascii(),
                                 "Entries": [{"ID": "ConcatenatedTextLong", "Buffer": text}]})  # fmt: skip
        assert sms_parts(text) == len(parts), text


def test_owner_register_import_carries_the_opt_out_flag(desk):
    (o,) = desk.directory.import_owners(
        [{"unit": "5-1-101", "name": "周八", "phone": "13512345678", "sms_opt_out": "是"}]
    )
    assert o.sms_opt_out and queue_of(desk).opted_out("13512345678")
    assert not queue_of(desk).opted_out("13812345678")


def with_duty_phone(desk, number="13900000000"):
    queue = queue_of(desk)
    desk.settings = dataclasses.replace(
        desk.settings, notices=dataclasses.replace(desk.settings.notices, duty_phone=number)
    )
    queue.settings = desk.settings.notices
    return queue


def alerts(desk):
    return [n for n in queue_of(desk).pending() if n.template in ("staff_alert", "device_offline")]


def test_staff_alerts_go_to_the_duty_phone_at_once(desk, actors, clock):
    """R2, E1, C2: urgent repairs, emergencies, collective complaints, devices offline."""
    from desk.notice_hooks import device_offline

    with_duty_phone(desk)
    clock.now = datetime(2026, 11, 23, 23, 0)  # quiet hours: alerts go anyway
    desk.repairs.report(RepairRequest(location="3-2-501", category="lift", description="电梯困人",
                                      contact_name="张三", contact_phone="13812345678"), actors["owner"])  # fmt: skip
    desk.emergencies.report(EmergencyReport("kiosk", "button", what="有人晕倒"), actors["visitor"])
    for i, unit in enumerate(["3-2-501", "3-2-502", "3-1-101", "3-1-102", "3-1-103"]):
        desk.complaints.file(ComplaintRequest(unit=unit, phone=f"1381234000{i}", category="cleaning",
                                              content="楼道垃圾没人清理"), actors["owner"])  # fmt: skip
    device_offline(desk, "小票打印机", clock.now)
    device_offline(desk, "小票打印机", clock.now)  # once an hour at most
    got = alerts(desk)
    assert all(n.recipient == "13900000000" and n.urgent for n in got)
    texts = " ".join(n.text for n in got)
    assert (
        "电梯困人" in texts
        and "紧急求助" in texts
        and "集体投诉" in texts
        and "小票打印机" in texts
    )
    # R2, E1: the new core makes a lift trapping an emergency, which also records an emergency
    # request; that request is not alerted a second time (one event, one SMS): still 4.
    assert len(got) == 4
    assert queue_of(desk).next_due().template in ("staff_alert", "device_offline")


def test_no_duty_phone_no_alerts(desk, actors):
    desk.emergencies.report(EmergencyReport("kiosk", "button", what="有人晕倒"), actors["visitor"])
    assert alerts(desk) == []


def test_complaint_acknowledged_with_number_and_promised_time(desk, actors):
    """C3: the acknowledgement names the complaint's number and when we will reply."""
    c = desk.complaints.file(ComplaintRequest(unit="3-2-501", phone="13812345678", category="cleaning",
                                              content="楼道垃圾没人清理", severity="minor"), actors["owner"])  # fmt: skip
    (n,) = queue_of(desk).for_record(c.number)
    assert "3-261123-0001" in n.text and f"{c.reply_by:%H:%M}" in n.text


def test_preauthorisation_code_goes_to_the_owner_who_made_it(desk, actors):
    """V5: the code made by phone is sent to the registered phone of the owner who made it."""
    v = desk.visits.preauthorise(PreauthRequest("3-2-501", party_size=2), actors["owner"])
    (n,) = queue_of(desk).for_record(v.number)
    assert n.recipient == "13812345678" and v.preauth_code in n.text


def test_work_order_received_dispatched_completed(desk, actors):
    """R1-R3: received with its number, dispatched with technician and time, completed."""
    o = desk.repairs.report(RepairRequest(location="3-2-501", category="door_window",
                                          description="窗户关不上", contact_name="张三",
                                          contact_phone="13812345678"), actors["owner"])  # fmt: skip
    desk.repairs.dispatch(o.number, actors["staff"], assignee="李师傅")
    for action in ("accept", "arrive"):
        desk.repairs.transition(o.number, action, actors["staff"])
    desk.repairs.complete(o.number, actors["staff"])
    got = sorted(queue_of(desk).for_record(o.number), key=lambda n: n.number)
    assert [n.template for n in got] == ["work_order_received", "work_order_dispatched",
                                         "work_order_completed"]  # fmt: skip
    assert "2-261123-0001" in got[0].text and "李师傅" in got[1].text


def test_overdue_reminders_on_the_policy_days_then_the_return_notice(desk, actors, clock):
    """P4: reminded when overdue (parcel_overdue_days), again every 3 days (3 at most), then
    the return notice; each reminder once however often the worker looks."""
    from desk.notice_hooks import parcel_reminders

    p = parcel(desk, actors, phone="13612345678")
    assert parcel_reminders(desk) == []
    clock.advance(days=desk.settings.rules.parcel_overdue_days, minutes=1)
    (r,) = parcel_reminders(desk)
    assert r.template == "parcel_reminder" and "存放7天" in r.text and p.pickup_code in r.text
    assert parcel_reminders(desk) == []
    clock.advance(days=3)
    assert len(parcel_reminders(desk)) == 1
    desk.parcels.return_to_sender(p.number, actors["staff"], "逾期未领")
    (ret,) = [n for n in queue_of(desk).for_record(p.number) if n.template == "parcel_returned"]
    assert "已退回寄件方" in ret.text


def test_guard_is_told_when_a_night_intake_will_be_sent(desk, actors, clock):
    clock.now = datetime(2026, 11, 23, 23, 0)
    p = parcel(desk, actors)
    assert notice_line(desk, p.number) == "取件短信将于07:30后发出（138****5678，免打扰时段）"


def test_a_live_senders_claim_is_not_taken_for_a_crash(desk, actors):
    """Two senders (kiosk and service): one starting does not fail what the other is sending."""
    import os

    parcel(desk, actors)
    queue = queue_of(desk)
    n = queue.claim(queue.next_due().number)
    import socket

    with desk.store.transaction() as txn:  # as if another live process (our parent) claimed it
        other = n.replace(claimed_by=f"{socket.gethostname()}:{os.getppid()}")
        txn.put("notice", n.number, other.to_doc(), SYSTEM.to_doc())
    assert queue.recover() == []
    with desk.store.transaction() as txn:  # a process that is gone
        txn.put("notice", n.number, n.replace(claimed_by="otherhost:1").to_doc(), SYSTEM.to_doc())
    assert [f.status for f in queue.recover()] == ["failed"]


def test_a_notice_claimed_by_another_live_sender_is_not_due(desk, actors):
    import os
    import socket

    parcel(desk, actors)
    queue = queue_of(desk)
    n = queue.next_due()
    with desk.store.transaction() as txn:
        other = n.replace(
            claimed_at=desk.now(), claimed_by=f"{socket.gethostname()}:{os.getppid()}"
        )
        txn.put("notice", n.number, other.to_doc(), SYSTEM.to_doc())
    assert queue.next_due() is None and queue.claim(n.number) is None
