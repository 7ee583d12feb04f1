"""Shift and safety in the core: key loans have a due time, overdue keys are listed and alerted
once (K2); the incoming shift signs the handover with their own login (L3)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.records import Actor, Role
from desk.services.requests import KeyLoanRequest, NewKey, NewStaff
from desk.workflow import TransitionRefused


def test_K2_a_loan_is_due_back_and_overdue_keys_are_listed_and_alerted_once(desk, actors, clock):
    desk.keys.add(NewKey("K1", "1栋水泵房", "钥匙 1-01", "plant"))
    loan = desk.keys.lend(
        KeyLoanRequest("K1", borrower_name="王师傅", borrower_is_staff=True), actors["guard"]
    )
    assert loan.due_back == clock.now + timedelta(hours=4)  # no agreed time: the default
    assert [(i.what, i.state) for i in desk.reports.due() if i.number == loan.number] == [
        ("还钥匙", "ok")
    ]
    clock.advance(hours=5)
    assert [x.number for x in desk.keys.overdue()] == [loan.number]
    assert [i.state for i in desk.reports.due() if i.number == loan.number] == ["overdue"]
    alerted = desk.keys.alert_overdue()
    assert [a.number for a in alerted] == [loan.number] and desk.keys.alert_overdue() == []
    pages = [p.text for p in desk.dutylog.day(clock.now.date()) if "钥匙逾期未还" in p.text]
    assert len(pages) == 1 and "王师傅" not in pages[0] and "王*" in pages[0]
    desk.keys.take_back(loan.number, actors["guard"])
    assert desk.keys.overdue() == []


def test_L3_the_incoming_shift_signs_with_their_own_login(desk, actors):
    desk.staff.add(NewStaff("夜班小王", "staff", "135791"))
    incoming = desk.staff.login("夜班小王", "135791", "desk")
    with pytest.raises(TransitionRefused, match="本人"):
        desk.dutylog.handover(actors["staff"], "别人", incoming=incoming)
    entry = desk.dutylog.handover(actors["staff"], "夜班小王", incoming=incoming)
    assert "接班人已登录签名" in entry.text and entry.handover_to == "夜班小王"
    with pytest.raises(TransitionRefused, match="同一人"):
        desk.dutylog.handover(incoming, "夜班小王", incoming=Actor(Role.STAFF, "夜班小王", "desk"))


def test_R4_K2_the_minute_check_tells_owners_and_alerts_keys_once(desk, actors, clock):
    from desk.services.requests import RepairRequest

    w = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="水管爆裂",
                                          contact_name="张三", contact_phone="13812345678", urgent=True),
                            actors["owner"])  # fmt: skip
    desk.orders.dispatch(w.number, actors["staff"], assignee="老陈")
    desk.keys.add(NewKey("K9", "配电房", "钥匙 1-09", "plant"))
    desk.keys.lend(KeyLoanRequest("K9", borrower_name="李工", borrower_is_staff=True,
                                  due_back=clock.now + timedelta(minutes=20)), actors["guard"])  # fmt: skip
    clock.advance(minutes=31)
    first = desk.reports.alert()
    assert sorted(x.split()[0] for x in first) == ["K2", "R4"]
    assert desk.reports.alert() == []
