"""The month's figures as labelled rows: one list the PDF, the CSV and the screen all show."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from desk.records import format_number
from desk.reports.figures import MonthFigures
from desk.reports.measures import NO_DATA, NOT_RECORDED, FollowUpTally, Rate

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Row:
    """One figure: its section, label, shown value, and target when it has one."""

    section: str
    item: str
    value: str
    target: str = ""
    met: bool | None = None
    hit: int | None = None
    total: int | None = None
    """A rate's numerator and denominator (for spreadsheets: numbers, not text)."""

    def numbers(self) -> tuple[str, str, str]:
        """(count, of, share) as spreadsheet cells: plain numbers or empty."""
        if self.total is not None and self.hit is not None:
            share = f"{self.hit / self.total:.4f}" if self.total else ""
            return str(self.hit), str(self.total), share
        return (self.value, "", "") if self.value.isdigit() else ("", "", "")


def _rate(section: str, item: str, rate: Rate) -> Row:
    target = "" if rate.target is None else f"≥{rate.target:.0%}"
    value = rate.text()
    if rate.pending:
        value += f"，另 {rate.pending} 件未到期"
    return Row(section, item, value, target, rate.meets_target, rate.hit, rate.total)


def _follow(section: str, t: FollowUpTally, noun: str) -> list[Row]:
    return [
        Row(section, f"{noun}", str(t.completed)),
        _rate(section, "已回访（回访率）", t.completion),
        Row(section, "已联系上", str(t.reached)),
        Row(section, "已评价", str(t.rated)),
        _rate(section, "按时回访", t.on_time),
        Row(section, "例外（见例外清单）", str(len(t.exceptions))),
    ]


def summary_rows(fig: MonthFigures) -> list[Row]:
    """Every figure of the report, in the order of its pages."""
    d = fig.desk
    rows: list[Row] = [
        _rate("满意度 (S1)", "满意率（非常满意+满意）/回答数", fig.satisfaction_rate)
    ]
    rows += [Row("满意度 (S1)", level, str(n)) for level, n in fig.satisfaction.items()]
    rows += _follow("工单回访 (R5)", fig.follow_orders, "本月完成工单")
    rows += _follow("投诉回访 (C4)", fig.follow_complaints, "本月处理完毕投诉")
    rows += [_rate("及时率 (R2, C3)", item, rate) for item, rate in fig.on_time.items()]
    s = "报修工单 (R1-R3)"
    rows += [Row(s, "工单总数", str(fig.orders)), Row(s, "其中急修", str(fig.orders_urgent)),
             Row(s, "其中紧急事件", str(fig.orders_emergency))]  # fmt: skip
    rows += [Row(s, f"类别：{k}", str(n)) for k, n in fig.orders_by_category.most_common()]
    rows += [Row(s, f"楼栋：{k}", str(n)) for k, n in sorted(fig.orders_by_building.items())]
    rows += [Row(s, f"维修人员：{k}", str(n)) for k, n in fig.orders_by_technician.most_common()]
    s = "投诉 (C2, C5)"
    rows += [Row(s, "投诉总数", str(fig.complaints))]
    rows += [Row(s, f"类别：{k}", str(n)) for k, n in fig.complaints_by_category.items()]
    rows += [Row(s, f"定性：{k}", str(n)) for k, n in fig.complaints_by_class.items()]
    rows += [_rate(s, "有效投诉率（有效/已定性）", fig.valid_share),
             Row(s, "集体投诉事件", str(fig.collective_events)),
             Row(s, "集体投诉件数", str(fig.collective_complaints))]  # fmt: skip
    s = "快递包裹 (P1-P4)"
    median = NO_DATA if d.parcels_median_hours is None else f"{d.parcels_median_hours:.1f} 小时"
    rows += [Row(s, "签收入库", str(d.parcels_received)), Row(s, "已领取", str(d.parcels_collected)),
             Row(s, "其中代领", str(d.parcels_proxy)), Row(s, "超期未领（含超期后领取）", str(d.parcels_overdue)),
             Row(s, "退回", str(d.parcels_returned)), Row(s, "仍在库", str(d.parcels_waiting)),
             Row(s, "领取用时中位数", median)]  # fmt: skip
    s = "访客 (V1-V3)"
    busiest = max(d.visits_by_hour.items(), key=lambda kv: kv[1], default=None)
    rows += [Row(s, "来访登记", str(d.visits)), Row(s, "已放行", str(d.visits_admitted)),
             Row(s, "无证件经批准放行", str(d.visits_no_id_approved)),
             Row(s, "未放行（住户拒绝/无证件不予放行）", str(d.visits_blocked)),
             Row(s, "最忙时段", f"{busiest[0]:02d}:00-{busiest[0] + 1:02d}:00（{busiest[1]} 人）" if busiest else NO_DATA)]  # fmt: skip
    s = "钥匙 (K2)"
    rows += [Row(s, "借出", str(d.key_loans)), Row(s, "已归还", str(d.key_returned)),
             Row(s, "超时归还或超时未还", str(d.key_overdue)), Row(s, "尚未归还", str(d.key_out))]  # fmt: skip
    s = "热线 (T1-T3, E1)"
    rows += [Row(s, "来电", str(d.calls_in)), _rate(s, "接听", d.answered_rate),
             Row(s, "未接/放弃", str(d.calls_abandoned)),
             Row(s, "已回拨", str(d.callbacks_done) if d.callbacks_done or not d.calls_abandoned else NOT_RECORDED),
             _rate(s, "非值班时段来电占比", d.after_hours_share),
             Row(s, "紧急来电", str(d.calls_emergency)), Row(s, "去电（确认、回访）", str(d.calls_out))]  # fmt: skip
    rows += [Row("未记录的数据", item, "") for item in fig.not_recorded]
    return rows


def exception_rows(fig: MonthFigures) -> list[tuple[str, str, str, str]]:
    """R5/C4 exceptions by name: (kind, number, masked name, reason)."""
    out = [("工单", format_number(m.number), m.who, m.reason) for m in fig.follow_orders.exceptions]
    out += [
        ("投诉", format_number(m.number), m.who, m.reason) for m in fig.follow_complaints.exceptions
    ]
    return out


def daily_rows(fig: MonthFigures) -> list[tuple[str, int, int, int, int, int]]:
    """Daily volume: date, work orders, complaints, parcels, visitors, inbound calls."""
    d = fig.desk
    return [
        (day.isoformat(), fig.orders_by_day[day], fig.complaints_by_day[day],
         d.parcels_by_day[day], d.visits_by_day[day], d.calls_by_day[day])
        for day in fig.days
    ]  # fmt: skip


def screen_text(fig: MonthFigures) -> str:
    """The report as plain text for the desk's screen (the same rows as the PDF)."""
    lines = [f"{fig.month} 月度服务报告（截至 {fig.as_of:%Y-%m-%d %H:%M}）"]
    section = ""
    for row in summary_rows(fig):
        if row.section != section:
            section = row.section
            lines.append(f"\n【{section}】")
        flag = {True: "  达标", False: "  未达标", None: ""}[row.met]
        target = f"  目标 {row.target}" if row.target else ""
        lines.append(f"  {row.item}：{row.value}{target}{flag}" if row.value else f"  {row.item}")
    return "\n".join(lines)
