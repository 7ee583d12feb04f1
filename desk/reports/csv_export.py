"""The month's figures as CSV files a spreadsheet opens (UTF-8 with BOM for Excel)."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from desk.fileio import atomic_write
from desk.reports.figures import MonthFigures
from desk.reports.summary import daily_rows, exception_rows, summary_rows

log = logging.getLogger(__name__)


def _write(path: Path, header: list[str], rows: list[tuple] | list[list]) -> Path:
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write(path, ("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def write_csv(fig: MonthFigures, out_dir: Path) -> list[Path]:
    """report-YYYY-MM.csv (every figure), -daily.csv (volume by day), -exceptions.csv (R5, C4),
    -visitors-by-hour.csv (V1)."""
    stem = f"report-{fig.month}"
    summary = [[r.section, r.item, r.value, *r.numbers(), r.target,
                {True: "是", False: "否", None: ""}[r.met]] for r in summary_rows(fig)]  # fmt: skip
    return [
        _write(
            out_dir / f"{stem}.csv",
            ["部分", "项目", "数值", "计数", "分母", "比率", "目标", "达标"],
            summary,
        ),
        _write(
            out_dir / f"{stem}-daily.csv",
            ["日期", "报修工单", "投诉", "快递签收", "访客", "来电"],
            daily_rows(fig),
        ),
        _write(
            out_dir / f"{stem}-exceptions.csv",
            ["类别", "编号", "客户", "情况"],
            exception_rows(fig),
        ),
        _write(
            out_dir / f"{stem}-visitors-by-hour.csv",
            ["时段", "访客"],
            [(f"{h:02d}:00-{h + 1:02d}:00", fig.desk.visits_by_hour[h]) for h in range(24)],
        ),
    ]
