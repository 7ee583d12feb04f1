"""Printer and print queue over real pseudo-terminals: status, paper out mid-queue, unplug/replug."""

from __future__ import annotations

import time

from devices.events import DeviceState
from devices.print_queue import BACKOFF, PrintQueue
from devices.receipts import receipt_for
from devices.sim_harness import printer_on


def printer_for(sim, events=None):
    p = printer_on(sim)
    if events is not None:
        p.hub.subscribe(events.append)
    return p


def wait_for(cond, timeout=5.0):
    t0 = time.monotonic()
    while not cond():
        if time.monotonic() - t0 > timeout:
            return False
        time.sleep(0.01)
    return True


def test_status_states(sim):
    p = printer_for(sim)
    assert p.status().state == DeviceState.READY
    sim.control("paper low")
    assert p.status().state == DeviceState.PAPER_NEAR_END
    sim.control("paper out")
    assert p.status().state == DeviceState.PAPER_OUT
    sim.control("paper in")
    sim.control("cover open")
    assert p.status().state == DeviceState.COVER_OPEN
    sim.control("cover close")
    sim.control("printer silent")
    assert p.status().state == DeviceState.OFFLINE
    sim.control("printer ok")
    assert p.status().state == DeviceState.READY
    p.close()


def test_job_printed_only_when_status_after_is_clean(sim, settings, records):
    p = printer_for(sim)
    _, data = receipt_for(records["work_order"], settings)
    result = p.print_bytes(data)
    assert result.ok
    assert wait_for(lambda: len(sim.printer.receipts) == 1)
    assert "22611230007" in sim.printer.receipts[0].text
    sim.printer.paper_lines_left = 5  # runs out in the middle of the next receipt
    result = p.print_bytes(data)
    assert not result.ok and result.error == "打印机缺纸"
    p.close()


def test_paper_out_mid_queue_loses_nothing(sim, settings, records, store):
    events = []
    p = printer_for(sim, events)
    queue = PrintQueue(store, p, poll_s=0.05)
    sim.printer.paper_lines_left = 60  # enough for about two receipts
    for kind in ("visit_pass", "work_order", "parcel_slip", "key_loan", "complaint"):
        k, data = receipt_for(records[kind], settings)
        queue.submit(k, records[kind].number, data)
    queue.start()
    assert wait_for(lambda: p.state == DeviceState.PAPER_OUT)
    assert wait_for(lambda: any(e.kind == "job_waiting" for e in events))
    pending_before = len(store.pending_print_jobs())
    assert 1 <= pending_before <= 5
    sim.control("paper in")
    assert queue.wait_idle(10)
    assert store.pending_print_jobs() == []
    complete = [r for r in sim.printer.receipts if r.complete]
    printed = {code for r in complete for code in r.qr_codes}
    assert printed == {r.number for r in records.values()}
    assert len([e for e in events if e.kind == "job_printed"]) == 5
    queue.stop()
    p.close()


def test_staff_reprint(sim, settings, records, store):
    p = printer_for(sim)
    queue = PrintQueue(store, p, poll_s=0.05)
    k, data = receipt_for(records["key_loan"], settings)
    queue.submit(k, records["key_loan"].number, data)
    assert queue.run_once()
    queue.reprint(k, records["key_loan"].number, data)
    assert queue.run_once()
    assert wait_for(lambda: len(sim.printer.receipts) == 2)
    assert sim.printer.receipts[0].text == sim.printer.receipts[1].text
    p.close()


def test_unplug_replug_recovers_within_two_seconds_and_keeps_jobs(sim, settings, records, store):
    events = []
    p = printer_for(sim, events)
    queue = PrintQueue(store, p, poll_s=0.05)
    queue.start()
    sim.control("unplug printer")
    k, data = receipt_for(records["parcel_slip"], settings)
    queue.submit(k, records["parcel_slip"].number, data)
    assert wait_for(lambda: p.state == DeviceState.OFFLINE)
    time.sleep(1.5)  # offline for a while: backoff grows to its cap
    assert len(store.pending_print_jobs()) == 1
    sim.control("plug printer")
    # back online within 2 s: the retry interval is capped at 1 s (no timing asserts here)
    assert max(BACKOFF) <= 1.0
    assert queue.wait_idle(5)
    assert store.pending_print_jobs() == []
    assert wait_for(lambda: len(sim.printer.receipts) == 1)
    queue.stop()
    p.close()
