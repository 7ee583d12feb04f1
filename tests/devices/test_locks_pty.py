"""Lock boards over real pseudo-terminals: open means confirmed, faults never report a door open."""

from __future__ import annotations

import time

import pytest
from sim_harness import locks_on, start_sim  # tests/support, put on sys.path by conftest

from devices.compartments import CompartmentMap, default_compartments, normalise_name
from devices.events import DeviceState


def boards_for(sim, protocol="kerong", timeout=0.2):
    events = []
    lb = locks_on(sim, protocol, timeout=timeout)
    lb.hub.subscribe(events.append)
    return lb, events


def test_open_is_confirmed_by_read_back(sim):
    lb, events = boards_for(sim)
    result = lb.open("A-07")
    assert result.confirmed and result.attempts == 1
    assert sim.locks.is_open(0, 7)
    assert sim.locks.unlocks == [(0, 7)]
    assert any(e.kind == "door_opened" and e.detail["compartment"] == "A-07" for e in events)
    lb.close()


def test_key_cabinet_name_variants(sim):
    lb, _ = boards_for(sim)
    assert lb.open("钥匙3-12").confirmed
    assert sim.locks.is_open(2, 12)
    lb.close()


def test_jammed_door_retried_once_then_reported_failed(sim):
    sim.locks.jam(0, 3)
    lb, events = boards_for(sim)
    result = lb.open("A-03")
    assert not result.confirmed and result.attempts == 2
    assert sim.locks.unlocks == [(0, 3), (0, 3)]
    assert any(e.kind == "door_failed" for e in events)
    assert not any(e.kind == "door_opened" for e in events)
    lb.close()


def test_silent_board_is_a_failure(sim):
    sim.locks.silent = True
    lb, _ = boards_for(sim)
    result = lb.open("A-01")
    assert not result.confirmed
    assert result.error.startswith("锁控板无应答（请检查接线/电源")
    assert lb.state_value == DeviceState.NO_ANSWER
    lb.close()


def test_garbage_answers_never_report_open(sim):
    sim.locks.garbage = True
    lb, _ = boards_for(sim)
    for name in ("A-01", "B-16", "钥匙 3-01"):
        assert not lb.open(name).confirmed
    assert lb.state("A-01") is None
    sim.locks.garbage = False
    assert lb.open("A-02").confirmed
    lb.close()


def test_item_sensor_confirms_parcel_taken(sim):
    sim.locks.put(0, 5)
    lb, events = boards_for(sim)
    assert lb.state("A-05").item is True
    assert lb.open("A-05").confirmed
    sim.locks.take(0, 5)
    assert lb.wait_item("A-05", present=False, timeout=1.0, poll=0.01)
    assert any(e.kind == "item" for e in events)
    lb.close()


def test_8a_protocol_over_pty(tmp_path):
    cm = CompartmentMap({"A-01": "1:1", "A-02": "1:2"})
    host = start_sim(tmp_path / "sim8a", cm, lock_protocol="8a")
    try:
        lb, _ = boards_for(host, "8a")
        assert lb.state("A-01").closed
        assert lb.open("A-01").confirmed
        assert lb.state("A-01").closed is False
        host.locks.jam(1, 2)
        assert not lb.open("A-02").confirmed
        lb.close()
    finally:
        host.stop()


def test_unplug_and_replug_lock_bus(sim):
    lb, _ = boards_for(sim)
    assert lb.open("A-01").confirmed
    sim.control("unplug locks")
    assert not lb.open("A-02").confirmed
    assert lb.state_value == DeviceState.OFFLINE
    sim.control("plug locks")
    t0 = time.monotonic()
    while not lb.open("A-02").confirmed:
        assert time.monotonic() - t0 < 2.0
    lb.close()


@pytest.mark.parametrize(
    ("a", "b"), [("A-07", "a-7"), ("钥匙 3-12", "钥匙3-12"), ("Ａ－０７", "A-07"), ("B-1", "b-01")]
)
def test_compartment_names_people_use(a, b):
    assert normalise_name(a) == normalise_name(b)
    cm = CompartmentMap(default_compartments())
    assert cm[a] == cm[b]


def test_compartment_map_rejects_duplicates():
    with pytest.raises(ValueError):
        CompartmentMap({"A-1": "1:1", "A-01": "1:2"})
    with pytest.raises(ValueError):
        CompartmentMap({"A-1": "1:1", "B-1": "1:1"})
    with pytest.raises(ValueError):
        CompartmentMap({"A-1": "x"})


def test_jammed_door_on_a_slow_answering_board_is_not_called_offline(tmp_path):
    """A read-back cut short by the confirm deadline must not take the board for silent."""
    host = start_sim(tmp_path / "slow", lock_answer_delay=0.05)
    try:
        host.locks.jam(0, 4)
        lb, events = boards_for(host, timeout=0.2)
        result = lb.open("A-04")
        assert not result.confirmed and result.attempts == 2
        assert result.error == "柜门未能确认打开，请联系工作人员"
        assert lb.state_value == DeviceState.READY
        states = [e.state for e in events if e.kind == "state"]
        assert not {DeviceState.NO_ANSWER, DeviceState.BAD_ANSWER} & set(states)
        lb.close()
    finally:
        host.stop()


def test_silent_bus_is_never_reported_ready(sim):
    sim.control("locks silent")
    lb, events = boards_for(sim)
    assert lb.connect()
    assert lb.state_value == DeviceState.CONNECTING  # the port opened, nobody answered yet
    assert lb.state("A-01") is None
    assert lb.state_value == DeviceState.NO_ANSWER
    assert not lb.open("B-03").confirmed
    assert DeviceState.READY not in [e.state for e in events if e.kind == "state"]
    assert not any(e.kind == "door_opened" for e in events)
    sim.control("locks ok")
    assert lb.open("B-03").confirmed
    assert lb.state_value == DeviceState.READY
    lb.close()


def test_garbage_is_an_error_state_and_a_reported_failure(sim):
    sim.control("locks garbage")
    lb, events = boards_for(sim)
    result = lb.open("A-09")
    assert not result.confirmed and result.attempts == 2
    assert result.error.startswith("锁控板应答异常（请检查波特率/协议）")
    assert lb.state_value == DeviceState.BAD_ANSWER
    assert [e.kind for e in events if e.kind.startswith("door_")] == ["door_failed"]
    assert lb.board_states(0) is None
    lb.close()


def test_8a_silent_board_gives_up_at_the_first_unanswered_lock(tmp_path):
    cm = CompartmentMap({f"A-{n:02d}": f"1:{n}" for n in range(1, 9)})
    host = start_sim(tmp_path / "sim8a", cm, lock_protocol="8a")
    try:
        host.locks.silent = True
        lb, _ = boards_for(host, "8a")
        assert lb.board_states(1) is None
        assert host.locks.frames_seen == 1  # not one timeout per lock while holding the bus
        host.locks.silent = False
        assert len(lb.board_states(1)) == 8
        lb.close()
    finally:
        host.stop()


def test_8a_open_uses_the_unlock_answer_and_raises_no_error(tmp_path):
    """Issue 11 items 1-2: a board that follows the documents (0x11 = closed) opens without a
    spurious error event, the unlock answer confirms it, and a jammed door is a failure."""
    cm = CompartmentMap({f"A-{n:02d}": f"1:{n}" for n in range(1, 6)})
    host = start_sim(tmp_path / "sim8a", cm, lock_protocol="8a", lock_answer_delay=0.02)
    try:
        lb, events = boards_for(host, "8a")
        for n in range(1, 6):
            assert lb.open(f"A-{n:02d}").confirmed
        assert host.locks.frames_seen == 5  # the unlock's own answer, no read-back query
        states = [e.state for e in events if e.kind == "state"]
        assert not {DeviceState.NO_ANSWER, DeviceState.BAD_ANSWER, DeviceState.ERROR} & set(states)
        host.locks.close(1, 1)
        host.locks.jam(1, 1)
        result = lb.open("A-01")
        assert not result.confirmed and result.attempts == 2
        assert result.error == "柜门未能确认打开，请联系工作人员"
        assert lb.state("A-01").closed
        lb.close()
    finally:
        host.stop()


def test_garbage_and_silence_are_told_apart(sim):
    """Issue 11 item 4: wiring/power (silent) vs baud/protocol (garbage)."""
    lb, _ = boards_for(sim)
    sim.control("locks silent")
    assert lb.state("A-01") is None and lb.state_value == DeviceState.NO_ANSWER
    sim.control("locks ok")
    sim.control("locks garbage")
    assert lb.state("A-01") is None and lb.state_value == DeviceState.BAD_ANSWER
    sim.control("locks ok")
    assert lb.state("A-01") is not None and lb.state_value == DeviceState.READY
    lb.close()
