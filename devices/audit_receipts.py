"""Receipts of the desk's checks: key stock-take (K4), parcel audit (P5), emergency opening, daily sheet (L3)."""

from __future__ import annotations

import logging
from typing import Any

from desk.record_types import AUDIT_KINDS, FINDINGS, Audit
from desk.reports.daily_sheet import KINDS_ZH, DailySheet
from devices.escpos_doc import EscposDoc
from devices.receipts import _doc, _fmt, _title

log = logging.getLogger(__name__)

STOCKTAKE, PARCEL_AUDIT, EMERGENCY_OPEN, DAILY_SHEET = (
    "key_stocktake",
    "parcel_audit",
    "emergency_open",
    "daily_sheet",
)
"""Receipt kinds, as stored in PrintJob.receipt."""


def _signatures(doc: EscposDoc, *who: str) -> None:
    doc.feed()
    for role in who:
        doc.line(f"{role}签名：" + "_" * 16)
        doc.feed()


def audit_receipt(audit: Audit, settings: Any) -> tuple[str, bytes]:
    """The signed report of a stock-take, parcel audit or emergency opening."""
    doc = _doc(settings)
    _title(
        doc,
        settings,
        AUDIT_KINDS[audit.audit_kind]
        + ("报告" if audit.audit_kind != "emergency_open" else "记录"),
    )
    doc.field("编号", audit.number)
    doc.field("时间", _fmt(audit.created_at, settings))
    doc.field("经办", audit.by)
    if audit.audit_kind == "emergency_open":
        _emergency_body(doc, audit)
        _signatures(doc, "主管", "见证人")
    else:
        doc.field(
            "清点", f"{audit.checked} 件（传感器核对 {audit.sensed}，人工清点 {len(audit.ticked)}）"
        )
        doc.rule()
        if not audit.findings:
            doc.line("账实相符，无差异", align="center", bold=True)
        else:
            doc.line(f"差异 {len(audit.findings)} 项：", bold=True)
            for i, f in enumerate(audit.findings, 1):
                doc.line(f"{i}. [{FINDINGS.get(f['problem'], f['problem'])}] {f['item']}")
                doc.field("   位置", f["place"])
                doc.field("   情况", f["detail"])
        if audit.status == "settled":
            doc.rule()
            doc.field("处理人", audit.settled_by)
            doc.field("处理时间", _fmt(audit.settled_at, settings))
            doc.field("处理结果", audit.settlement)
        elif audit.findings:
            doc.rule()
            doc.line("差异须由具名人员处理后登记：reception settle " + audit.number)
        _signatures(doc, "盘点人", "复核人")
    doc.cut()
    kind = {"key_stocktake": STOCKTAKE, "parcel_audit": PARCEL_AUDIT}.get(
        audit.audit_kind, EMERGENCY_OPEN
    )
    return kind, doc.output


def _emergency_body(doc: EscposDoc, audit: Audit) -> None:
    doc.field("原因", audit.reason)
    doc.field("柜门", f"{audit.checked} 个，确认打开 {audit.sensed} 个")
    doc.rule()
    doc.pair("柜门", "开门 / 回读门状态 / 柜内")
    for f in audit.findings:
        opened = "已开" if f.get("opened") else "未开"
        state = {True: "门关", False: "门开", None: "无读数"}[f.get("closed")]
        item = {True: "有物", False: "空", None: "—"}[f.get("present")]
        doc.pair(str(f["item"]), f"{opened} / {state} / {item}")
        if f.get("detail") and not f.get("opened"):
            doc.line(f"  {f['detail']}")


def daily_sheet_receipt(sheet: DailySheet, settings: Any) -> tuple[str, bytes]:
    """L3: one page for the handover; both shifts sign under the audit log's chain head."""
    doc = _doc(settings)
    _title(doc, settings, f"交接班日报 {sheet.day:%Y-%m-%d}")
    doc.field("打印", _fmt(sheet.printed_at, settings))
    doc.rule()
    doc.pair("事项", "今日受理 / 今日办结 / 未完结")
    for kind, zh in KINDS_ZH.items():
        still = "—" if kind == "call" else str(sheet.still_open[kind])
        done = str(sheet.done[kind]) if kind != "call" else "—"
        doc.pair(zh, f"{sheet.received[kind]} / {done} / {still}")
    doc.rule()
    doc.line(f"已超时事项 {len(sheet.overdue)} 项：" if sheet.overdue else "无超时事项", bold=True)
    for line in sheet.overdue[:30]:
        doc.line(f"{line.number} {line.what} 期限{line.due:%m-%d %H:%M}")
        doc.field("  责任人", line.owner)
        doc.field("  内容", line.summary)
    if len(sheet.overdue) > 30:
        doc.line(f"……另有 {len(sheet.overdue) - 30} 项，见 reception status")
    doc.rule()
    doc.line("审计日志链头（核对日志未被改动）：")
    doc.field("序号", str(sheet.chain_seq))
    head = sheet.chain_head
    doc.line(head[:32])
    doc.line(head[32:])
    _signatures(doc, "交班人", "接班人")
    doc.cut()
    return DAILY_SHEET, doc.output
