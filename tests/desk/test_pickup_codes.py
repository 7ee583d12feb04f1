"""Tests for desk.pickup_codes (P3)."""

import json
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desk.clock import local
from desk.errors import DeskError, LockedOut
from desk.pickup_codes import Lockout, new_pickup_code

T0 = local(2024, 3, 11, 10, 0)
CALLER = "13812345678"


def test_P3_code_is_six_digits():
    for _ in range(200):
        code = new_pickup_code(set())
        assert len(code) == 6 and code.isdigit()


@given(st.sets(st.integers(0, 999_999).map(lambda n: f"{n:06d}"), max_size=200))
def test_P3_code_unique_among_taken(taken):
    assert new_pickup_code(taken) not in taken


def test_P3_code_space_exhausted():
    with pytest.raises(RuntimeError):
        new_pickup_code({f"{n}" for n in range(10)}, digits=1)


def test_P3_five_wrong_codes_lock_out_for_five_minutes():
    lock = Lockout()
    for i in range(4):
        lock.check(CALLER, T0)
        assert lock.record_failure(CALLER, T0 + timedelta(seconds=i)) == 4 - i
    assert lock.record_failure(CALLER, T0 + timedelta(seconds=5)) == 0
    with pytest.raises(LockedOut) as info:
        lock.check(CALLER, T0 + timedelta(minutes=4))
    assert info.value.until == T0 + timedelta(minutes=5, seconds=5)
    assert info.value.source == CALLER
    assert isinstance(info.value, DeskError)
    assert CALLER not in str(info.value) and "138****5678" in str(info.value)
    lock.check("kiosk-1", T0)  # other sources are not affected
    lock.check(CALLER, T0 + timedelta(minutes=5, seconds=5))  # lockout over
    assert lock.record_failure(CALLER, T0 + timedelta(minutes=6)) == 4  # counting starts afresh


def test_P3_failures_outside_window_are_forgotten():
    lock = Lockout(max_failures=3, window=timedelta(minutes=10), lock_for=timedelta(minutes=1))
    lock.record_failure("kiosk-1", T0)
    lock.record_failure("kiosk-1", T0 + timedelta(minutes=5))
    assert lock.record_failure("kiosk-1", T0 + timedelta(minutes=12)) == 1  # T0 forgotten
    assert lock.record_failure("kiosk-1", T0 + timedelta(minutes=13)) == 0
    with pytest.raises(LockedOut):
        lock.check("kiosk-1", T0 + timedelta(minutes=13, seconds=30))
    assert lock.locked_until("kiosk-1", T0 + timedelta(minutes=13)) == T0 + timedelta(minutes=14)
    assert lock.locked_until("kiosk-1", T0 + timedelta(minutes=14)) is None


def test_P3_success_clears_failures():
    lock = Lockout()
    for _ in range(4):
        lock.record_failure("kiosk-1", T0)
    lock.record_success("kiosk-1")
    assert lock.record_failure("kiosk-1", T0) == 4


def test_P3_state_round_trips_through_json():
    lock = Lockout()
    for i in range(5):
        lock.record_failure(CALLER, T0 + timedelta(seconds=i))
    lock.record_failure("kiosk-1", T0)
    data = json.loads(json.dumps(lock.to_dict()))
    again = Lockout.from_dict(data)
    assert again.to_dict() == lock.to_dict()
    with pytest.raises(LockedOut):
        again.check(CALLER, T0 + timedelta(minutes=1))
    assert again.record_failure("kiosk-1", T0) == 3
    assert Lockout.from_dict(None).to_dict() == {"failures": {}, "locked_until": {}}


def test_P3_prune_drops_stale_state():
    lock = Lockout()
    for i in range(5):
        lock.record_failure(CALLER, T0 + timedelta(seconds=i))
    lock.record_failure("kiosk-1", T0)
    lock.prune(T0 + timedelta(hours=1))
    assert lock.to_dict() == {"failures": {}, "locked_until": {}}
