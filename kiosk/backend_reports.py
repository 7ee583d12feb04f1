"""The kiosk's staff-side reports: monthly figures, K4/P5 reminders, the L3 daily sheet on handover."""

from __future__ import annotations

import logging
from typing import Any

from desk.masking import mask_name
from desk.records import format_number

log = logging.getLogger(__name__)


class ReportsMixin:
    """Mixed into ``KioskBackend`` (which provides ``desk``, ``devices`` and ``settings``)."""

    desk: Any
    devices: Any
    settings: Any

    def staff_actor(self) -> Any: ...

    def _queue_daily_sheet(self, number: str) -> None:
        if self.devices is None:
            return
        from desk.reports.daily_sheet import daily_sheet
        from devices.audit_receipts import daily_sheet_receipt

        now = self.desk.now()
        sheet = daily_sheet(self.desk.store, now.date(), now, self.desk.reports.due(now))
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

    # -- K4 / P5 checks -------------------------------------------------------------
    def read_slots(self, which: str) -> dict[str, bool | None]:
        """Item sensors of the key slots or parcel compartments (none without devices)."""
        if self.devices is None:
            return {}
        from devices.audit_run import read_slots

        return read_slots(self.devices, "key" if which == "keys" else "parcel")

    def unsensed_items(self, which: str, readings: dict[str, bool | None]) -> list[tuple[str, str]]:
        """(id, label) of what the guard must look for: no sensor reading for its place."""
        from desk.reports.parcel_audit import COUNTER, STORED
        from devices.compartments import normalise_name

        sensed = {normalise_name(k): v for k, v in readings.items()}
        store = self.desk.store
        if which == "keys":
            return [
                (d["number"], f"钥匙 {d['label']}（{d['slot']}）")
                for d in store.all_docs("key")
                if d["status"] == "in" and sensed.get(normalise_name(d["slot"])) is None
            ]
        return [
            (
                d["number"],
                f"快递 {format_number(d['number'])} {mask_name(d['recipient_name'])}"
                f"（{'前台' if d['compartment'] in COUNTER else d['compartment']}）",
            )
            for d in store.open_docs("parcel")
            if d["status"] in STORED and sensed.get(normalise_name(d["compartment"] or "-")) is None
        ]

    def run_check(self, which: str, readings: dict[str, bool | None], ticked: list[str]) -> Any:
        """Write the signed stock-take / audit record and queue its report on the printer."""
        from desk.reports.parcel_audit import parcel_audit
        from desk.reports.stocktake import key_stocktake
        from devices.compartments import normalise_name

        run = key_stocktake if which == "keys" else parcel_audit
        audit = run(self.desk.store, self.staff_actor(), self.desk.now(), readings, ticked,
                    normalise_name)  # fmt: skip
        self._queue_audit(audit)
        return audit

    def settle_check(self, number: str, note: str) -> Any:
        """A named person (the one logged in) settles the differences; the report is reprinted."""
        from desk.reports.audits import settle

        audit = settle(self.desk.store, number, self.staff_actor(), note, self.desk.now())
        self._queue_audit(audit)
        return audit

    def _queue_audit(self, audit: Any) -> None:
        if self.devices is None:
            return
        from devices.audit_receipts import audit_receipt

        kind, payload = audit_receipt(audit, self.settings)
        self.devices.print(kind, audit.number, payload)
