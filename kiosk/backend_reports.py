"""The kiosk's staff-side reports: monthly figures, K4/P5 reminders, the L3 daily sheet on handover."""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)


class ReportsMixin:
    """Mixed into ``KioskBackend`` (which provides ``desk``, ``devices`` and ``settings``)."""

    desk: Any
    devices: Any
    settings: Any

    def _queue_daily_sheet(self, number: str) -> None:
        if self.devices is None:
            return
        from desk.reports.daily_sheet import daily_sheet
        from devices.audit_receipts import daily_sheet_receipt

        now = self.desk.now()
        sheet = daily_sheet(self.desk.store, now.date(), now, self.desk.due_report(now))
        kind, payload = daily_sheet_receipt(sheet, self.settings)
        self.devices.print(kind, number, payload)

    def check_reminders(self) -> list[tuple[str, str]]:
        """(level, text): the K4 stock-take from the 25th (an alert after the 27th) and the P5
        evening parcel audit, until each is done."""
        from desk.reports.parcel_audit import evening_audit_reminder
        from desk.reports.stocktake import stocktake_reminder

        now = self.desk.now()
        out = []
        stocktake = stocktake_reminder(self.desk.store, now.date())
        if stocktake:
            out.append(stocktake)
        parcels = evening_audit_reminder(self.desk.store, self.settings, now)
        if parcels:
            out.append(("reminder", parcels))
        return out

    def month_rows(self, month: str) -> list[Any]:
        """The monthly report's rows (desk.reports.summary), as the records stand now."""
        from desk.reports.figures import month_figures
        from desk.reports.summary import summary_rows

        return summary_rows(month_figures(self.desk.store, self.settings, month, self.desk.now()))

    def write_month_report(self, month: str) -> str:
        """The PDF to print and sign and the CSV files, in <data>/reports."""
        from desk.reports.monthly import write_month_report

        report = write_month_report(self.desk.store, self.settings, month, None, self.desk.now())
        return f"已生成 {report.pdf.name} 及表格，在 {report.pdf.parent}"
