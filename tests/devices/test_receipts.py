"""Receipts: golden bytes, read back through the virtual printer, masked (X1)."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from desk.record_types import Key
from desk.records import format_number
from devices import escpos_text as tx
from devices import receipts
from devices.receipts import receipt_for, unit_label_zh
from devices.sim import render
from devices.sim.virtual_printer import VirtualPrinter

GOLDEN = Path(__file__).parent / "golden"
ID = "440305199001011205"  # as in conftest.records
MOBILE = "13812345678"
KINDS = ["visit_pass", "work_order", "parcel_slip", "key_loan", "complaint"]


def _printed(settings, record):
    kind, data = receipt_for(record, settings)
    printer = VirtualPrinter(settings.devices.printer_encoding)
    assert printer.feed(data) == b""
    assert len(printer.receipts) == 1
    return kind, data, printer.receipts[0]


@pytest.mark.parametrize("kind", KINDS)
def test_golden_bytes(settings, records, kind):
    got_kind, data = receipt_for(records[kind], settings)
    assert got_kind == kind
    path = GOLDEN / f"{kind}.bin"
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{kind} changed; UPDATE_GOLDEN=1 after checking the PNG"


@pytest.mark.parametrize("kind", KINDS)
def test_X1_receipt_reads_back_masked(settings, records, kind):
    _, data, receipt = _printed(settings, records[kind])
    text = receipt.text
    record = records[kind]
    assert settings.site.name in text
    assert format_number(record.number) in text and receipt.qr_codes == [record.number]
    assert "2026-11-23" in text
    assert ID not in text and MOBILE not in text
    assert ID.encode() not in data and MOBILE.encode() not in data
    if getattr(record, "phone", "") or getattr(record, "contact_phone", ""):
        assert "138****5678" in text
    assert receipt.complete


def test_V6_pass_masks_id_and_shows_host_and_validity(settings, records):
    _, _, receipt = _printed(settings, records["visit_pass"])
    assert "访客通行证" in receipt.text
    assert "440***********1205" in receipt.text
    assert "拜访：3栋2单元501室" in receipt.lines
    assert "有效至：2026-11-23 21:30" in receipt.lines
    assert "张*" in receipt.text and "张伟" not in receipt.text


def test_R3_customer_copy_shows_promised_times(settings, records):
    _, _, receipt = _printed(settings, records["work_order"])
    assert "报修派工单（客户联）" in receipt.text
    assert "上门时限：2026-11-23 10:00" in receipt.lines
    assert "回访时限：2026-11-26 09:30" in receipt.lines
    assert "费用：￥80.00（已确认）" in receipt.lines
    assert "厨房水管漏水" in receipt.text


def test_R3_public_area_reads_as_such(settings, records):
    order = dataclasses.replace(records["work_order"], location="public:地下车库")
    _, _, receipt = _printed(settings, order)
    assert "位置：公共区域（地下车库）" in receipt.lines


def test_P3_parcel_slip_records_compartment_and_proxy(settings, records):
    _, _, receipt = _printed(settings, records["parcel_slip"])
    assert "房号：5栋1单元1202室" in receipt.lines
    assert "柜格：A-07" in receipt.lines
    assert "代领人：王**" in receipt.lines
    assert "SF1234567890123" not in receipt.text and "1234567890123"[-4:] in receipt.text


def test_K2_key_slip_has_deposit_and_signature(settings, records):
    _, _, receipt = _printed(settings, records["key_loan"])
    assert "押金：￥200.00" in receipt.lines
    assert "钥匙：钥匙 3-12" in receipt.lines
    assert any("签名" in line for line in receipt.lines)


def test_K2_key_slip_names_the_key_its_unit_and_slot(settings, records):
    key = Key(
        number="K1-ENTRUST",
        created_at=records["key_loan"].created_at,
        status="out",
        label="1栋2单元302业主托管钥匙",
        key_kind="entrusted",
        slot="钥匙 3-07",
        unit="1-2-302",
    )
    loan = dataclasses.replace(records["key_loan"], key_id=key.number)
    kind, data = receipt_for(loan, settings, {key.number: key}.get)
    printer = VirtualPrinter(settings.devices.printer_encoding)
    printer.feed(data)
    lines = printer.receipts[0].lines
    assert kind == "key_loan"
    assert "钥匙：1栋2单元302业主托管钥匙" in lines
    assert "K1-ENTRUST" not in printer.receipts[0].text  # the internal id is not what people read
    assert "房号：1栋2单元302室" in lines and "柜格：钥匙 3-07" in lines
    assert "类别：业主托管钥匙" in lines
    # an unknown key (or no lookup) still prints the key's id
    _, data = receipt_for(loan, settings, {}.get)
    printer.feed(data)
    assert "钥匙：K1-ENTRUST" in printer.receipts[1].lines


@pytest.mark.parametrize(
    ("unit", "label"),
    [
        ("3-2-501", "3栋2单元501室"),
        ("12-1-1802", "12栋1单元1802室"),
        ("A-2-0301", "A栋2单元301室"),
        ("3栋2单元501室", "3栋2单元501室"),
        ("public:大堂", "公共区域（大堂）"),
        ("public:", "公共区域"),
        ("3-0-0", "3栋"),  # X2: a purged visit keeps only the building
        ("", "—"),
        ("门卫室", "门卫室"),  # not a unit: printed as it is, never an error
    ],
)
def test_unit_label_zh(unit, label):
    assert unit_label_zh(unit) == label


@pytest.mark.parametrize("paper", [58, 80])
def test_notes_break_after_punctuation_not_inside_words(settings, records, paper):
    s = dataclasses.replace(
        settings, devices=dataclasses.replace(settings.devices, paper_width_mm=paper)
    )
    for record in records.values():
        _, _, receipt = _printed(s, record)
        for line in receipt.lines:
            assert not line.strip().startswith(("，", "。")), line
    _, _, receipt = _printed(s, records["visit_pass"])
    if paper == 58:
        assert "请出示本凭条给安全员查验，" in receipt.lines
        assert "离开时请刷码登记" in receipt.lines
    else:
        assert "请出示本凭条给安全员查验，离开时请刷码登记" in receipt.lines


def test_test_page_site_name_fits_58mm(settings):
    s = dataclasses.replace(
        settings, devices=dataclasses.replace(settings.devices, paper_width_mm=58)
    )
    printer = VirtualPrinter()
    printer.feed(receipts.test_page(s))
    for item in printer.receipts[0].items:
        if item.kind == "text":
            assert tx.width(item.text) * item.style.width <= 32, item.text


def test_C1_complaint_ack_has_deadlines(settings, records):
    _, _, receipt = _printed(settings, records["complaint"])
    assert "房号：7栋3单元803室" in receipt.lines
    assert "投诉受理回执" in receipt.text
    assert "答复时限：2026-11-23 11:30" in receipt.lines


@pytest.mark.parametrize("paper", [58, 80])
@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_every_line_fits_the_paper(settings, records, paper, encoding):
    s = dataclasses.replace(
        settings,
        devices=dataclasses.replace(
            settings.devices, paper_width_mm=paper, printer_encoding=encoding
        ),
    )
    columns = 32 if paper == 58 else 48
    for record in records.values():
        _, _, receipt = _printed(s, record)
        for item in receipt.items:
            if item.kind == "text":
                assert tx.width(item.text) * item.style.width <= columns, item.text


def test_receipts_render_to_png_and_text(settings, records, tmp_path):
    for kind in KINDS:
        _, _, receipt = _printed(settings, records[kind])
        png, txt = render.save(receipt, tmp_path, kind)
        assert png.stat().st_size > 1000
        assert format_number(records[kind].number) in txt.read_text(encoding="utf-8")


def test_test_page_prints(settings):
    printer = VirtualPrinter()
    printer.feed(receipts.test_page(settings))
    assert "打印机测试页" in printer.receipts[0].text
