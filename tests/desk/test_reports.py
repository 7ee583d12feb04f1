"""The monthly report over a generated month: every figure against counts from the plans (S1, R2, R5, C3-C5, P4, V3, K2, T3)."""

from __future__ import annotations

import pytest

from desk.config import load_settings
from desk.reports.figures import MonthFigures, month_figures
from desk.service import Desk
from tests.conftest import FakeClock
from tests.desk.traffic import AS_OF, MONTH_START, Expected, Traffic


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> tuple[Desk, Expected, MonthFigures]:
    data = tmp_path_factory.mktemp("month") / "data"
    clock = FakeClock(MONTH_START)
    desk = Desk.open(load_settings(data_dir=data), clock=clock)
    expected = Traffic(desk, clock).run()
    figures = month_figures(desk.store, desk.settings, "2026-11", AS_OF)
    yield desk, expected, figures
    desk.close()


def rate(flags: list[bool]) -> tuple[int, int]:
    return sum(flags), len(flags)


def test_work_orders_by_category_building_technician(month) -> None:
    _, exp, fig = month
    assert sum(exp.orders_by_category.values()) > 250
    assert fig.orders == sum(exp.orders_by_category.values())
    assert dict(fig.orders_by_category) == dict(exp.orders_by_category)
    assert dict(fig.orders_by_building) == dict(exp.orders_by_building)
    assert dict(fig.orders_by_technician) == dict(exp.orders_by_technician)
    assert fig.orders_urgent == exp.orders_urgent
    assert any("维修人员" in line for line in fig.not_recorded)


def test_on_time_dispatch_and_urgent_arrival_R2(month) -> None:
    _, exp, fig = month
    d = fig.on_time["派工（急修立即，普通2小时）"]
    assert (d.hit, d.total) == rate(exp.dispatch)
    assert 0 < d.hit < d.total
    a = fig.on_time["急修到场（30分钟）"]
    assert (a.hit, a.total) == rate(exp.urgent_arrival)
    assert 0 < a.hit < a.total


def test_follow_up_completion_and_exceptions_by_name_R5(month) -> None:
    _, exp, fig = month
    t = fig.follow_orders
    assert t.completed == exp.orders_completed
    assert t.followed == exp.orders_followed
    assert t.rated == exp.orders_followed
    assert (t.on_time.hit, t.on_time.total) == rate(exp.orders_follow_on_time)
    assert {e.number for e in t.exceptions} == exp.order_exceptions
    assert all(e.who == "赵*" for e in t.exceptions)  # named, masked (X1)
    reasons = " ".join(e.reason for e in t.exceptions)
    assert "未接通" in reasons and "未回访" in reasons and "回访超时" in reasons
    c = fig.follow_complaints
    assert (c.completed, c.followed) == (exp.complaints_resolved, exp.complaints_followed)


def test_satisfaction_four_levels_and_rate_S1(month) -> None:
    _, exp, fig = month
    assert dict(fig.satisfaction) == {lv: exp.satisfaction[lv] for lv in fig.satisfaction}
    answers = sum(exp.satisfaction.values())
    happy = exp.satisfaction["非常满意"] + exp.satisfaction["满意"]
    assert (fig.satisfaction_rate.hit, fig.satisfaction_rate.total) == (happy, answers)
    assert fig.satisfaction_rate.target == 0.9


def test_complaints_by_category_class_collective_C2_C5(month) -> None:
    _, exp, fig = month
    assert fig.complaints == exp.complaints
    assert {k: v for k, v in fig.complaints_by_category.items() if v} == dict(
        exp.complaints_by_category
    )
    assert {k: v for k, v in fig.complaints_by_class.items() if v} == dict(exp.complaints_by_class)
    assert (fig.collective_events, fig.collective_complaints) == (
        exp.collective_events,
        exp.collective_complaints,
    )
    r = fig.on_time["投诉答复（C3时限）"]
    assert (r.hit, r.total) == rate(exp.reply)
    valid = exp.complaints_by_class["有效"]
    classified = valid + exp.complaints_by_class["协助"] + exp.complaints_by_class["无效"]
    assert (fig.valid_share.hit, fig.valid_share.total) == (valid, classified)


def test_parcels_visitors_keys_hotline(month) -> None:
    _, exp, fig = month
    d = fig.desk
    assert (d.parcels_received, d.parcels_collected, d.parcels_returned, d.parcels_overdue) == (
        exp.parcels_received,
        exp.parcels_collected,
        exp.parcels_returned,
        exp.parcels_overdue,
    )
    assert d.parcels_median_hours == pytest.approx(exp.parcel_median_hours)
    assert d.visits == exp.visits
    assert dict(d.visits_by_day) == dict(exp.visits_by_day)
    assert dict(d.visits_by_hour) == dict(exp.visits_by_hour)
    assert (d.visits_no_id_approved, d.visits_blocked) == (
        exp.visits_no_id_approved,
        exp.visits_blocked,
    )
    assert (d.key_loans, d.key_overdue) == (exp.key_loans, exp.key_overdue)
    assert (d.calls_in, d.calls_answered, d.calls_abandoned, d.callbacks_done) == (
        exp.calls_in,
        exp.calls_answered,
        exp.calls_abandoned,
        exp.callbacks_done,
    )
    assert (d.calls_after_hours, d.calls_emergency) == (exp.calls_after_hours, exp.calls_emergency)
