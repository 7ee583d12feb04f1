"""Every receipt laid out in one place from the core's records (V6, R3, P3, K2, C1), masked (X1)."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from desk.deadlines import visit_valid_until
from desk.masking import mask_id, mask_name, mask_phone
from desk.record_types import (
    COMPLAINT_CATEGORIES,
    ID_TYPES,
    KEY_KINDS,
    REPAIR_CATEGORY_FULL,
    VISITOR_KINDS,
    Complaint,
    DutyLogEntry,
    Key,
    KeyLoan,
    Parcel,
    Visit,
    WorkOrder,
)
from desk.records import Record, format_number
from desk.validate import unit_label_zh
from devices import escpos_text as tx
from devices.escpos_doc import EscposDoc

log = logging.getLogger(__name__)

#: Receipt kinds, as stored in PrintJob.receipt.
VISIT_PASS, WORK_ORDER, PARCEL_SLIP, KEY_LOAN, COMPLAINT, TEST, HANDOVER = (
    "visit_pass",
    "work_order",
    "parcel_slip",
    "key_loan",
    "complaint",
    "test",
    "handover",
)
DISPATCH_SLIP = "dispatch_slip"
"""R3: the engineering copy (派工单) printed when an order is dispatched."""


def _doc(settings: Any) -> EscposDoc:
    dev = settings.devices
    return EscposDoc(dev.paper_width_mm, dev.printer_encoding, dev.qr_native)


def _fmt(dt: datetime | None, settings: Any) -> str:
    """Local time of the compound, to the minute."""
    if dt is None:
        return "—"
    if dt.tzinfo is not None:
        dt = dt.astimezone(ZoneInfo(settings.site.timezone))
    return dt.strftime("%Y-%m-%d %H:%M")


def _yuan(amount: float) -> str:
    return f"¥{amount:.2f}"


def _tail(value: str, keep: int = 4) -> str:
    """Only the last characters of a long reference (tracking numbers)."""
    value = value.strip()
    return value if len(value) <= keep else "*" * (len(value) - keep) + value[-keep:]


def _title(doc: EscposDoc, settings: Any, title: str) -> None:
    """Site name (double size only when it fits the paper), the receipt's title, a rule."""
    name = settings.site.name
    doc.line(name, align="center", bold=True, double=tx.width(name) * 2 <= doc.columns)
    doc.line(title, align="center", bold=True)
    doc.rule()


def _header(doc: EscposDoc, settings: Any, title: str, record: Record) -> None:
    """Title block, then the record's number and time."""
    _title(doc, settings, title)
    doc.field("单号", format_number(record.number))
    doc.field("时间", _fmt(record.created_at, settings))


def _footer(doc: EscposDoc, settings: Any, record: Record, note: str, signer: str) -> bytes:
    """Signature line (if any), the number as QR and text, the note, hotline, thanks, cut."""
    if signer:
        doc.feed()
        doc.line(f"{signer}签名：" + "_" * 16)
    doc.rule()
    doc.qr(record.number)  # the digits a scanner keys in; people read the grouped form
    doc.line(format_number(record.number), align="center")
    if note:
        doc.line(note, align="center")
    doc.line(f"服务热线：{settings.site.hotline_number}", align="center")
    doc.line("谢谢您的配合！", align="center")
    doc.cut()
    return doc.output


def _id_and_phone(doc: EscposDoc, phone: str, id_type: str = "", id_number: str = "") -> None:
    """The masked ID (type and number) and phone of a person, when given (X1)."""
    if id_number:
        doc.field("证件", f"{ID_TYPES.get(id_type, id_type)} {mask_id(id_number)}")
    if phone:
        doc.field("电话", mask_phone(phone))


Body = Callable[..., None]
Layout = Callable[..., bytes]
_LAYOUTS: dict[type, tuple[str, Layout]] = {}


def _receipt(
    record_type: type, kind: str, title: str | Callable[[Any], str], note: str, signer: str = ""
) -> Callable[[Body], Layout]:
    """Make a receipt of a body writer: header, the body, signature, footer; registered by type.

    The body is ``body(doc, record, settings, **extra)``; the receipt function built from it is
    ``layout(record, settings, **extra) -> bytes``.
    """

    def decorate(body: Body) -> Layout:
        @functools.wraps(body)
        def layout(record: Any, settings: Any, **extra: Any) -> bytes:
            doc = _doc(settings)
            _header(doc, settings, title(record) if callable(title) else title, record)
            body(doc, record, settings, **extra)
            return _footer(doc, settings, record, note, signer)

        _LAYOUTS[record_type] = (kind, layout)
        return layout

    return decorate


@_receipt(Visit, VISIT_PASS, "访客通行证", "请出示本凭条给安全员查验，离开时请刷码登记")
def visit_pass(doc: EscposDoc, visit: Visit, settings: Any) -> None:
    """V6: visitor, host unit, valid-until and a code for the guard; never the full ID."""
    doc.field("访客", mask_name(visit.visitor_name) or "—")
    doc.field("类别", VISITOR_KINDS.get(visit.visitor_kind, visit.visitor_kind))
    _id_and_phone(doc, visit.phone, visit.id_type, visit.id_number)
    doc.field("拜访", unit_label_zh(visit.host_unit))
    if visit.purpose:
        doc.field("事由", visit.purpose)
    doc.field("人数", str(visit.party_size))
    if visit.plate:
        doc.field("车牌", visit.plate)
    if visit.work_pass:
        doc.field("施工证", visit.work_pass)
    entered = visit.time_in or visit.created_at
    doc.field("入场", _fmt(entered, settings))
    until = visit_valid_until(entered, settings.rules.visit_open_hours, visit.valid_until)
    doc.field("有效至", _fmt(until, settings))
    if visit.pass_code:
        doc.rule()
        doc.line(f"通行码 {visit.pass_code}", align="center", bold=True, double=True)


@_receipt(WorkOrder, WORK_ORDER, "报修派工单（客户联）", "维修完成后我们将回访，请凭单号查询进度")
def work_order_copy(doc: EscposDoc, order: WorkOrder, settings: Any) -> None:
    """R3: the customer copy with the promised times (R2) and any price (R6)."""
    doc.field("位置", unit_label_zh(order.location))
    doc.field("类别", REPAIR_CATEGORY_FULL.get(order.category, order.category))
    doc.field("级别", "急修" if order.urgent or order.emergency else "普通维修")
    doc.field("内容", order.description or order.transcript or "—")
    if order.contact_name:
        doc.field("联系人", mask_name(order.contact_name))
    _id_and_phone(doc, order.contact_phone)
    doc.rule()
    doc.line("服务承诺", bold=True)
    if order.dispatch_by:
        doc.field("派单时限", _fmt(order.dispatch_by, settings))
    if order.on_site_by:
        doc.field("上门时限", _fmt(order.on_site_by, settings))
    if order.appointment_start:
        end = _fmt(order.appointment_end, settings)[-5:] if order.appointment_end else ""
        doc.field("预约时间", _fmt(order.appointment_start, settings) + (f"-{end}" if end else ""))
    if order.follow_up_by:
        doc.field("回访时限", _fmt(order.follow_up_by, settings))
    if order.price_yuan:
        doc.field(
            "费用",
            _yuan(order.price_yuan) + ("（已确认）" if order.price_confirmed else "（待确认）"),
        )


@_receipt(
    Parcel,
    PARCEL_SLIP,
    lambda parcel: "挂号信取件凭条" if parcel.registered_mail else "包裹取件凭条",
    "如有疑问请联系客服中心",
    signer="领取人",
)
def parcel_slip(doc: EscposDoc, parcel: Parcel, settings: Any) -> None:
    """P3: the pickup slip: who collected what from where, proxy recorded."""
    doc.field("收件人", mask_name(parcel.recipient_name))
    doc.field("房号", unit_label_zh(parcel.unit))
    _id_and_phone(doc, parcel.phone)
    if parcel.courier:
        doc.field("快递公司", parcel.courier)
    if parcel.tracking_no:
        doc.field("运单号", _tail(parcel.tracking_no))
    doc.field("柜格", "前台" if parcel.compartment in ("", "counter") else parcel.compartment)
    doc.field("包裹状况", parcel.condition)
    if parcel.condition_note:
        doc.field("情况说明", parcel.condition_note)
    doc.field("取件时间", _fmt(parcel.collected_at or parcel.created_at, settings))
    if parcel.proxy_name:
        doc.field("代领人", mask_name(parcel.proxy_name))
        if parcel.proxy_id:
            doc.field("代领证件", mask_id(parcel.proxy_id))
    if parcel.countersigned_by:
        doc.field("经办", parcel.countersigned_by)


@_receipt(KeyLoan, KEY_LOAN, "钥匙借用单", "请按时归还钥匙，归还时凭本单退还押金", signer="借用人")
def key_loan_slip(doc: EscposDoc, loan: KeyLoan, settings: Any, key: Key | None = None) -> None:
    """K2: the key register slip: key, borrower (masked), deposit, due back, signatures.

    ``key`` (the cabinet's record of ``loan.key_id``) adds its label, kind, unit and slot.
    """
    if key is not None and key.label:
        doc.field("钥匙", key.label)  # as people name it; the internal id stays off the slip
        doc.field("类别", KEY_KINDS.get(key.key_kind, key.key_kind))
    else:
        doc.field("钥匙", key.slot if key is not None and key.slot else loan.key_id)
    if key is not None and key.unit:
        doc.field("房号", unit_label_zh(key.unit))
    if key is not None and key.slot:
        doc.field("柜格", key.slot)
    doc.field(
        "借用人", mask_name(loan.borrower_name) + ("（员工）" if loan.borrower_is_staff else "")
    )
    _id_and_phone(doc, loan.phone, loan.id_type, loan.id_number)
    if loan.purpose:
        doc.field("事由", loan.purpose)
    if loan.deposit_yuan:
        doc.field("押金", _yuan(loan.deposit_yuan))
    if loan.owner_authorised_by:
        name, _, how = loan.owner_authorised_by.partition(" ")  # "张三 电话授权"
        doc.field("业主授权", " ".join(x for x in (mask_name(name), how) if x))
    if loan.lent_by:
        doc.field("经办", loan.lent_by)
    doc.field("应还时间", _fmt(loan.due_back, settings))


@_receipt(Complaint, COMPLAINT, "投诉受理回执", "感谢您的监督，我们将尽快处理并回访")
def complaint_ack(doc: EscposDoc, complaint: Complaint, settings: Any) -> None:
    """C1: acknowledgement with the reply and resolution deadlines (C3)."""
    if complaint.name:
        doc.field("投诉人", mask_name(complaint.name))
    if complaint.unit:
        doc.field("房号", unit_label_zh(complaint.unit))
    _id_and_phone(doc, complaint.phone)
    doc.field("类别", COMPLAINT_CATEGORIES.get(complaint.category, complaint.category))
    doc.field("内容", complaint.content)
    if complaint.wants:
        doc.field("诉求", complaint.wants)
    doc.rule()
    if complaint.reply_by:
        doc.field("答复时限", _fmt(complaint.reply_by, settings))
    if complaint.resolve_by:
        doc.field("处理时限", _fmt(complaint.resolve_by, settings))


@_receipt(
    DutyLogEntry,
    HANDOVER,
    "交接班单",
    "审计锚点请抄入值班记录本，用于核对日志未被删改 (L2)",
    "接班人",
)
def handover_slip(doc: EscposDoc, entry: DutyLogEntry, settings: Any) -> None:
    """L3: the handover, its open items and the audit anchor (L2: the chain head that
    leaves the machine on paper, so a later truncation of the log is detected)."""
    doc.field("交班人", entry.author)
    doc.field("接班人", entry.handover_to or "—")
    doc.field("未完事项", f"{len(entry.open_items)} 项")
    for number in entry.open_items[:20]:
        doc.line(f"  {number}")
    match = re.search(r"审计锚点\s*([0-9]+:[0-9a-f]+)", entry.text)
    doc.rule()
    doc.field("审计锚点", match.group(1) if match else "—")
    doc.feed()
    doc.line("交班人签名：" + "_" * 16)  # L3: both shifts sign; the footer adds 接班人


def dispatch_slip(order: WorkOrder, settings: Any) -> bytes:
    """R3, R2, R6: the 派工单 the technician takes: the order, the masked contact, the promised
    times, the QR of the number (scanned at the kiosk or desk to report each step) and the
    owner's signatures confirming the work and the cost."""
    doc = _doc(settings)
    _header(doc, settings, "维修派工单（工程联）", order)
    doc.field("派给", "、".join(x for x in (order.team, order.assignee) if x) or "—")
    doc.field("位置", unit_label_zh(order.location))
    doc.field("类别", REPAIR_CATEGORY_FULL.get(order.category, order.category))
    doc.field("级别", "急修" if order.urgent or order.emergency else "普通维修")
    doc.field("内容", order.description or order.transcript or "（语音报修，见录音）")
    if order.contact_name:
        doc.field("联系人", mask_name(order.contact_name))
    _id_and_phone(doc, order.contact_phone)
    if order.unverified:
        doc.line("待核实：上门前请客服回拨登记电话确认", bold=True)
    doc.rule()
    doc.line("服务承诺", bold=True)
    if order.on_site_by:
        doc.field("到场时限", _fmt(order.on_site_by, settings))
    if order.appointment_start:
        end = _fmt(order.appointment_end, settings)[-5:] if order.appointment_end else ""
        doc.field("预约时间", _fmt(order.appointment_start, settings) + (f"-{end}" if end else ""))
    if order.paid:
        state = "（业主已确认）" if order.price_confirmed else "（开工前须业主确认）"
        doc.field("有偿服务", _yuan(order.price_yuan) + state)
    doc.rule()
    doc.line("扫描下方二维码或拨打热线员工菜单报到场/完工", align="center")
    doc.qr(order.number)
    doc.line(format_number(order.number), align="center", bold=True)
    doc.rule()
    doc.line("完成内容：" + "_" * 10)
    doc.line("所用材料：" + "_" * 10)
    doc.line("费用（元）：" + "_" * 9)
    doc.feed()
    doc.line("业主确认维修完成签名：" + "_" * 8)
    doc.feed()
    doc.line("业主确认费用签名：" + "_" * 10)
    doc.feed()
    doc.line("维修人员签名：" + "_" * 12)
    doc.line("日期：" + "_" * 14)
    doc.line(f"服务热线：{settings.site.hotline_number}", align="center")
    doc.cut()
    return doc.output


def test_page(settings: Any) -> bytes:
    """The printer test page of ``reception devices test-page``: widths, Chinese, ¥, QR."""
    doc = _doc(settings)
    dev = settings.devices
    _title(doc, settings, "打印机测试页")
    doc.line("0123456789" * (doc.columns // 10) + "0123456789"[: doc.columns % 10])
    doc.line("中文" * (doc.columns // 4))
    doc.pair("人民币符号与金额", _yuan(12.5))
    doc.field("纸宽", f"{dev.paper_width_mm} mm, {doc.columns} 列, {doc.dots} 点")
    doc.field("编码", dev.printer_encoding)
    doc.qr("0123456789")
    doc.line("看到以上内容且列对齐即为正常", align="center")
    doc.cut()
    return doc.output


ON_SITE = "on_site"
"""Issue 16 item 6: everyone signed in and not out (kept beside the record receipts)."""


def on_site_list(visits: list[Visit], settings: Any, now: datetime) -> bytes:
    """The on-site list for the guard or an evacuation roll call: who, whom, since when."""
    doc = _doc(settings)
    _title(doc, settings, "在场人员名单")
    doc.field("打印时间", _fmt(now, settings))
    people = sum(v.party_size for v in visits)
    doc.field("在场", f"{len(visits)} 批，共 {people} 人")
    doc.rule()
    for n, v in enumerate(visits, 1):
        kind = VISITOR_KINDS.get(v.visitor_kind, v.visitor_kind)
        doc.line(f"{n}. {mask_name(v.visitor_name) or '—'}  {kind}  {v.party_size}人", bold=True)
        doc.field("拜访", unit_label_zh(v.host_unit))
        doc.field("入场", _fmt(v.time_in or v.created_at, settings))
        if v.plate:
            doc.field("车牌", v.plate)
    if not visits:
        doc.line("目前无人在场", align="center")
    doc.rule()
    doc.line("疏散时请逐一核对", align="center")
    doc.cut()
    return doc.output


def receipt_for(
    record: Record, settings: Any, lookup: Callable[[str], Record | None] | None = None
) -> tuple[str, bytes]:
    """The receipt kind and ESC/POS bytes for ``record``.

    ``lookup`` (e.g. ``Desk.get``) finds related records: the key of a key loan, so that its
    slip names the key and its unit instead of only the key's id.
    """
    try:
        kind, layout = _LAYOUTS[type(record)]
    except KeyError:
        raise ValueError(f"no receipt for {type(record).__name__}") from None
    extra: dict[str, Any] = {}
    if isinstance(record, KeyLoan):
        key = lookup(record.key_id) if lookup else None
        extra["key"] = key if isinstance(key, Key) else None
    return kind, layout(record, settings, **extra)


__all__ = ["dispatch_slip", "on_site_list", "receipt_for", "test_page", "unit_label_zh"]
