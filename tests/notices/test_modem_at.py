"""Gammu's AT driver against the TS 27.005 modem simulator: what the handset shows, faults, replies."""

from __future__ import annotations

import time

import pytest

from desk.notice_hooks import queue_of
from desk.notice_templates import sms_parts
from desk.services.requests import CallLog, ParcelIn, RepairRequest, VisitRequest
from devices.sms_modem import ModemError, SmsModem, gammu_config


def intake(desk, actors, **kw):
    fields = dict(unit="3-2-501", recipient_name="张三", courier="顺丰", tracking_no="SF1",
                  compartment="A-07")  # fmt: skip
    fields.update(kw)
    return desk.parcels.receive(ParcelIn(**fields), actors["guard"])


def test_parcel_intake_reaches_the_handset_in_chinese(desk, actors, worker, modem_sim):
    """P2: the PDU the modem got (decoded by smspdudecoder, not Gammu) reads as the notice."""
    p = intake(desk, actors)
    assert worker.run_once()
    sim = modem_sim.modem
    (msg,) = sim.inbox
    assert msg.number == "13812345678"
    assert msg.text.startswith("【幸福家园物业】您有一件顺丰快递已到")
    assert p.pickup_code in msg.text and "A-07" in msg.text
    (n,) = queue_of(desk).for_record(p.number)
    assert n.status == "sent" and list(n.references) == msg.references
    assert desk.get(p.number).status == "notified"
    assert "AT+CMGF=0" in sim.commands and any(c.startswith("AT+CMGS=") for c in sim.commands)
    time.sleep(0.3)  # the network's status report (+CDSI, stored) arrives
    worker.run_once()
    assert queue_of(desk).for_record(p.number)[0].status == "delivered"


def test_long_text_goes_as_concatenated_ucs2_parts(modem_sim):
    modem = SmsModem(gammu_config(str(modem_sim.link)), delivery_reports=False)
    try:
        text = "【幸福家园物业】" + "明日9:00-17:00三栋停水检修，请提前储水。" * 7
        refs = modem.send("13812345678", text)
    finally:
        modem.close()
    assert len(refs) == sms_parts(text) == 3
    (msg,) = modem_sim.modem.inbox
    assert msg.text == text and msg.references == refs
    assert all(not p.status_report for _, p, _ in modem_sim.modem.parts)


def test_cms_error_is_retried_later_and_sent_once(desk, actors, worker, modem_sim, clock):
    """+CMS ERROR: 500 refuses the send: the notice waits and is retried, sent exactly once."""
    sim = modem_sim.modem
    sim.fail_sends = [500]
    p = intake(desk, actors)
    worker.run_once()
    (n,) = queue_of(desk).for_record(p.number)
    assert n.status == "queued" and "ERR_UNKNOWN" in n.last_error and not sim.inbox
    clock.advance(seconds=desk.settings.notices.retry_s + 1)
    worker.run_once()
    assert len(sim.inbox) == 1 and queue_of(desk).for_record(p.number)[0].status == "sent"


def test_unplugged_modem_loses_nothing(desk, actors, worker, modem_sim):
    """Unplugged: nothing is claimed, the parcels' notices wait; plugged back, each goes once."""
    assert worker.run_once()
    modem_sim.unplug()
    worker.modem.close()  # the port vanished (the driver finds out on its next use)
    parcels = [intake(desk, actors, tracking_no=f"SF{i}", phone=f"1361234567{i}") for i in range(3)]
    assert worker.run_once() is False
    assert worker.state.value == "offline"
    assert all(n.status == "queued" and n.claimed_at is None for n in queue_of(desk).pending())
    modem_sim.plug()
    assert worker.run_once()
    assert sorted(m.number for m in modem_sim.modem.inbox) == [f"1361234567{i}" for i in range(3)]
    assert {queue_of(desk).for_record(p.number)[0].status for p in parcels} == {"sent"}


def test_crash_between_queue_and_send_sends_once(desk, actors, worker, modem_sim, tmp_path):
    """The intake was acknowledged (queued, fsynced), the process died before sending: after
    the restart it goes out once; a second restart sends nothing more."""
    from desk.service import Desk

    p = intake(desk, actors)
    settings, clock = desk.settings, desk.clock
    desk.close()  # "crash": nothing but the fsynced log survives
    for _ in range(2):
        again = Desk.open(settings, clock=clock)
        try:
            worker.desk, worker.queue = again, queue_of(again)
            worker.queue.recover()
            worker.run_once()
        finally:
            again.close()
    assert [m.number for m in modem_sim.modem.inbox] == ["13812345678"]
    desk.store = Desk.open(settings, clock=clock).store  # for the fixture's close()
    assert queue_of(desk).for_record(p.number)[0].status in ("sent", "delivered")


def test_crash_after_claim_never_sends_twice(desk, actors, worker, modem_sim):
    """Claimed (about to go to the modem) when the sender died: failed at restart, not resent."""
    p = intake(desk, actors)
    queue = queue_of(desk)
    queue.claim(queue.next_due().number)
    worker.start()
    time.sleep(1.0)
    worker.stop()
    (n,) = queue.for_record(p.number)
    assert n.status == "failed" and "未重发" in n.last_error and not modem_sim.modem.inbox


def test_host_replies_1_by_sms_and_the_visit_is_admitted(desk, actors, worker, modem_sim):
    """V2: the host's SMS 1 from the registered phone admits the visitor; others are not taken."""
    v = desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="赵六", id_type="passport",
                                          id_number="E12345678", purpose="送货"), actors["visitor"])  # fmt: skip
    worker.run_once()
    (msg,) = modem_sim.modem.inbox
    assert "回复1" in msg.text and "3栋2单元501室" in msg.text
    modem_sim.modem.receive("+8613912345678", "1")  # a neighbour, not the host
    worker.run_once()
    assert desk.get(v.number).status == "waiting_host"
    modem_sim.modem.receive("+8613812345678", "１")  # full-width digit from a Chinese keyboard
    worker.run_once()
    got = desk.get(v.number)
    assert got.status == "admitted" and got.host_answer == "同意"
    assert got.history[-1].actor.source == "sms"
    assert not modem_sim.modem.memories["SM"]  # read messages are deleted from the SIM


def test_follow_up_by_sms_after_three_unanswered_calls_records_rating(
    desk, actors, worker, modem_sim
):
    """R5, S1: three unanswered follow-up calls -> SMS "回复1-4" -> the reply is the rating."""
    from desk.records import SYSTEM

    order = desk.repairs.report(RepairRequest(location="3-2-501", category="water",
                                              description="厨房漏水", contact_name="张三",
                                              contact_phone="13812345678"), actors["owner"])  # fmt: skip
    # R2, E1: the new core takes 漏水 for an emergency (urgent, emergency recorded); the
    # notices and the follow-up by SMS are the same for it.
    assert order.urgent and order.emergency
    for action in ("dispatch", "accept", "arrive"):
        desk.repairs.transition(order.number, action, actors["staff"])
    desk.repairs.complete(order.number, actors["staff"])
    for _ in range(3):
        desk.calls.record(CallLog(direction="out", caller="hotline", callee="13812345678",
                                  purpose=f"follow_up:{order.number}", outcome="no_answer",
                                  status="no_answer"), SYSTEM)  # fmt: skip
    worker.run_once()
    texts = [m.text for m in modem_sim.modem.inbox]
    assert any("回复数字1-4" in t for t in texts)
    assert any("已受理" in t for t in texts) and any("已派工" in t for t in texts)
    modem_sim.modem.receive("+8613812345678", "2")
    worker.run_once()
    got = desk.get(order.number)
    assert got.status == "closed" and got.satisfaction == "满意"


@pytest.mark.slow
def test_modem_that_stops_answering(desk, actors, worker, modem_sim):
    """A hung modem: the send times out, the notice goes back uncounted; answering again, it goes."""
    assert worker.run_once()
    modem_sim.modem.mute = True
    p = intake(desk, actors)
    assert worker.run_once() is False
    (n,) = queue_of(desk).for_record(p.number)
    assert n.status == "queued" and n.claimed_at is None and n.attempts == 0
    modem_sim.modem.mute = False
    worker.modem.close()
    assert worker.run_once(), worker.last_error
    assert len(modem_sim.modem.inbox) == 1


def test_modem_init_fails_cleanly_on_a_missing_port(tmp_path):
    modem = SmsModem(gammu_config(str(tmp_path / "nothing")))
    with pytest.raises(ModemError) as err:
        modem.connect()
    assert err.value.offline


def test_plain_error_and_cms_errors_are_refusals_not_sends(desk, actors, worker, modem_sim, clock):
    """ERROR and +CMS ERROR: 331 (no network) are refused sends: retried, then failed, never "sent"."""
    from dataclasses import replace

    queue = queue_of(desk)
    queue.settings = replace(queue.settings, max_attempts=2)
    modem_sim.modem.fail_sends = [0, 331]
    p = intake(desk, actors)
    worker.run_once()
    clock.advance(seconds=desk.settings.notices.retry_s + 1)
    worker.run_once()
    (n,) = queue.for_record(p.number)
    assert n.status == "failed" and n.attempts == 2 and not modem_sim.modem.inbox
    assert desk.get(p.number).status == "stored"  # P2: not notified, it was never sent


def test_cds_forwarded_report_is_not_taken_for_delivery(desk, actors, worker, modem_sim):
    """+CDS (AT+CNMI ds=1) goes straight to the line; Gammu's AT driver does not parse it
    (ATGEN_IncomingSMSReport is empty): the notice stays "sent", never claimed delivered,
    and the next command works."""
    modem_sim.modem.cnmi_ds = 1
    p = intake(desk, actors)
    worker.run_once()
    time.sleep(0.3)  # +CDS: <len> + PDU arrives unsolicited
    intake(desk, actors, tracking_no="SF2", phone="13612345678")
    worker.run_once()
    assert len(modem_sim.modem.inbox) == 2
    assert queue_of(desk).for_record(p.number)[0].status == "sent"


def test_unmatched_reply_goes_to_the_duty_log_masked(desk, worker, modem_sim):
    modem_sim.modem.receive("+8613812345678", "请问快递什么时候到")
    worker.run_once()
    (entry,) = [e for e in desk.dutylog.day(desk.now().date()) if "收到短信" in e.text]
    assert "138****5678" in entry.text and "13812345678" not in entry.text


def test_two_modems_on_one_queue_send_each_notice_once(desk, actors, modem_sim, tmp_path):
    """[notices] more_devices: two senders share the queue; the claim keeps them apart."""
    from devices.notice_worker import NoticeWorker, start_all
    from devices.sim.virtual_modem import ModemDevice, VirtualModem

    second = ModemDevice(tmp_path / "dev" / "ttyUSB6", VirtualModem())
    second.plug()
    workers = [NoticeWorker(desk, SmsModem(gammu_config(str(d.link))), poll_s=0.05, housekeeping=i == 0)
               for i, d in enumerate((modem_sim, second))]  # fmt: skip
    try:
        for w in workers:
            w.modem.connect()
        start_all(workers)
        for i in range(12):
            intake(desk, actors, tracking_no=f"T{i}", phone=f"136123456{i:02d}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and queue_of(desk).pending():
            time.sleep(0.2)
    finally:
        for w in workers:
            w.stop()
        second.close()
    numbers = [m.number for m in modem_sim.modem.inbox + second.modem.inbox]
    assert sorted(numbers) == sorted(f"136123456{i:02d}" for i in range(12))
    assert modem_sim.modem.inbox and second.modem.inbox  # both carried some
