"""The monthly report as an A4 PDF a manager prints and signs: figures, charts with their numbers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from desk.clock import in_site
from desk.fileio import atomic_write
from desk.reports.figures import MonthFigures
from desk.reports.fonts import cjk_family
from desk.reports.measures import NO_DATA, Rate
from desk.reports.summary import Row, daily_rows, exception_rows, summary_rows

log = logging.getLogger(__name__)

A4 = (8.27, 11.69)
"""A4 portrait in inches."""
LEFT, RIGHT = 0.08, 0.92
LINE = 0.0175
"""Height of a text line in figure coordinates (10 pt on A4)."""
BLUE, GREY, RED, GREEN = "#2f5d8a", "#8c8c8c", "#c0392b", "#2e7d32"
EXCEPTIONS_PER_PAGE = 46


class Page:
    """One A4 page: header, body cursor, signature footer."""

    def __init__(self, title: str, heading: str, site: str) -> None:
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=A4)
        self.fig.text(LEFT, 0.965, site, fontsize=9, color=GREY)
        self.fig.text(RIGHT, 0.965, title, fontsize=9, color=GREY, ha="right")
        self.fig.text(LEFT, 0.93, heading, fontsize=15, weight="bold", color=BLUE)
        self.fig.add_artist(_rule(0.922))
        self.y = 0.9

    def text(self, text: str, size: float = 10, **kw: Any) -> None:
        self.fig.text(LEFT, self.y, text, fontsize=size, va="top", **kw)
        self.y -= LINE * size / 10 * 1.25

    def rows(self, rows: Sequence[Row], x: float = LEFT, width: float = RIGHT - LEFT) -> None:
        """Label, value, target and whether it is met, one figure a line."""
        for row in rows:
            self.fig.text(x, self.y, row.item, fontsize=9.5, va="top")
            colour = {True: GREEN, False: RED, None: "black"}[row.met]
            value = row.value + (f"  （目标 {row.target}）" if row.target else "")
            self.fig.text(
                x + width, self.y, value, fontsize=9.5, va="top", ha="right", color=colour
            )
            self.y -= LINE
        self.y -= LINE / 2

    def axes(self, height: float, left: float = LEFT + 0.1, width: float | None = None) -> Any:
        width = (RIGHT - left) if width is None else width
        ax = self.fig.add_axes((left, self.y - height, width, height - 0.02))
        self.y -= height + 0.03
        return ax

    def finish(self, number: int, total: int, printed: datetime) -> Any:
        """Signature lines and the page number: every page is signed (the manager's copy)."""
        self.fig.add_artist(_rule(0.075))
        self.fig.text(LEFT, 0.05, "制表人：____________", fontsize=10)
        self.fig.text(0.38, 0.05, "审核（主管）：____________", fontsize=10)
        self.fig.text(0.70, 0.05, "日期：____________", fontsize=10)
        self.fig.text(LEFT, 0.025, f"生成于 {printed:%Y-%m-%d %H:%M}", fontsize=8, color=GREY)
        self.fig.text(RIGHT, 0.025, f"第 {number} 页 / 共 {total} 页", fontsize=8, ha="right",
                      color=GREY)  # fmt: skip
        return self.fig


def _rule(y: float) -> Any:
    from matplotlib.lines import Line2D

    return Line2D([LEFT, RIGHT], [y, y], color=GREY, linewidth=0.6)


def _style(ax: Any, title: str) -> None:
    ax.set_title(title, fontsize=10.5, loc="left", color=BLUE)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.tick_params(labelsize=8.5)


def hbars(ax: Any, labels: Sequence[str], values: Sequence[float], title: str,
          texts: Sequence[str] | None = None, target: float | None = None,
          colours: Sequence[str] | None = None) -> None:  # fmt: skip
    """Horizontal bars, largest on top, each labelled with its number; a target line if given."""
    pos = list(range(len(labels)))[::-1]
    bars = ax.barh(pos, values, color=colours or BLUE, height=0.62)
    ax.set_yticks(pos, labels)
    ax.bar_label(bars, labels=list(texts or [str(v) for v in values]), padding=3, fontsize=8)
    top = max([*values, target or 0, 1])
    ax.set_xlim(0, top * 1.25)
    ax.set_xticks([])  # every bar carries its number: no value axis to read off
    ax.spines["bottom"].set_visible(False)
    if target is not None:
        ax.axvline(target, color=RED, linestyle="--", linewidth=1)
        ax.text(target, len(labels) - 0.4, f"目标 {target:g}", color=RED, fontsize=8, ha="center")
    _style(ax, title)


def vbars(ax: Any, labels: Sequence[str], values: Sequence[int], title: str) -> None:
    bars = ax.bar(range(len(labels)), values, color=BLUE, width=0.7)
    ax.set_xticks(range(len(labels)), labels, fontsize=8)
    ax.bar_label(bars, labels=[str(v) if v else "" for v in values], padding=2, fontsize=7.5)
    ax.set_ylim(0, max([*values, 1]) * 1.18)
    ax.set_yticks([])  # every bar carries its number
    ax.spines["left"].set_visible(False)
    _style(ax, title)


def lines(ax: Any, days: Sequence[str], series: dict[str, Sequence[int]], title: str) -> None:
    """Daily volume: one line a kind of record, with the month's total in the legend."""
    x = range(len(days))
    for name, values in series.items():
        ax.plot(
            x,
            values,
            marker="o",
            markersize=2.5,
            linewidth=1.2,
            label=f"{name}（共 {sum(values)}）",
        )
    ax.set_xticks(list(x)[::3], [d[-2:] for d in days][::3])
    ax.set_xlabel("日", fontsize=8.5)
    ax.legend(fontsize=8, ncols=3, loc="upper left", frameon=False)
    ax.set_ylim(0, max([max(v, default=0) for v in series.values()] + [1]) * 1.35)
    _style(ax, title)


def _rate_bar(rate: Rate) -> tuple[float, str]:
    if rate.value is None:
        return 0.0, NO_DATA
    return rate.value * 100, f"{rate.value:.1%}（{rate.hit}/{rate.total}）"


def _overview(fig: MonthFigures, page: Page, rows: list[Row]) -> None:
    d = fig.desk
    page.text(f"统计期间：{fig.days[0]:%Y-%m-%d} 至 {fig.days[-1]:%Y-%m-%d}　　"
              f"数据截至：{fig.as_of:%Y-%m-%d %H:%M}", 10)  # fmt: skip
    page.text(f"报修工单 {fig.orders} 张，投诉 {fig.complaints} 件，快递 {d.parcels_received} 件，"
              f"访客 {d.visits} 人次，钥匙借出 {d.key_loans} 次，热线来电 {d.calls_in} 个。", 10)  # fmt: skip
    page.y -= LINE / 2
    targets = [
        ("满意率 (S1)", fig.satisfaction_rate, 90),
        ("工单回访率 (R5)", fig.follow_orders.completion, 100),
        ("投诉回访率 (C4)", fig.follow_complaints.completion, 100),
        *((name, rate, 100) for name, rate in fig.on_time.items()),
    ]
    values, texts, colours = [], [], []
    for _name, rate, target in targets:
        v, t = _rate_bar(rate)
        values.append(v)
        texts.append(t)
        colours.append(GREY if rate.value is None else GREEN if v >= target else RED)
    ax = page.axes(0.42, left=LEFT + 0.25)
    hbars(ax, [n for n, _, _ in targets], values, "各项指标对照目标（%；绿色达标，红色未达标）",
          texts, None, colours)  # fmt: skip
    ax.set_xlim(0, 135)
    for mark, style in ((90, ":"), (100, "--")):
        ax.axvline(mark, color=RED, linestyle=style, linewidth=0.8)
        ax.text(mark, len(targets) - 0.35, f"{mark}%", color=RED, fontsize=7.5, ha="center")
    page.text("关键指标", 11, weight="bold", color=BLUE)
    page.rows([Row(r.section, f"{r.section.split(' ')[0]}·{r.item}", r.value, r.target, r.met)
               for r in rows if r.target][:14])  # fmt: skip


def _satisfaction(fig: MonthFigures, page: Page, rows: list[Row]) -> None:
    levels = list(fig.satisfaction)
    counts = [fig.satisfaction[k] for k in levels]
    total = sum(counts)
    texts = [f"{n}（{n / total:.1%}）" if total else "0" for n in counts]
    ax = page.axes(0.2)
    hbars(ax, levels, counts, f"满意度四级分布（回答 {total} 个）", texts)
    page.rows([r for r in rows if r.section == "满意度 (S1)"][:1])
    for section in ("工单回访 (R5)", "投诉回访 (C4)"):
        page.text(section, 11, weight="bold", color=BLUE)
        page.rows([r for r in rows if r.section == section])
    for name, tally in (("工单", fig.follow_orders), ("投诉", fig.follow_complaints)):
        ax = page.axes(0.11)
        stages = ["完成/处理", "已联系上", "已评价", "按时回访"]
        values = [tally.completed, tally.reached, tally.rated, tally.on_time.hit]
        hbars(ax, stages, values, f"{name}回访完成情况（件）")


def _orders(fig: MonthFigures, page: Page, rows: list[Row]) -> None:
    page.rows([r for r in rows if r.section == "报修工单 (R1-R3)"][:3])
    cats = fig.orders_by_category.most_common()
    hbars(page.axes(0.17), [k for k, _ in cats], [n for _, n in cats], "按类别（张）")
    blds = sorted(fig.orders_by_building.items(), key=lambda kv: (len(kv[0]), kv[0]))
    vbars(page.axes(0.14), [k for k, _ in blds], [n for _, n in blds], "按楼栋（张）")
    techs = fig.orders_by_technician.most_common()
    hbars(page.axes(0.11), [k for k, _ in techs], [n for _, n in techs], "按维修人员（张）")
    daily = daily_rows(fig)
    days = [r[0] for r in daily]
    lines(page.axes(0.17), days, {"报修": [r[1] for r in daily], "投诉": [r[2] for r in daily]},
          "每日报修与投诉量")  # fmt: skip


def _complaints(fig: MonthFigures, page: Page, rows: list[Row]) -> None:
    section = [r for r in rows if r.section == "投诉 (C2, C5)"]
    page.rows([section[0], *[r for r in section if r.item.startswith(("有效投诉", "集体"))]])
    cats = list(fig.complaints_by_category.items())
    hbars(page.axes(0.24), [k for k, _ in cats], [n for _, n in cats], "按类别 (C5)（件）")
    classes = list(fig.complaints_by_class.items())
    total = sum(n for _, n in classes) or 1
    hbars(page.axes(0.15), [k for k, _ in classes], [n for _, n in classes], "按定性 (C2)（件）",
          [f"{n}（{n / total:.0%}）" for _, n in classes])  # fmt: skip
    page.text("投诉及时率", 11, weight="bold", color=BLUE)
    page.rows([r for r in rows if r.section == "及时率 (R2, C3)" and "投诉" in r.item])


def _desk(fig: MonthFigures, page: Page, rows: list[Row]) -> None:
    d = fig.desk
    half = (RIGHT - LEFT - 0.06) / 2
    top = bottom = page.y
    for i, section in enumerate(
        ("快递包裹 (P1-P4)", "访客 (V1-V3)", "钥匙 (K2)", "热线 (T1-T3, E1)")
    ):
        x = LEFT + (i % 2) * (half + 0.06)
        if i == 2:
            top = bottom
        page.y = top
        page.fig.text(x, page.y, section, fontsize=11, weight="bold", color=BLUE, va="top")
        page.y -= LINE * 1.4
        page.rows([r for r in rows if r.section == section], x=x, width=half)
        bottom = min(bottom, page.y)
    page.y = bottom
    hours = list(range(24))
    vbars(page.axes(0.16), [f"{h}" for h in hours], [d.visits_by_hour[h] for h in hours],
          "访客按时段（人次，横轴为时）")  # fmt: skip
    daily = daily_rows(fig)
    lines(page.axes(0.2), [r[0] for r in daily],
          {"快递": [r[3] for r in daily], "访客": [r[4] for r in daily], "来电": [r[5] for r in daily]},
          "每日快递、访客与来电量")  # fmt: skip


def _exceptions(fig: MonthFigures, site: str, title: str) -> list[Page]:
    """R5/C4 exceptions by name, then the figures the records do not hold."""
    items = exception_rows(fig)
    pages: list[Page] = []
    for start in range(0, max(len(items), 1), EXCEPTIONS_PER_PAGE):
        page = Page(title, "回访例外清单 (R5, C4)", site)
        if not items:
            page.text("本月没有回访例外。")
        chunk = items[start : start + EXCEPTIONS_PER_PAGE]
        # one text block a column (not a text a cell): a long list renders in a fraction
        for column, x in enumerate((LEFT, LEFT + 0.07, LEFT + 0.25, LEFT + 0.35)):
            page.fig.text(x, page.y, "\n".join(row[column] for row in chunk), fontsize=9,
                          va="top", linespacing=1.62)  # fmt: skip
        page.y -= LINE * len(chunk)
        pages.append(page)
    page = pages[-1]
    page.y -= LINE
    page.text("未记录的数据（记录中没有，报表不作估计）", 11, weight="bold", color=BLUE)
    for item in fig.not_recorded or ["无"]:
        page.text(f"· {item}", 9.5)
    return pages


def render_pdf(fig: MonthFigures, path: Path, site_name: str, font: str = "") -> Path:
    """Write the report to ``path`` (atomically); Chinese in the CJK face, embedded as Type 3 glyphs (matplotlib cannot embed the CFF outlines of Noto Sans CJK as Type 42: matplotlib#20870)."""
    import io

    import matplotlib
    from matplotlib.backends.backend_pdf import PdfPages

    family = cjk_family(font)
    title = f"{fig.month[:4]}年{int(fig.month[5:])}月 月度服务报告"
    rows = summary_rows(fig)
    sections: list[tuple[str, Callable[[MonthFigures, Page, list[Row]], None]]] = [
        (f"{title} · 概览", _overview),
        ("满意度与回访 (S1, R5, C4)", _satisfaction),
        ("报修工单 (R1-R3)", _orders),
        ("投诉 (C2-C5)", _complaints),
        ("快递、访客、钥匙、热线", _desk),
    ]
    printed = in_site(datetime.now().astimezone()).replace(microsecond=0)
    buf = io.BytesIO()
    with matplotlib.rc_context({"font.family": [family], "pdf.fonttype": 3,
                                "axes.unicode_minus": False}):  # fmt: skip
        pages = []
        for heading, draw in sections:
            page = Page(title, heading, site_name)
            draw(fig, page, rows)
            pages.append(page)
        pages += _exceptions(fig, site_name, title)
        with PdfPages(
            buf, metadata={"Title": f"{site_name} {title}", "Creator": "reception"}
        ) as pdf:
            for i, page in enumerate(pages, 1):
                pdf.savefig(page.finish(i, len(pages), printed))
    atomic_write(path, buf.getvalue())
    log.info("report %s: %d pages -> %s", fig.month, len(pages), path)
    return path
