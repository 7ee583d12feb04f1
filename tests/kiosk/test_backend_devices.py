"""Issue 11 item 5 at the kiosk's door to the core: sensors decide what is recorded (K2, P1, P3, P5).

No window: the real Desk and the real devices on the simulator, with short sensor timeouts.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from desk.demo import install_demo
from desk.errors import DeskError
from desk.service import Desk
from devices.manager import Devices
from devices.sim.host import in_process_host
from kiosk.backend import KioskBackend, occupied_compartments


@pytest.fixture
def kb(tmp_path):
    from harness import stored_parcel, test_settings

    s = test_settings(tmp_path / "data")
    s = dataclasses.replace(
        s,
        devices=dataclasses.replace(
            s.devices,
            lock_timeout_s=0.2,
            pickup_close_timeout_s=0.6,
            door_open_alert_s=0.2,
            key_return_timeout_s=0.3,
            intake_timeout_s=0.3,
        ),
    )
    desk = Desk.open(s)
    install_demo(desk)
    devices = Devices(s, desk.printing)
    b = KioskBackend(desk, devices, s)
    b.app = SimpleNamespace(staff=desk.staff.login("guard", "111111"))
    b.sim = in_process_host(s.devices.sim_dir)
    b.stored_parcel = lambda compartment, no: stored_parcel(desk, compartment, no)
    yield b
    devices.stop()
    desk.close()


def test_P3_parcel_collected_only_when_taken_and_door_shut(kb):
    p = kb.stored_parcel("A-03", "SF3")
    kb.sim.control("put A-03")
    [o] = kb.open_for_pickup([p])
    assert o.result == "opened" and kb.desk.get(p.number).status == "stored"
    kb.sim.control("take A-03")
    kb.sim.control("close A-03")
    [o] = kb.finish_pickup([o])
    assert o.result == "opened" and kb.desk.get(p.number).status == "picked_up"


def test_P5_door_left_open_calls_a_guard_and_nothing_is_collected(kb):
    p = kb.stored_parcel("A-04", "SF4")
    kb.sim.control("put A-04")
    [o] = kb.collect([p])
    assert o.result == "door_open"
    assert kb.desk.get(p.number).status == "stored"
    [req] = [r for r in kb.open_requests() if r.compartment == "A-04"]
    assert req.request_kind == "call_staff" and "未关闭" in req.note


def test_P5_door_shut_on_the_parcel_is_not_a_pickup(kb):
    p = kb.stored_parcel("A-05", "SF5")
    kb.sim.control("put A-05")
    [o] = kb.open_for_pickup([p])
    kb.sim.control("close A-05")
    [o] = kb.finish_pickup([o])
    assert o.result == "still_there" and kb.desk.get(p.number).status == "stored"


def test_K2_loan_stays_open_until_the_sensor_sees_the_key(kb):
    key = next(k for k in kb.keys() if k.status == "in")  # noqa: SIM118
    loan, opened = kb.lend_key(key.number, {"borrower_name": "张工", "borrower_is_staff": True})
    assert opened
    loan2, present = kb.return_key(key.number)  # nobody hung it back
    assert not present and loan2.number == loan.number and loan2.status == "lent"
    kb.sim.control(f"put {key.slot}")
    loan3, present = kb.return_key(key.number)
    assert present and loan3.status != "lent"


def test_P1_intake_counts_only_a_parcel_the_sensor_sees(kb):
    fields = dict(
        tracking_no="JD1", courier="京东", unit="2-1-101", recipient_name="李四",
        phone="13700000001", compartment="B-07",
    )  # fmt: skip
    with pytest.raises(DeskError, match="未检测到包裹"):
        kb.receive_parcel(dict(fields))
    assert not [p for p in kb.desk.parcels.waiting() if p.tracking_no == "JD1"]
    kb.sim.control("put B-07")
    parcel, opened = kb.receive_parcel(dict(fields))
    assert opened and parcel.compartment == "B-07"


def test_device_panel_names_the_lock_bus_fault(kb):
    kb.sim.control("locks garbage")
    kb.devices.locks.state("A-01")
    assert ("锁控板应答异常（请检查波特率/协议）", "bad") in kb.device_lines()
    kb.sim.control("locks silent")
    kb.devices.locks.state("A-01")
    assert any(t.startswith("锁控板无应答") for t, _ in kb.device_lines())
    kb.sim.control("locks ok")


def test_demo_person_completes_pickups_and_key_returns(tmp_path):
    """With the simulated person on (the demo), the flows complete by themselves."""
    from harness import stored_parcel, test_settings

    s = test_settings(tmp_path / "data")
    s = dataclasses.replace(
        s,
        devices=dataclasses.replace(
            s.devices, lock_timeout_s=0.2, sim_person_s=0.1, pickup_close_timeout_s=5,
            key_return_timeout_s=5,
        ),
    )  # fmt: skip
    desk = Desk.open(s)
    install_demo(desk)
    p = stored_parcel(desk, "A-02", "SF2")
    devices = Devices(s, desk.printing)
    devices.seed_simulator(occupied_compartments(desk))  # A-02 holds a parcel
    b = KioskBackend(desk, devices, s)
    b.app = SimpleNamespace(staff=desk.staff.login("guard", "111111"))
    try:
        [o] = b.collect([p])
        assert o.result == "opened" and desk.get(p.number).status == "picked_up"
        key = next(k for k in b.keys() if k.status == "in")  # noqa: SIM118
        b.lend_key(key.number, {"borrower_name": "张工", "borrower_is_staff": True})
        _, present = b.return_key(key.number)
        assert present
    finally:
        devices.stop()
        desk.close()
