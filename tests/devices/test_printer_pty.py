"""Printer and print queue over real pseudo-terminals: status, paper out mid-queue, unplug/replug."""

from __future__ import annotations

import threading
import time

from sim_harness import printer_on, start_sim  # tests/support, put on sys.path by conftest

from devices.events import DeviceState
from devices.print_queue import BACKOFF, PrintQueue
from devices.receipts import receipt_for


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
    pending_before = len(store.pending())
    assert 1 <= pending_before <= 5
    sim.control("paper in")
    assert queue.wait_idle(10)
    assert store.pending() == []
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
    assert len(store.pending()) == 1
    sim.control("plug printer")
    # back online within 2 s: the retry interval is capped at 1 s (no timing asserts here)
    assert max(BACKOFF) <= 1.0
    assert queue.wait_idle(5)
    assert store.pending() == []
    assert wait_for(lambda: len(sim.printer.receipts) == 1)
    queue.stop()
    p.close()


def test_paper_out_before_the_job_prints_nothing(sim, settings, records):
    p = printer_for(sim)
    sim.control("paper out")
    _, data = receipt_for(records["parcel_slip"], settings)
    result = p.print_bytes(data)
    assert not result.ok and result.error == "打印机缺纸"
    assert sim.printer_dev.rx_bytes == 9  # only the three status queries went out
    assert sim.printer.receipts == []
    p.close()


def test_printer_silent_after_the_job_is_not_printed_and_retried(sim, settings, records, store):
    """No status answer after a job: not confirmed, so the job stays pending (printed again)."""
    events = []
    p = printer_for(sim, events)
    saved = sim.printer.on_receipt

    def fall_silent(receipt):  # the printer stops answering as the job's cut arrives
        sim.printer.silent = True
        saved(receipt)

    sim.printer.on_receipt = fall_silent
    queue = PrintQueue(store, p, poll_s=0.05)
    k, data = receipt_for(records["complaint"], settings)
    queue.submit(k, records["complaint"].number, data)
    assert not queue.run_once()
    assert p.state == DeviceState.OFFLINE
    [job] = store.pending()
    assert job.last_error == "打印中断：打印机未连接或无响应"  # the job reached the printer
    assert not any(e.kind == "job_printed" for e in events)
    waiting = [e for e in events if e.kind == "job_waiting"]
    assert waiting and waiting[-1].state == DeviceState.OFFLINE
    sim.printer.on_receipt = saved
    sim.control("printer ok")
    assert queue.run_once()
    assert store.pending() == []
    assert [e.kind for e in events].count("job_printed") == 1
    p.close()


def test_unplugged_mid_job_is_reported_and_the_job_kept(tmp_path, settings, records, store):
    host = start_sim(tmp_path / "wire", printer_baud=9600)  # the job takes wire time
    try:
        p = printer_on(host, 9600)
        queue = PrintQueue(store, p, poll_s=0.05)
        k, data = receipt_for(records["work_order"], settings)
        queue.submit(k, records["work_order"].number, data)

        def unplug_during_the_job():
            assert wait_for(lambda: host.printer_dev.rx_bytes >= 9 + 100, 30)
            host.control("unplug printer")

        t = threading.Thread(target=unplug_during_the_job)
        t.start()
        assert not queue.run_once()
        t.join()
        assert p.state == DeviceState.OFFLINE
        assert len(store.pending()) == 1
        assert not any(r.complete and r.qr_codes for r in host.printer.receipts)
        host.control("plug printer")
        assert wait_for(queue.run_once, 10)
        assert store.pending() == []
        assert [r.qr_codes for r in host.printer.receipts if r.complete and r.qr_codes] == [
            [records["work_order"].number]
        ]
        p.close()
    finally:
        host.stop()


def test_a_job_cut_by_an_unplug_is_cut_and_voided_before_the_reprint(
    tmp_path, settings, records, store
):
    """Issue 11 item 6: the partial slip and the reprint never end up on one strip."""
    host = start_sim(tmp_path / "wire", printer_baud=9600)
    try:
        p = printer_on(host, 9600)
        queue = PrintQueue(store, p, poll_s=0.05)
        k, data = receipt_for(records["work_order"], settings)
        queue.submit(k, records["work_order"].number, data)

        def unplug_during_the_job():
            assert wait_for(lambda: host.printer_dev.rx_bytes >= 9 + 100, 30)
            host.control("unplug printer")

        t = threading.Thread(target=unplug_during_the_job)
        t.start()
        assert not queue.run_once()
        t.join()
        [job] = store.pending()
        assert job.last_error.startswith("打印中断")
        host.control("plug printer")
        assert wait_for(queue.run_once, 10)
        partial, full = host.printer.receipts[-2:]
        assert partial.lines[-1] == "—— 以上凭条打印中断，作废 ——"
        assert full.lines[0] == settings.site.name  # the reprint starts on a fresh strip
        assert full.qr_codes == [records["work_order"].number]
        p.close()
    finally:
        host.stop()


def test_wait_idle_never_claims_done_while_a_job_is_pending(sim, settings, records, memory_store):
    """A job submitted while the worker found the queue empty must not be reported as done."""
    p = printer_for(sim)
    sim.control("printer silent")  # nothing can print: the job stays pending
    queue = PrintQueue(memory_store, p, poll_s=0.05)
    k, data = receipt_for(records["visit_pass"], settings)
    read = memory_store.pending
    calls = []

    def pending_then_submit():
        jobs = read()
        calls.append(len(jobs))
        if len(calls) == 1:  # the worker has read "nothing pending"; a job comes in now
            queue.submit(k, records["visit_pass"].number, data)
        return jobs

    memory_store.pending = pending_then_submit
    wrongly_idle = []

    class WatchedIdle(threading.Event):
        def set(self):
            if read():
                wrongly_idle.append(len(read()))
            super().set()

    queue._idle = WatchedIdle()
    queue.start()
    assert wait_for(lambda: memory_store.jobs and memory_store.jobs[0].attempts >= 1)
    assert not queue.wait_idle(0.3)
    queue.stop()
    assert wrongly_idle == []
    assert read() and not memory_store.jobs[0].printed
    p.close()
