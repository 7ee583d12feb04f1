"""Issue 11 item 7: receipts read as the screens do (numbers, validity, keys, ￥, categories)."""

from __future__ import annotations

import dataclasses

from desk.record_types import Key
from devices import receipts
from devices.receipts import receipt_for
from devices.sim.virtual_printer import VirtualPrinter


def read(settings, record, lookup=None):
    printer = VirtualPrinter(settings.devices.printer_encoding)
    printer.feed(receipt_for(record, settings, lookup)[1])
    return printer.receipts[0]


def test_numbers_print_as_on_screens_never_as_a_bare_11_digit_number(settings, records):
    for record in records.values():
        r = read(settings, record)
        grouped = f"{record.number[0]}-{record.number[1:7]}-{record.number[7:]}"
        assert f"单号：{grouped}" in r.lines and grouped in r.lines
        # 12611230001 reads like a mobile number: it is only in the QR code
        assert not any(record.number in line for line in r.lines)
        assert r.qr_codes == [record.number]  # the scanner still gets the digits


def test_every_visitor_pass_prints_its_validity(settings, records):
    walk_in = dataclasses.replace(records["visit_pass"], valid_until=None)
    r = read(settings, walk_in)
    hours = settings.rules.visit_open_hours
    assert f"有效至：2026-11-23 {9 + hours:02d}:30" in r.lines
    assert "有效至：—" not in r.lines


def test_key_slip_names_the_key_and_masks_the_owner(settings, records):
    key = Key(
        number="K1-ENTRUST",
        created_at=records["key_loan"].created_at,
        status="out",
        label="1栋2单元302业主托管钥匙",
        key_kind="entrusted",
        slot="钥匙 3-07",
        unit="1-2-302",
    )
    loan = dataclasses.replace(
        records["key_loan"], key_id=key.number, owner_authorised_by="刘建国 电话授权"
    )
    r = read(settings, loan, {key.number: key}.get)
    assert "钥匙：1栋2单元302业主托管钥匙" in r.lines
    assert "K1-ENTRUST" not in r.text
    assert "业主授权：刘** 电话授权" in r.lines and "刘建国" not in r.text


def test_test_page_shows_the_yuan_sign_once(settings):
    printer = VirtualPrinter()
    printer.feed(receipts.test_page(settings))
    assert printer.receipts[0].text.count("￥") == 1


def test_repair_category_prints_in_full(settings, records):
    r = read(settings, records["work_order"])
    assert "类别：给排水" in r.lines and "类别：水" not in r.lines
