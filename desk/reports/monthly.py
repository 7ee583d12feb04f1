"""`reception report --month`: the month's figures to the screen, a signed-off PDF and CSV files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desk.config import Settings
from desk.fileio import private_dir
from desk.reports.csv_export import write_csv
from desk.reports.figures import MonthFigures, month_figures
from desk.reports.pdf import render_pdf
from desk.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonthReport:
    """What was written, and the figures it shows."""

    figures: MonthFigures
    pdf: Path
    csv: list[Path]


def write_month_report(
    store: Store, settings: Settings, month: str, out_dir: Path | None, now: datetime
) -> MonthReport:
    """Compute ``month`` (YYYY-MM) as the records stand at ``now``; write PDF and CSV to ``out_dir``.

    The default directory is ``<data_dir>/reports`` (0700: the report names customers, masked).
    """
    out = private_dir(out_dir or Path(settings.store.data_dir) / "reports")
    figures = month_figures(store, settings, month, now)
    pdf = render_pdf(figures, out / f"report-{month}.pdf", settings.site.name)
    return MonthReport(figures, pdf, write_csv(figures, out))
