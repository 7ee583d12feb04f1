"""Tests for desk.deadlines (R2, R4, R5, C3, C4, P4, K4, E1)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk import deadlines as dl

T0 = datetime(2024, 3, 11, 10, 0)  # a Monday


def test_R2_urgent_repair():
    d = dl.repair_deadlines(T0, urgent=True)
    assert d == {"dispatch_by": T0, "on_site_by": T0 + timedelta(minutes=30)}


def test_R2_ordinary_repair_uses_appointment():
    slot = datetime(2024, 3, 12, 14, 0)
    d = dl.repair_deadlines(T0, urgent=False, appointment_start=slot)
    assert d == {"dispatch_by": T0 + timedelta(hours=2), "on_site_by": slot}
    assert dl.repair_deadlines(T0, urgent=False)["on_site_by"] is None


def test_R5_follow_up():
    assert dl.follow_up_by(T0) == T0 + timedelta(days=3)
    assert dl.follow_up_by(T0, large=True) == T0 + timedelta(days=30)


def test_C3_major():
    d = dl.complaint_deadlines(T0, "major", "valid")
    assert d == {"reply_by": T0 + timedelta(hours=2), "resolve_by": datetime(2024, 3, 14, 10, 0)}


def test_C3_important():
    d = dl.complaint_deadlines(T0, "important", "valid")
    assert d == {
        "reply_by": datetime(2024, 3, 12, 10, 0),
        "resolve_by": datetime(2024, 3, 13, 10, 0),
    }


def test_C3_minor_and_assist():
    d = dl.complaint_deadlines(T0, "minor", "assist")
    assert d == {"reply_by": T0 + timedelta(hours=2), "resolve_by": datetime(2024, 3, 12, 10, 0)}
    assert dl.complaint_deadlines(T0, "minor", "unclassified") == d


def test_C3_invalid_explained_in_2h():
    d = dl.complaint_deadlines(T0, "major", "invalid")
    assert d == {"reply_by": T0 + timedelta(hours=2), "resolve_by": T0 + timedelta(hours=2)}


def test_C3_over_national_day():
    d = dl.complaint_deadlines(datetime(2024, 9, 30, 16, 0), "major", "valid")
    assert d["resolve_by"] == datetime(2024, 10, 10, 16, 0)
    # Received during the holiday: working days count from 10/8 08:30.
    d = dl.complaint_deadlines(datetime(2024, 10, 2, 21, 0), "important", "valid")
    assert d["reply_by"] == datetime(2024, 10, 9, 8, 30)


def test_C3_unknown_values():
    with pytest.raises(ValueError):
        dl.complaint_deadlines(T0, "huge", "valid")
    with pytest.raises(ValueError):
        dl.complaint_deadlines(T0, "minor", "maybe")


def test_C3_contact_and_C4_follow_up():
    assert dl.complaint_contact_by(T0) == T0 + timedelta(hours=2)
    assert dl.complaint_follow_up_by(datetime(2024, 3, 8, 15, 0)) == datetime(2024, 3, 13, 15, 0)
    # 2025 春节: handled Friday 1/24 -> 1/26 (Sunday worked), 1/27, 2/5.
    assert dl.complaint_follow_up_by(datetime(2025, 1, 24, 9, 0)) == datetime(2025, 2, 5, 9, 0)


def test_P4_parcels():
    assert dl.registered_mail_return_by(T0) == T0 + timedelta(days=2)
    assert dl.parcel_reminder_at(T0, 7) == T0 + timedelta(days=7)
    with pytest.raises(ValueError):
        dl.parcel_reminder_at(T0, -1)


def test_K4_stocktake_window():
    assert dl.key_stocktake_window(2025, 2) == (
        date(2025, 2, 25),
        date(2025, 2, 27),
        date(2025, 2, 28),
    )


def test_R4_classify():
    soon = timedelta(minutes=30)
    assert dl.classify(T0, T0 - timedelta(hours=1), soon) == "ok"
    assert dl.classify(T0, T0 - timedelta(minutes=30), soon) == "due_soon"
    assert dl.classify(T0, T0, soon) == "due_soon"
    assert dl.classify(T0, T0 + timedelta(seconds=1), soon) == "overdue"
    assert dl.classify(None, T0, soon) == "ok"


@given(st.datetimes(), st.datetimes(), st.timedeltas(timedelta(0), timedelta(days=2)))
def test_R4_classify_is_consistent(deadline, now, soon):
    status = dl.classify(deadline, now, soon)
    assert (status == "overdue") == (now > deadline)
    if status == "ok":
        assert deadline - now > soon


@pytest.mark.parametrize(
    "text",
    ["厨房水管爆裂了", "家里停电了", "卫生间下水道堵了", "有人困电梯", "闻到煤气味", "楼道 冒 烟"],
)
def test_R2_suggests_urgent(text):
    assert dl.suggests_urgent(text)


@pytest.mark.parametrize("text", ["门铃不响", "想换个灯泡", "墙面有裂缝", ""])
def test_R2_not_urgent(text):
    assert not dl.suggests_urgent(text)


@pytest.mark.parametrize("text", ["3栋着火了", "燃气泄漏", "电梯困人", "天花板漏水", "整栋停电"])
def test_E1_is_emergency(text):
    assert dl.is_emergency(text)


def test_E1_not_emergency():
    assert not dl.is_emergency("马桶堵了")
    assert not dl.is_emergency("投诉保安态度")


@given(st.sampled_from(dl.EMERGENCY_WORDS), st.text(max_size=10), st.text(max_size=10))
def test_E1_emergency_implies_urgent(word, before, after):
    text = before + word + after
    assert dl.is_emergency(text) and dl.suggests_urgent(text)
