"""The monthly report over a generated month: every figure against counts from the plans (S1, R2, R5, C3-C5, P4, V3, K2, T3)."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from desk import cli
from desk.clock import local
from desk.config import load_settings
from desk.records import format_number
from desk.reports.figures import MonthFigures, month_figures
from desk.reports.monthly import write_month_report
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
    # R3: every dispatch now names a technician or the repair team, so none is 未记录
    assert not any("维修人员" in line for line in fig.not_recorded)


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
    c = fig.on_time["有效投诉联系客户（2小时）"]
    assert (c.hit, c.total) == rate(exp.contact)
    assert 0 < c.hit < c.total
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


needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (deploy/install.sh) not installed"
)


@needs_poppler
def test_pdf_is_a4_in_the_cjk_face_and_holds_the_figures(month, tmp_path: Path) -> None:
    desk, _, fig = month
    report = write_month_report(desk.store, desk.settings, "2026-11", tmp_path, AS_OF)
    info = subprocess.run(["pdfinfo", report.pdf], capture_output=True, text=True).stdout
    assert "A4" in info
    fonts = subprocess.run(["pdffonts", report.pdf], capture_output=True, text=True).stdout
    assert "NotoSansCJKsc" in fonts  # the Simplified Chinese face, embedded
    text = subprocess.run(
        ["pdftotext", "-layout", report.pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    assert "2026年11月 月度服务报告" in pages[0]
    sat = fig.satisfaction_rate
    assert f"{sat.hit}/{sat.total}（{sat.value:.1%}）" in text
    assert "工单总数" in text and str(fig.orders) in pages[2]
    assert all(label in pages[3] for label in fig.complaints_by_category)
    dispatch = fig.on_time["派工（急修立即，普通2小时）"]
    assert f"{dispatch.hit}/{dispatch.total}" in text
    for miss in fig.follow_orders.exceptions:
        assert format_number(miss.number) in text  # exceptions by name (R5)
    assert all("制表人" in p and "审核（主管）" in p for p in pages if p.strip())
    pngs = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", report.pdf, pngs],
                   check=True)  # fmt: skip
    assert list(tmp_path.glob("page*.png"))


def test_csv_holds_the_same_figures(month, tmp_path: Path) -> None:
    desk, exp, fig = month
    report = write_month_report(desk.store, desk.settings, "2026-11", tmp_path, AS_OF)
    main, daily, exceptions, hourly = report.csv
    assert main.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens UTF-8 with a BOM
    rows = list(csv.reader(main.open(encoding="utf-8-sig")))
    assert rows[0] == ["部分", "项目", "数值", "计数", "分母", "比率", "目标", "达标"]
    found = {(r[0], r[1]): r[2] for r in rows[1:]}
    assert found[("报修工单 (R1-R3)", "工单总数")] == str(fig.orders)
    numbers = {(r[0], r[1]): r[3:6] for r in rows[1:]}
    sat = fig.satisfaction_rate
    assert numbers[("满意度 (S1)", "满意率（非常满意+满意）/回答数")] == [
        str(sat.hit), str(sat.total), f"{sat.hit / sat.total:.4f}"]  # fmt: skip
    assert numbers[("报修工单 (R1-R3)", "工单总数")] == [str(fig.orders), "", ""]
    assert found[("投诉 (C2, C5)", "集体投诉事件")] == str(exp.collective_events)
    days = list(csv.reader(daily.open(encoding="utf-8-sig")))[1:]
    assert len(days) == 30
    assert sum(int(d[4]) for d in days) == exp.visits
    hours = list(csv.reader(hourly.open(encoding="utf-8-sig")))[1:]
    assert {int(h[0][:2]): int(h[1]) for h in hours if h[1] != "0"} == dict(exp.visits_by_hour)
    listed = list(csv.reader(exceptions.open(encoding="utf-8-sig")))[1:]
    assert {r[1].replace("-", "") for r in listed if r[0] == "工单"} == exp.order_exceptions


def test_report_command(month, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    desk, _, fig = month
    data = desk.settings.store.data_dir
    assert (
        cli.main(["--data", str(data), "report", "--month", "2026-11", "--out", str(tmp_path)]) == 0
    )
    out = capsys.readouterr().out
    assert f"工单总数：{fig.orders}" in out and "report-2026-11.pdf" in out
    assert (tmp_path / "report-2026-11.pdf").stat().st_size > 10_000
    assert cli.main(["--data", str(data), "report", "--month", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err


def test_an_empty_month_and_a_bad_month(desk) -> None:

    from desk.reports.figures import month_figures
    from desk.reports.measures import NO_DATA, month_bounds

    fig = month_figures(desk.store, desk.settings, "2026-02", local(2026, 3, 5))
    assert len(fig.days) == 28 and fig.orders == 0
    assert fig.satisfaction_rate.text() == NO_DATA and fig.satisfaction_rate.meets_target is None
    assert month_bounds("2026-12") == (local(2026, 12, 1), local(2027, 1, 1))
    with pytest.raises(ValueError, match="YYYY-MM"):
        month_bounds("2026-13")


def test_pending_promises_are_neither_hits_nor_misses() -> None:
    from datetime import timedelta

    from desk.reports.measures import Rate

    now = local(2026, 11, 20, 12, 0)
    r = Rate(target=1.0)
    r.count(now - timedelta(hours=1), now, now)  # done in time
    r.count(now + timedelta(hours=1), now, now)  # done late
    r.count(None, now - timedelta(minutes=1), now)  # not done, past due
    r.count(None, now + timedelta(hours=1), now)  # not done, not yet due
    r.count(None, None, now)  # no promise made
    assert (r.hit, r.total, r.pending) == (1, 3, 1) and r.meets_target is False
