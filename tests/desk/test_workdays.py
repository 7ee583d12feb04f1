"""Tests for desk.workdays: working days across weekends, 国庆 and 春节 (C3, C4)."""

import logging
from datetime import date, datetime, time, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk import workdays as cal

TZ = timezone(timedelta(hours=8))


def test_C3_package_data_for_the_tested_years():
    first, last = cal.covered_years()
    assert first <= 2024 and last >= 2025
    # 2024 国庆: Oct 1-7 off, Sunday 9/29 and Saturday 10/12 worked.
    assert all(not cal.is_working_day(date(2024, 10, d)) for d in range(1, 8))
    assert cal.is_working_day(date(2024, 9, 29)) and cal.is_working_day(date(2024, 10, 12))
    # 2025 春节: Jan 28 - Feb 4 off, Sunday 1/26 and Saturday 2/8 worked.
    off = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
    assert all(not cal.is_working_day(d) for d in off)
    assert cal.is_working_day(date(2025, 1, 26)) and cal.is_working_day(date(2025, 2, 8))
    # 2025 国庆 + 中秋 run to Oct 8.
    assert not cal.is_working_day(date(2025, 10, 8)) and cal.is_working_day(date(2025, 10, 11))


def test_C3_weekend():
    assert cal.add_working_days(datetime(2024, 3, 8, 16, 0), 1) == datetime(2024, 3, 11, 16, 0)
    assert cal.add_working_days(datetime(2024, 3, 8, 16, 0), 3) == datetime(2024, 3, 13, 16, 0)
    assert cal.add_working_days(datetime(2024, 3, 6, 9, 15), 0) == datetime(2024, 3, 6, 9, 15)


def test_C3_start_on_rest_day_counts_from_next_opening():
    # Saturday 10:00 -> counting starts Monday 08:30.
    assert cal.add_working_days(datetime(2024, 3, 9, 10, 0), 1) == datetime(2024, 3, 12, 8, 30)
    assert cal.add_working_days(datetime(2024, 3, 9, 10, 0), 0) == datetime(2024, 3, 11, 8, 30)


def test_C3_national_day_2024():
    # Friday 9/27 -> Saturday 9/28 is off, Sunday 9/29 is an adjusted working day.
    assert cal.add_working_days(datetime(2024, 9, 27, 10, 0), 1) == datetime(2024, 9, 29, 10, 0)
    # Monday 9/30 + 1 skips the whole holiday.
    assert cal.add_working_days(datetime(2024, 9, 30, 10, 0), 1) == datetime(2024, 10, 8, 10, 0)
    # Received during the holiday: counts from 10/8 08:30.
    assert cal.add_working_days(datetime(2024, 10, 3, 15, 0), 1) == datetime(2024, 10, 9, 8, 30)
    # Friday 10/11 -> Saturday 10/12 is a working day.
    assert cal.add_working_days(datetime(2024, 10, 11, 9, 0), 1) == datetime(2024, 10, 12, 9, 0)


def test_C3_spring_festival_2025():
    fri = datetime(2025, 1, 24, 10, 0)
    assert cal.add_working_days(fri, 1) == datetime(2025, 1, 26, 10, 0)  # Sunday worked
    assert cal.add_working_days(fri, 2) == datetime(2025, 1, 27, 10, 0)
    assert cal.add_working_days(fri, 3) == datetime(2025, 2, 5, 10, 0)
    assert cal.add_working_days(datetime(2025, 1, 29, 11, 0), 0) == datetime(2025, 2, 5, 8, 30)
    # Friday 2/7 -> Saturday 2/8 worked.
    assert cal.add_working_days(datetime(2025, 2, 7, 14, 0), 1) == datetime(2025, 2, 8, 14, 0)


def test_C3_keeps_timezone():
    start = datetime(2024, 9, 30, 10, 0, tzinfo=TZ)
    assert cal.add_working_days(start, 1) == datetime(2024, 10, 8, 10, 0, tzinfo=TZ)
    assert cal.add_working_days(datetime(2024, 10, 3, tzinfo=TZ), 1).tzinfo is TZ


def test_C3_working_hours():
    assert cal.add_working_hours(datetime(2024, 3, 8, 16, 30), 2) == datetime(2024, 3, 11, 9, 30)
    assert cal.add_working_hours(datetime(2024, 3, 11, 7, 0), 1) == datetime(2024, 3, 11, 9, 30)
    assert cal.add_working_hours(datetime(2024, 3, 8, 15, 30), 2) == datetime(2024, 3, 8, 17, 30)
    assert cal.add_working_hours(datetime(2024, 3, 8, 19, 0), 1) == datetime(2024, 3, 11, 9, 30)
    assert cal.add_working_hours(datetime(2024, 9, 30, 17, 0), 1) == datetime(2024, 10, 8, 9, 0)
    assert cal.add_working_hours(datetime(2024, 3, 11, 8, 30), 18) == datetime(2024, 3, 12, 17, 30)
    custom = cal.add_working_hours(datetime(2024, 3, 11, 19, 30), 1, time(7, 30), time(20, 0))
    assert custom == datetime(2024, 3, 12, 8, 0)
    with pytest.raises(ValueError):
        cal.add_working_hours(datetime(2024, 3, 11), -1)


def test_C3_outside_package_years_falls_back_to_weekdays(monkeypatch, caplog):
    monkeypatch.setattr(cal, "_warned_years", set())
    last = cal.covered_years()[1]
    year = last + 5
    monday = date(year, 6, 10)
    monday -= timedelta(days=monday.weekday())
    with caplog.at_level(logging.WARNING, logger="desk.workdays"):
        assert cal.is_working_day(monday)
        assert not cal.is_working_day(monday + timedelta(days=5))
        friday = datetime.combine(monday + timedelta(days=4), time(10, 0))
        assert cal.add_working_days(friday, 1) == friday + timedelta(days=3)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and str(year) in warnings[0].getMessage()


def test_C3_working_days_between():
    assert cal.working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert cal.working_days_between(date(2024, 10, 8), date(2024, 9, 30)) == 0
    assert cal.next_working_day(date(2025, 1, 27)) == date(2025, 2, 5)
    assert cal.next_working_day(date(2025, 1, 27), include_today=True) == date(2025, 1, 27)


@given(
    st.datetimes(datetime(2023, 1, 1), datetime(2026, 11, 30)),
    st.integers(1, 10),
)
def test_C4_add_working_days_lands_on_a_working_day(start, n):
    end = cal.add_working_days(start, n)
    assert end > start
    assert cal.is_working_day(end)
    if cal.is_working_day(start):
        assert end.time() == start.time()
        assert cal.working_days_between(start.date(), end.date()) == n
