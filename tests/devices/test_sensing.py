"""Issue 11 item 5: sensors are waited for (door shut, item taken, key back, parcel loaded)."""

from __future__ import annotations

import threading
import time

import pytest
from sim_harness import locks_on, start_sim  # tests/support, put on sys.path by conftest

from devices import sensing
from devices.compartments import CompartmentMap


def later(seconds, *actions):
    """A person at the locker: ``actions`` run one after another after ``seconds``."""

    def run():
        time.sleep(seconds)
        for action in actions:
            action()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


@pytest.fixture
def boards(sim):
    lb = locks_on(sim, "kerong", timeout=0.2)
    events = []
    lb.hub.subscribe(events.append)
    yield lb, events
    lb.close()


def test_pickup_taken_when_door_shut_and_sensor_empty(sim, boards):
    lb, events = boards
    sim.locks.put(0, 5)
    assert lb.open("A-05").confirmed
    later(0.1, lambda: sim.locks.take(0, 5), lambda: sim.locks.close(0, 5))
    watch = sensing.watch_pickup(lb, "A-05", timeout=3, alert_after=2, poll=0.02)
    assert watch.outcome == sensing.TAKEN and watch.item is False and not watch.alerted
    assert any(e.kind == "door_closed" for e in events)


def test_pickup_still_there_when_door_shut_on_the_parcel(sim, boards):
    lb, _ = boards
    sim.locks.put(0, 6)
    assert lb.open("A-06").confirmed
    later(0.1, lambda: sim.locks.close(0, 6))
    watch = sensing.watch_pickup(lb, "A-06", timeout=3, alert_after=2, poll=0.02)
    assert watch.outcome == sensing.STILL_THERE and watch.item is True


def test_door_left_open_alerts_the_guard_once(sim, boards):
    lb, events = boards
    sim.locks.put(0, 7)
    assert lb.open("A-07").confirmed
    alerts = []
    watch = sensing.watch_pickup(
        lb, "A-07", timeout=0.5, alert_after=0.15, poll=0.02, on_alert=lambda n, s: alerts.append(n)
    )
    assert watch.outcome == sensing.DOOR_OPEN and watch.alerted
    assert alerts == ["A-07"]
    assert [e.kind for e in events].count("door_left_open") == 1


def test_watch_reports_a_board_that_stops_answering(sim, boards):
    lb, _ = boards
    assert lb.open("A-08").confirmed
    sim.locks.silent = True
    watch = sensing.watch_pickup(lb, "A-08", timeout=3, alert_after=2, poll=0.01)
    assert watch.outcome == sensing.NO_ANSWER


def test_key_return_waits_for_the_key(sim, boards):
    lb, _ = boards
    assert lb.open("钥匙 3-12").confirmed
    later(0.15, lambda: sim.locks.put(2, 12))
    got = sensing.wait_key_returned(lb, "钥匙 3-12", timeout=3, poll=0.02)
    assert got.seen and got.seconds >= 0.1  # not read the moment the door opened


def test_key_return_times_out_without_the_key(sim, boards):
    lb, _ = boards
    assert lb.open("钥匙 3-11").confirmed
    got = sensing.wait_key_returned(lb, "钥匙 3-11", timeout=0.2, poll=0.02)
    assert got.outcome == sensing.NOT_SEEN and not got.seen


def test_intake_confirms_the_parcel_is_seen(sim, boards):
    lb, _ = boards
    assert lb.open("B-02").confirmed
    assert sensing.confirm_loaded(lb, "B-02", timeout=0.15, poll=0.02).outcome == sensing.NOT_SEEN
    later(0.05, lambda: sim.locks.put(1, 2))
    assert sensing.confirm_loaded(lb, "B-02", timeout=2, poll=0.02).seen


def test_8a_boards_have_no_item_sensor_and_say_so(tmp_path):
    host = start_sim(tmp_path / "a", CompartmentMap({"A-01": "1:1"}), lock_protocol="8a")
    try:
        lb = locks_on(host, "8a")
        assert lb.open("A-01").confirmed
        assert sensing.wait_key_returned(lb, "A-01", 1).outcome == sensing.NO_SENSOR
        later(0.05, lambda: host.locks.close(1, 1))
        watch = sensing.watch_pickup(lb, "A-01", timeout=2, alert_after=1, poll=0.02)
        assert watch.outcome == sensing.CLOSED and watch.item is None
        assert lb.lamp("A-01", True) is False  # no lamp on these boards
        lb.close()
    finally:
        host.stop()


def test_simulator_models_take_put_close_by_name(sim):
    assert sim.control("put A-03") == "ok"
    assert sim.locks.boards[0][3].item
    assert sim.control("take A-03") == "ok"
    assert not sim.locks.boards[0][3].item
