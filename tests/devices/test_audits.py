"""Key stock-take (K4), parcel audit (P5), emergency opening and the daily sheet (L3) on the simulator."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import pytest

from desk import cli
from desk.clock import in_site, local
from desk.config import load_settings
from desk.record_types import Audit
from desk.records import Actor, Role
from desk.reports.audits import audits, get_audit
from desk.reports.parcel_audit import evening_audit_reminder, parcel_audit
from desk.reports.stocktake import stocktake_reminder
from desk.service import Desk
from desk.services.requests import KeyLoanRequest, NewKey, NewStaff, ParcelIn, RepairRequest
from devices.audit_run import expand_doors, read_slots
from devices.compartments import normalise_name
from devices.manager import Devices
from devices.sim import host as sim_host

GUARD = Actor(Role.GUARD, "老张", "lobby")


@pytest.fixture
def data(tmp_path, monkeypatch):
    """A data dir with staff, keys and a desk; the sim starts in this process on first use."""
    settings = load_settings(data_dir=tmp_path / "data")
    desk = Desk.open(settings)
    desk.staff.add(NewStaff("老张", "guard", "111111"))
    desk.staff.add(NewStaff("王主管", "supervisor", "999999"))
    pins = {"老张": "111111", "王主管": "999999"}
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pins[prompt.split(" ")[0]])
    yield settings, desk
    desk.close()
    host = sim_host.in_process_host(settings.store.data_dir / "sim")
    if host:
        host.stop()


def run(settings, *argv: str) -> int:
    return cli.main(["--data", str(settings.store.data_dir), *argv])


def sim(settings, command: str) -> None:
    host = sim_host.in_process_host(settings.store.data_dir / "sim")
    if host is None:  # started by the first Devices
        Devices(settings).stop()
        host = sim_host.in_process_host(settings.store.data_dir / "sim")
    assert host.control(command) == "ok"


def receipts(settings, at_least: int = 1) -> list:
    """The simulator's printed receipts as PNGs (rendered off the port thread: wait for them)."""
    deadline = time.monotonic() + 10
    while True:
        found = sorted((settings.store.data_dir / "sim" / "receipts").glob("*.png"))
        if len(found) >= at_least or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_key_stocktake_compares_records_sensors_and_ticks_K4(data, capsys) -> None:
    settings, desk = data
    for i in range(1, 5):
        desk.keys.add(NewKey(f"K{i}", f"3栋{i}0{i}空置房", f"钥匙 3-{i:02d}", "vacant"))
    desk.keys.add(NewKey("K5", "水泵房备用", "抽屉-1", "plant"))  # outside the sensed cabinet
    desk.keys.add(NewKey("K6", "配电房备用", "抽屉-2", "plant"))
    loan = desk.keys.lend(KeyLoanRequest("K4", borrower_name="维修工老陈", borrower_is_staff=True,
                                         due_back=desk.now() - timedelta(hours=1)), GUARD)  # fmt: skip
    for slot in ("钥匙 3-01", "钥匙 3-02", "钥匙 3-05"):
        sim(settings, f"put {slot}")  # K3's slot is empty; 3-05 holds a key nobody recorded

    assert run(settings, "stocktake", "--user", "老张", "--tick", "K5") == 1
    out = capsys.readouterr().out
    assert "差异 4 项" in out and "报告已打印" in out
    (audit,) = audits(desk.store, "key_stocktake")
    found = {(f["problem"], f["item"].split()[0]) for f in audit.findings}
    assert found == {
        ("missing", "K3"),
        ("missing", "K6"),
        ("overdue_loan", "K4"),
        ("unexpected", "—"),
    }
    overdue = next(f for f in audit.findings if f["problem"] == "overdue_loan")
    assert loan.number in overdue["detail"] and "维*" in overdue["detail"]  # masked (X1)
    assert (audit.status, audit.by, audit.checked, audit.sensed) == ("open", "老张", 6, 4)
    assert audit.ticked == ("K5",)
    assert receipts(settings)  # the signed report, printed and confirmed

    # settled by a named person: a new version of the record, both in the audit log (L2)
    assert (
        run(settings, "settle", audit.number, "--user", "老张", "--note", "K3在维修部，已取回") == 0
    )
    settled = get_audit(desk.store, audit.number)
    assert (settled.status, settled.settled_by) == ("settled", "老张")
    assert desk.store.verify() == []


def test_stocktake_reminder_from_the_25th_alert_after_the_27th_K4(data) -> None:
    _, desk = data
    assert stocktake_reminder(desk.store, date(2026, 11, 24)) is None
    assert stocktake_reminder(desk.store, date(2026, 11, 25))[0] == "reminder"
    assert stocktake_reminder(desk.store, date(2026, 11, 27))[0] == "reminder"
    level, text = stocktake_reminder(desk.store, date(2026, 11, 28))
    assert level == "alert" and "K4" in text
    from desk.reports.stocktake import key_stocktake

    key_stocktake(desk.store, GUARD, local(2026, 11, 26, 10, 0), {})
    assert stocktake_reminder(desk.store, date(2026, 11, 28)) is None
    assert stocktake_reminder(desk.store, date(2026, 12, 25))[0] == "reminder"


def test_parcel_audit_every_parcel_accounted_for_P5(data) -> None:
    settings, desk = data
    numbers = {}
    for name, compartment in (("a1", "A-01"), ("a2", "A-02"), ("c1", "counter"), ("c2", "counter")):
        p = desk.parcels.receive(ParcelIn(recipient_name="孙八", unit="3-2-501", courier="顺丰速运",
                                          tracking_no=f"SF{name}", compartment=compartment), GUARD)  # fmt: skip
        numbers[name] = p.number
    sim(settings, "put A-01")
    sim(settings, "put A-05")  # occupied, no parcel recorded
    devs = Devices(settings)
    try:
        readings = read_slots(devs, "parcel")
    finally:
        devs.stop()
    assert readings["A-01"] is True and readings["A-02"] is False
    now = desk.now()
    audit = parcel_audit(desk.store, GUARD, now, readings, [numbers["c1"]], normalise_name)
    problems = sorted((f["problem"], f["place"]) for f in audit.findings)
    assert problems == [("missing", "A-02"), ("missing", "前台"), ("unexpected", "A-05")]
    assert (audit.checked, audit.sensed, audit.status) == (4, 2, "open")

    evening = in_site(datetime.combine(now.date(), settings.hours.staffed_until)) - timedelta(
        minutes=30
    )
    assert evening_audit_reminder(desk.store, settings, evening - timedelta(hours=2)) is None
    assert evening_audit_reminder(desk.store, settings, evening) is None  # done today
    assert "P5" in evening_audit_reminder(desk.store, settings, evening + timedelta(days=1))


def test_emergency_open_by_a_supervisor_reason_recorded_doors_read_back(data, capsys) -> None:
    settings, desk = data
    assert run(settings, "devices", "emergency-open", "--doors", "A-01..A-03", "--reason", "火警演练",
               "--user", "王主管") == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "3/3 个柜门已确认打开" in out and "报告已打印" in out
    (record,) = audits(desk.store, "emergency_open")
    assert (record.status, record.reason, record.by) == ("done", "火警演练", "王主管")
    assert [(f["item"], f["opened"], f["closed"]) for f in record.findings] == [
        ("A-01", True, False), ("A-02", True, False), ("A-03", True, False)]  # fmt: skip
    # the log holds the intent before any door moved, then the outcome
    versions = [e for e in _log_entries(settings) if e["kind"] == "audit"]
    assert [v["doc"]["status"] for v in versions] == ["opening", "done"]

    sim(settings, "jam B-02")
    assert run(settings, "devices", "emergency-open", "--doors", "B-01,B-02", "--reason", "漏水",
               "--user", "王主管") == 1  # fmt: skip
    assert "未能打开" in capsys.readouterr().out
    # a guard may not: refused before anything is opened or written
    assert run(settings, "devices", "emergency-open", "--doors", "all", "--reason", "x",
               "--user", "老张") == 2  # fmt: skip
    assert "主管" in capsys.readouterr().err
    assert len(audits(desk.store, "emergency_open")) == 2


def test_expand_doors_ranges_and_groups(data) -> None:
    settings, _ = data
    devs = Devices(settings)
    try:
        c = devs.compartments
        assert expand_doors(c, ["A-15..B-02"]) == ["A-15", "A-16", "B-01", "B-02"]
        assert len(expand_doors(c, ["keys"])) == 16
        assert len(expand_doors(c, ["all"])) == 48
        assert expand_doors(c, ["a-3", "A-03"]) == ["A-03"]
    finally:
        devs.stop()


def test_daily_sheet_printed_at_handover_L3(data, capsys) -> None:
    settings, desk = data
    staff = Actor(Role.STAFF, "小李", "desk")
    order = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="漏水",
                                              contact_name="张三", contact_phone="13812345678",
                                              urgent=True), staff)  # fmt: skip
    desk.repairs.dispatch(order.number, staff, assignee="老陈")
    p = desk.parcels.receive(ParcelIn(recipient_name="孙八", unit="3-2-501", courier="顺丰",
                                      tracking_no="SF1", compartment="A-01"), GUARD)  # fmt: skip
    desk.parcels.pick_up(p.number, GUARD, proxy_name="周九", proxy_id="E1234567")
    from desk.reports.daily_sheet import daily_sheet

    later = desk.now() + timedelta(hours=1)  # the urgent order is now past its 30 minutes
    sheet = daily_sheet(desk.store, desk.now().date(), later, desk.reports.due(later))
    assert sheet.received["work_order"] == 1 and sheet.received["parcel"] == 1
    assert sheet.done["parcel"] == 1 and sheet.still_open["work_order"] == 1
    # E1: the leak is also an emergency (the core records one for 漏水), listed first
    assert (order.number, "老陈") in [(o.number, o.owner) for o in sheet.overdue]
    assert sheet.chain_head == desk.store.head and len(sheet.chain_head) == 64

    assert run(settings, "daily-sheet") == 0
    assert "日报已打印" in capsys.readouterr().out
    assert len(receipts(settings)) == 1


def _log_entries(settings) -> list[dict]:
    import json

    entries = []
    for path in sorted((settings.store.data_dir / "log").glob("*.jsonl")):
        entries += [json.loads(line) for line in path.read_text().splitlines()]
    return entries


def test_audit_record_validates() -> None:
    from desk.errors import ValidationError

    now = local(2026, 11, 25, 10, 0)
    with pytest.raises(ValidationError):
        Audit(number="x", created_at=now, status="settled", by="老张", settled_by="")
    with pytest.raises(ValidationError):
        Audit(number="x", created_at=now, status="done", audit_kind="emergency_open", by="王主管")


def test_status_shows_the_stocktake_alert_and_the_evening_audit(tmp_path, capsys) -> None:
    from tests.conftest import FakeClock

    settings = load_settings(data_dir=tmp_path / "data")
    clock = FakeClock(local(2026, 11, 28, 19, 30))
    desk = Desk.open(settings, clock=clock)
    try:
        lines = cli._check_reminders(desk, settings)
        assert any(line.startswith("【警告】") and "K4" in line for line in lines)
        assert any("P5" in line for line in lines)
        parcel_audit(desk.store, GUARD, clock.now, {})
        clock.now = local(2026, 11, 26, 10, 0)
        assert [line for line in cli._check_reminders(desk, settings)] == [
            "提醒：本月钥匙盘点（11-25至11-27）尚未进行，请安排盘点 (K4)"
        ]
    finally:
        desk.close()


def test_a_wrong_pin_checks_nothing(data, monkeypatch, capsys) -> None:
    settings, desk = data
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "0000")
    assert run(settings, "stocktake", "--user", "老张") == 2
    assert run(settings, "devices", "emergency-open", "--doors", "A-01", "--reason", "火警",
               "--user", "王主管") == 2  # fmt: skip
    assert "密码错误" in capsys.readouterr().err
    assert audits(desk.store, "key_stocktake") == audits(desk.store, "emergency_open") == []
