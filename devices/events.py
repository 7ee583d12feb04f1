"""Connection states of a device and a small listener hub (devices report, the kiosk subscribes)."""

from __future__ import annotations

import enum
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


class DeviceState(enum.Enum):
    """What a device is doing now, in the spirit of OctoPrint's printer states."""

    OFFLINE = "offline"
    """Port missing or device not answering; the driver retries with backoff."""
    CONNECTING = "connecting"
    """Port being opened."""
    READY = "ready"
    """Answering and able to work."""
    BUSY = "busy"
    """Printing a job / running a lock command."""
    PAPER_NEAR_END = "paper_near_end"
    """Printer works but the roll is nearly finished: tell staff."""
    PAPER_OUT = "paper_out"
    """Printer out of paper: jobs wait until the paper is changed."""
    COVER_OPEN = "cover_open"
    """Printer cover open: jobs wait."""
    NO_ANSWER = "no_answer"
    """Port open but the device stays silent (wiring, power, address)."""
    BAD_ANSWER = "bad_answer"
    """The device answers with bytes that are not its protocol (baud rate, protocol choice)."""
    ERROR = "error"
    """Any other device error (cutter)."""


#: States in which the device answers.
ONLINE_STATES = frozenset(
    {
        DeviceState.READY,
        DeviceState.BUSY,
        DeviceState.PAPER_NEAR_END,
        DeviceState.PAPER_OUT,
        DeviceState.COVER_OPEN,
    }
)
#: States in which a print job may be sent.
PRINTABLE_STATES = frozenset({DeviceState.READY, DeviceState.BUSY, DeviceState.PAPER_NEAR_END})
#: States that need a person (shown on the kiosk's staff screen).
ATTENTION_STATES = frozenset(
    {
        DeviceState.OFFLINE,
        DeviceState.PAPER_NEAR_END,
        DeviceState.PAPER_OUT,
        DeviceState.COVER_OPEN,
        DeviceState.NO_ANSWER,
        DeviceState.BAD_ANSWER,
        DeviceState.ERROR,
    }
)

#: What staff are told about the lock bus in each state that needs a person.
LOCK_PROBLEM_ZH = {
    DeviceState.OFFLINE: "锁控板未连接（串口不存在，请检查USB/串口线）",
    DeviceState.NO_ANSWER: "锁控板无应答（请检查接线/电源/地址）",
    DeviceState.BAD_ANSWER: "锁控板应答异常（请检查波特率/协议）",
    DeviceState.ERROR: "锁控板故障",
}


def lock_problem_zh(state: DeviceState) -> str:
    """Staff text for the lock bus in ``state`` ("" when nothing is wrong)."""
    return LOCK_PROBLEM_ZH.get(state, "")


@dataclass(frozen=True)
class DeviceEvent:
    """One thing a device reports: a state change or a named event (job printed, door opened)."""

    device: str
    """"printer" or "locks"."""
    kind: str
    """"state", "job_printed", "job_failed", "job_waiting", "door_opened", "door_failed", "item"..."""
    state: DeviceState | None = None
    """The device's state after this event."""
    detail: dict[str, Any] = field(default_factory=dict)
    """Event data (job number, compartment name, error text)."""


Listener = Callable[[DeviceEvent], None]


class EventHub:
    """Fan events out to listeners; a failing listener is logged and never breaks a device."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; returns a function that removes it again."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, event: DeviceEvent) -> None:
        """Call every listener with ``event`` (on the caller's thread)."""
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(event)
            except Exception:  # noqa: BLE001 - a broken listener must not stop a device
                log.exception("device listener %r failed on %s", listener, event.kind)
