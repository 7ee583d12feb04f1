"""Complaints carried through (C1-C4): classified with a reason, first contact within 2 h timed,
handling and resolution recorded, collective complaints alert the director (C2)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.errors import ValidationError
from desk.services.requests import ComplaintRequest


def test_C1_letters_and_emails_are_taken_at_the_desk(desk, actors):
    for channel in ("letter", "email", "desk"):
        c = desk.complaints.file(ComplaintRequest(channel=channel, name="王五", unit="1-1-101",
                                                  phone="13712345678", content="绿化带无人修剪",
                                                  place="1栋前", people="绿化工", wants="尽快修剪",
                                                  category="landscaping"), actors["staff"])  # fmt: skip
        assert (c.channel, c.wants, c.people) == (channel, "尽快修剪", "绿化工")
    acks = desk.notices.recorded("complaint_ack")  # C3: e-mail gets an acknowledgement notice
    assert len(acks) == 1 and "137****5678" in acks[0].text and "13712345678" not in acks[0].text


def test_C2_C3_valid_complaint_classified_with_reason_contact_within_2_hours(desk, actors, clock):
    c = desk.complaints.file(ComplaintRequest(channel="kiosk", unit="3-2-501", phone="13812345678",
                                              content="保洁两天没来", category="cleaning"), actors["owner"])  # fmt: skip
    with pytest.raises(ValidationError):
        desk.complaints.classify(c.number, actors["staff"], "valid", "")
    v = desk.complaints.classify(
        c.number, actors["staff"], "valid", "保洁漏岗，属我方服务问题", "minor"
    )
    assert (v.status, v.validity, v.contact_by) == (
        "classified",
        "valid",
        c.created_at + timedelta(hours=2),
    )
    assert [i.what for i in desk.reports.due() if i.number == c.number][:1] == ["联系"]
    clock.advance(minutes=150)
    assert desk.complaints.contact_late(desk.get(c.number))
    done = desk.complaints.contact(c.number, actors["staff"], "已电话联系，约定明天10点前答复")
    assert done.contacted_at == clock.now and "超时 30 分钟" in done.history[-1].note
    assert "联系" not in [i.what for i in desk.reports.due() if i.number == c.number]
    desk.complaints.handle(c.number, actors["staff"], "已约谈保洁主管，补排班")
    desk.complaints.reply(c.number, actors["staff"], "已安排每日清扫")
    r = desk.complaints.resolve(c.number, actors["staff"], "恢复每日清扫，业主认可")
    assert r.status == "resolved" and r.follow_up_by is not None
    notes = [h.note for h in r.history]
    assert any("约谈保洁主管" in n for n in notes) and any("答复" in n for n in notes)


def test_C2_invalid_complaint_is_explained_within_2_hours(desk, actors):
    c = desk.complaints.file(
        ComplaintRequest(unit="3-2-501", content="邻居家狗叫", category="other"), actors["owner"]
    )
    i = desk.complaints.classify(c.number, actors["staff"], "invalid", "属邻里纠纷，非物业服务")
    assert i.reply_by == c.created_at + timedelta(hours=2) and i.contact_by is None


def test_C2_collective_complaint_alerts_the_director_once(desk, actors):
    units = ["3-2-501", "3-2-502", "1-1-101", "2-1-101", "2-1-102", "2-1-201"]
    for unit in units:
        desk.complaints.file(ComplaintRequest(unit=unit, content="夜间施工噪音", category="decoration",
                                              event_key="night-works"), actors["owner"])  # fmt: skip
    alerts = desk.notices.recorded("collective_complaint")
    assert len(alerts) == 1 and "主任" in alerts[0].text and "5 户" in alerts[0].text
    collective = desk.complaints.collective()
    assert len(collective) == 6 and all(c.director_alerted_at for c in collective)
    assert collective[0].number in desk.dutylog.blocking_items()
