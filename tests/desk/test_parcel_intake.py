"""P1 at intake (issue 17 item 7): the condition (完好/破损/受潮), a damaged or wet parcel
described, the courier's name and registered mail kept; the slip shows the condition; parcels
stored before these fields existed still load."""

from __future__ import annotations

import dataclasses

import pytest

from desk.errors import ValidationError
from desk.record_types import Parcel
from desk.services.requests import ParcelIn
from devices.receipts import receipt_for
from devices.sim.virtual_printer import VirtualPrinter


def parcel_in(**over):
    base = dict(recipient_name="张三", unit="3-2-501", phone="13812345678", courier="中国邮政",
                tracking_no="XA300000003CN", compartment="counter")  # fmt: skip
    return ParcelIn(**{**base, **over})


def stored(desk):
    return [p for p in desk.parcels.waiting() if p.tracking_no == "XA300000003CN"]


@pytest.mark.parametrize(
    ("over", "field", "words"),
    [
        ({"condition": "破损"}, "condition_note", "请写明情况"),
        ({"condition": "受潮", "condition_note": "   "}, "condition_note", "请写明情况"),
        ({"condition": "坏了", "condition_note": "外箱破"}, "condition", "完好、破损 或 受潮"),
        ({"courier_person": "王\u202e师傅"}, "courier_person", "不可见字符"),
    ],
)
def test_P1_bad_intake_is_refused_naming_the_field_and_nothing_written(
    desk, actors, over, field, words
):
    with pytest.raises(ValidationError) as err:
        desk.parcels.receive(parcel_in(**over), actors["guard"])
    assert err.value.field == field and words in err.value.message
    assert stored(desk) == []


def test_P1_damaged_registered_letter_recorded_with_note_and_courier(desk, actors):
    parcel = desk.parcels.receive(
        parcel_in(condition="破损", condition_note="信封一角撕开", courier_person="王师傅",
                  registered_mail=True),
        actors["guard"],
    )  # fmt: skip
    again = desk.get(parcel.number)
    assert (again.condition, again.condition_note, again.courier_person, again.registered_mail) == (
        "破损", "信封一角撕开", "王师傅", True)  # fmt: skip


def test_P1_the_slip_shows_the_condition_and_what_is_wrong(desk, actors, tmp_path):
    from desk.config import load_settings

    settings = load_settings(data_dir=tmp_path / "x")
    parcel = desk.parcels.receive(
        parcel_in(condition="受潮", condition_note="纸箱底部受潮"), actors["guard"]
    )
    _kind, data = receipt_for(parcel, settings)
    printer = VirtualPrinter(settings.devices.printer_encoding)
    printer.feed(data)
    lines = printer.receipts[0].lines
    assert "包裹状况：受潮" in lines and "情况说明：纸箱底部受潮" in lines
    good = dataclasses.replace(parcel, condition="完好", condition_note="")
    printer = VirtualPrinter(settings.devices.printer_encoding)
    printer.feed(receipt_for(good, settings)[1])
    assert "包裹状况：完好" in printer.receipts[0].lines
    assert not any(line.startswith("情况说明") for line in printer.receipts[0].lines)


def test_a_parcel_stored_before_the_new_fields_still_loads(desk, actors):
    doc = desk.parcels.receive(parcel_in(), actors["guard"]).to_doc()
    for key in ("condition_note", "courier_person"):
        doc.pop(key)
    old = Parcel.from_doc(doc)
    assert old.condition == "完好" and old.condition_note == "" and old.courier_person == ""
