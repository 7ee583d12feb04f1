"""R3, R2, R6: the 派工单 reads back masked with the QR, promises and signature lines."""

from __future__ import annotations

import dataclasses

from desk.records import format_number
from devices.receipts import dispatch_slip
from devices.sim import render
from devices.sim.virtual_printer import VirtualPrinter


def test_R3_dispatch_slip_has_qr_promises_and_owner_signatures(settings, records, tmp_path):
    order = dataclasses.replace(records["work_order"], status="dispatched", assignee="老陈",
                                team="水电组", paid=True, price_yuan=80.0, price_confirmed=False)  # fmt: skip
    data = dispatch_slip(order, settings)
    printer = VirtualPrinter(settings.devices.printer_encoding)
    assert printer.feed(data) == b""
    receipt = printer.receipts[0]
    text = receipt.text
    assert "维修派工单" in text and "水电组、老陈" in text
    assert receipt.qr_codes == [order.number] and format_number(order.number) in text
    assert "业主确认维修完成签名" in text and "业主确认费用签名" in text
    assert "开工前须业主确认" in text and "80.00" in text
    assert "13812345678" not in text and "138****5678" in text
    assert receipt.complete
    png, _ = render.save(receipt, tmp_path, "dispatch_slip")
    import shutil

    shutil.copy(png, "/tmp/i12/dispatch_slip.png")


def test_R3_a_slip_requested_by_another_process_is_laid_out_and_printed(
    sim, settings, records, store
):
    """`reception orders dispatch` (the core, no devices) queues a job without bytes; the printing
    process lays the 派工单 out from the record and prints it."""
    import time

    from sim_harness import printer_on

    from devices.manager import requested_receipt
    from devices.print_queue import PrintQueue

    order = dataclasses.replace(records["work_order"], status="dispatched", assignee="老陈")
    store.enqueue("dispatch_slip", order.number, b"")
    queue = PrintQueue(store, printer_on(sim), poll_s=0.05,
                       render=requested_receipt(settings, {order.number: order}.get))  # fmt: skip
    assert queue.run_once()
    deadline = time.monotonic() + 5
    while not sim.printer.receipts and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "维修派工单" in sim.printer.receipts[0].text and store.pending() == []
