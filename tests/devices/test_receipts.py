"""Receipts: golden bytes, read back through the virtual printer, masked (X1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devices import receipts
from devices.receipts import receipt_for
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
    assert record.number in text and receipt.qr_codes == [record.number]
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
    assert "拜访：3-2-501" in receipt.lines
    assert "有效至：2026-11-23 21:30" in receipt.lines
    assert "张*" in receipt.text and "张伟" not in receipt.text


def test_R3_customer_copy_shows_promised_times(settings, records):
    _, _, receipt = _printed(settings, records["work_order"])
    assert "报修派工单（客户联）" in receipt.text
    assert "上门时限：2026-11-23 10:00" in receipt.lines
    assert "回访时限：2026-11-26 09:30" in receipt.lines
    assert "费用：￥80.00（已确认）" in receipt.lines
    assert "厨房水管漏水" in receipt.text


def test_P3_parcel_slip_records_compartment_and_proxy(settings, records):
    _, _, receipt = _printed(settings, records["parcel_slip"])
    assert "柜格：A-07" in receipt.lines
    assert "代领人：王**" in receipt.lines
    assert "SF1234567890123" not in receipt.text and "1234567890123"[-4:] in receipt.text


def test_K2_key_slip_has_deposit_and_signature(settings, records):
    _, _, receipt = _printed(settings, records["key_loan"])
    assert "押金：￥200.00" in receipt.lines
    assert "钥匙：钥匙 3-12" in receipt.lines
    assert any("签名" in line for line in receipt.lines)


def test_C1_complaint_ack_has_deadlines(settings, records):
    _, _, receipt = _printed(settings, records["complaint"])
    assert "投诉受理回执" in receipt.text
    assert "答复时限：2026-11-23 11:30" in receipt.lines


@pytest.mark.parametrize("paper", [58, 80])
@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_every_line_fits_the_paper(settings, records, paper, encoding):
    import dataclasses

    from devices import escpos_text as tx

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
        assert records[kind].number in txt.read_text(encoding="utf-8")


def test_test_page_prints(settings):
    printer = VirtualPrinter()
    printer.feed(receipts.test_page(settings))
    assert "打印机测试页" in printer.receipts[0].text
