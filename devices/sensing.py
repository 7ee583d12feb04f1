"""Waiting on a compartment's sensors: a door shut after a pickup, a key hung back, a parcel loaded.

The front ends call these after a confirmed open (on a worker thread: they block up to their
timeout). Each returns what the board reported, never a guess: without an item sensor the
answer says so, and a board that stops answering is not taken for an empty compartment.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.events import DeviceEvent
from devices.locks import LockBoard

log = logging.getLogger(__name__)

#: Pickup outcomes (``DoorWatch.outcome``).
TAKEN = "taken"
"""Door shut, item sensor empty: the parcel was collected."""
STILL_THERE = "still_there"
"""Door shut, the item is still inside: ask the person."""
DOOR_OPEN = "door_open"
"""The door was not shut within the time: the guard is alerted."""
CLOSED = "closed"
"""Door shut on a board without item sensors: nothing known about the item."""
NO_ANSWER = "no_answer"
"""The board stopped answering while we watched."""

#: Sensor outcomes (``SensorWait.outcome``) for key returns and parcel intake.
SEEN = "seen"
NOT_SEEN = "not_seen"
NO_SENSOR = "no_sensor"


@dataclass(frozen=True)
class DoorWatch:
    """What became of an opened compartment."""

    compartment: str
    outcome: str
    item: bool | None
    """Item sensor when the door was last seen shut (None: no sensor / never shut)."""
    seconds: float
    alerted: bool
    """The guard was alerted that the door stayed open."""


@dataclass(frozen=True)
class SensorWait:
    """Whether a compartment's item sensor reached the awaited reading."""

    compartment: str
    outcome: str
    """SEEN, NOT_SEEN (timeout), NO_SENSOR (board has none) or NO_ANSWER."""
    seconds: float

    @property
    def seen(self) -> bool:
        return self.outcome == SEEN


def _has_sensor(locks: LockBoard) -> bool:
    proto = getattr(locks, "protocol", None)
    return bool(getattr(proto, "has_item_sensors", True))


def watch_pickup(
    locks: LockBoard,
    name: str,
    timeout: float,
    alert_after: float,
    poll: float = 0.3,
    on_alert: Callable[[str, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> DoorWatch:
    """Wait for the door of ``name`` to be shut and read its item sensor.

    After ``alert_after`` seconds with the door still open the hub gets a ``door_left_open``
    event (and ``on_alert(name, seconds)`` is called) once; at ``timeout`` the watch gives up
    with DOOR_OPEN. Taken -> TAKEN, still inside -> STILL_THERE, no sensor -> CLOSED.
    """
    t0 = time.monotonic()
    alerted = False
    misses = 0
    while True:
        elapsed = time.monotonic() - t0
        st = locks.state(name)
        if st is None:
            misses += 1
            if misses >= 3:
                return DoorWatch(name, NO_ANSWER, None, elapsed, alerted)
        else:
            misses = 0
            if st.closed:
                if st.item is None or not _has_sensor(locks):
                    outcome = CLOSED
                else:
                    outcome = STILL_THERE if st.item else TAKEN
                locks.hub.emit(
                    DeviceEvent(
                        "locks", "door_closed", None, {"compartment": name, "outcome": outcome}
                    )
                )
                return DoorWatch(name, outcome, st.item, elapsed, alerted)
        if not alerted and elapsed >= alert_after:
            alerted = True
            log.warning("locks: door %s left open for %.0f s", name, elapsed)
            locks.hub.emit(
                DeviceEvent(
                    "locks", "door_left_open", None, {"compartment": name, "seconds": elapsed}
                )
            )
            if on_alert is not None:
                on_alert(name, elapsed)
        if elapsed >= timeout:
            return DoorWatch(name, DOOR_OPEN, None, elapsed, alerted)
        sleep(poll)


def wait_item(
    locks: LockBoard,
    name: str,
    present: bool,
    timeout: float,
    poll: float = 0.3,
    sleep: Callable[[float], None] = time.sleep,
) -> SensorWait:
    """Wait until the item sensor of ``name`` reads ``present`` (a key hung back, a parcel loaded)."""
    t0 = time.monotonic()
    if not _has_sensor(locks):
        return SensorWait(name, NO_SENSOR, 0.0)
    misses = 0
    while True:
        elapsed = time.monotonic() - t0
        st = locks.state(name)
        if st is None:
            misses += 1
            if misses >= 3:
                return SensorWait(name, NO_ANSWER, elapsed)
        elif st.item is None:
            return SensorWait(name, NO_SENSOR, elapsed)
        elif st.item == present:
            locks.hub.emit(
                DeviceEvent("locks", "item", None, {"compartment": name, "present": present})
            )
            return SensorWait(name, SEEN, elapsed)
        else:
            misses = 0
        if elapsed >= timeout:
            return SensorWait(name, NOT_SEEN, elapsed)
        sleep(poll)


def wait_key_returned(locks: LockBoard, name: str, timeout: float, poll: float = 0.3) -> SensorWait:
    """K2: the key slot's sensor sees the key (the loan may be closed only then)."""
    return wait_item(locks, name, True, timeout, poll)


def confirm_loaded(locks: LockBoard, name: str, timeout: float, poll: float = 0.3) -> SensorWait:
    """P1, P5: the sensor sees the parcel (only then does the compartment count as occupied)."""
    return wait_item(locks, name, True, timeout, poll)
