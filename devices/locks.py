"""Lock boards on one serial bus: one command at a time, input flushed, opens confirmed by read-back."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from devices.compartments import Compartment, CompartmentMap
from devices.events import DeviceEvent, DeviceState, EventHub
from devices.links import PORT_ERRORS, SerialLink
from devices.lock_protocols import LockProtocol, LockState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenResult:
    """Outcome of an open command; ``confirmed`` only when the board reported the door open."""

    compartment: Compartment
    confirmed: bool
    attempts: int
    error: str | None = None
    """Why not (Chinese text for staff)."""
    seconds: float = 0.0


class LockBoard(ABC):
    """What the kiosk uses: open a named compartment, read its state, wait for its sensor."""

    hub: EventHub
    compartments: CompartmentMap

    @abstractmethod
    def open(self, name: str) -> OpenResult:
        """Unlock ``name`` and confirm it opened (one retry)."""

    @abstractmethod
    def state(self, name: str) -> LockState | None:
        """Door and sensor state of ``name``; None when the board does not answer."""

    def wait_item(self, name: str, present: bool, timeout: float, poll: float = 0.2) -> bool:
        """Wait until the item sensor of ``name`` reads ``present`` (parcel taken / key returned)."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.state(name)
            if st is not None and st.item is not None and st.item == present:
                self.hub.emit(
                    DeviceEvent("locks", "item", None, {"compartment": name, "present": present})
                )
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


class SerialLockBoards(LockBoard):
    """All boards of one RS-485 bus, addressed per protocol."""

    def __init__(
        self,
        protocol: LockProtocol,
        open_link: Callable[[], SerialLink],
        compartments: CompartmentMap,
        hub: EventHub | None = None,
        timeout: float = 0.3,
        retries: int = 1,
        poll: float = 0.01,
    ) -> None:
        self.protocol = protocol
        self._open_link = open_link
        self.compartments = compartments
        self.hub = hub or EventHub()
        self.timeout = timeout
        self.retries = retries
        self.poll = poll
        self._link: SerialLink | None = None
        self._bus = threading.Lock()
        self.state_value = DeviceState.OFFLINE

    # -- connection ---------------------------------------------------------
    def _set_state(self, state: DeviceState, **detail: object) -> None:
        if state != self.state_value:
            log.info("locks: %s -> %s", self.state_value.value, state.value)
            self.state_value = state
            self.hub.emit(DeviceEvent("locks", "state", state, dict(detail)))

    def connect(self) -> bool:
        """Open the bus if needed (False and OFFLINE when the port is missing).

        An open port is only CONNECTING: READY needs a board's valid answer (a silent bus
        opens just as well).
        """
        if self._link is not None:
            return True
        try:
            self._link = self._open_link()
        except (*PORT_ERRORS, ValueError) as exc:
            log.debug("locks: open failed: %s", exc)
            self._set_state(DeviceState.OFFLINE, error=str(exc))
            return False
        if self.state_value == DeviceState.OFFLINE:
            self._set_state(DeviceState.CONNECTING)
        return True

    def close(self) -> None:
        """Close the bus."""
        link, self._link = self._link, None
        if link:
            link.close()

    def _lost(self, exc: BaseException) -> None:
        log.warning("locks: bus lost: %s", exc)
        self.close()
        self._set_state(DeviceState.OFFLINE, error=str(exc))

    # -- one command at a time ---------------------------------------------
    def transact(self, frame: bytes, reply_len: int, timeout: float) -> bytes | None:
        """Flush input, send ``frame``, read up to ``reply_len`` bytes (None if the bus is gone).

        The caller holds the bus lock.
        """
        if not self.connect():
            return None
        assert self._link is not None
        try:
            self._link.clear_input()
            self._link.write(frame)
            if reply_len == 0:
                self._link.drain()
                return b""
            deadline = time.monotonic() + timeout
            data = b""
            while len(data) < reply_len:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                data += self._link.read_exact(reply_len - len(data), left)
            return data
        except PORT_ERRORS as exc:
            self._lost(exc)
            return None

    def _query(self, board: int, lock: int, timeout: float) -> dict[int, LockState] | None:
        """Ask and parse; keeps reading a little when the reply was noise."""
        p = self.protocol
        data = self.transact(p.query_frame(board, lock), p.reply_length(), timeout)
        if data is None:
            return None
        if not data:
            self._set_state(DeviceState.OFFLINE, board=board, error="no answer")
            return None
        states = p.parse_reply(data, board, lock)
        if states is None:
            log.debug("locks: unusable reply from board %d: %s", board, data.hex(" "))
            self._set_state(DeviceState.ERROR, board=board, error="bad answer")
            return None
        self._set_state(DeviceState.READY)
        return states

    # -- LockBoard ----------------------------------------------------------
    def state(self, name: str) -> LockState | None:
        c = self.compartments[name]
        with self._bus:
            states = self._query(c.board, c.lock, self.timeout)
        if states is None:
            return None
        return states.get(c.lock)

    def open(self, name: str) -> OpenResult:
        c = self.compartments[name]
        t0 = time.monotonic()
        attempts = 0
        with self._bus:
            for attempt in range(1 + self.retries):
                attempts = attempt + 1
                if (
                    self.transact(self.protocol.open_frame(c.board, c.lock), 0, self.timeout)
                    is None
                ):
                    break
                deadline = time.monotonic() + self.timeout
                while time.monotonic() < deadline:
                    # every read-back gets the full answer time: a query cut short by the
                    # deadline would take a board that answers for a silent one (OFFLINE)
                    states = self._query(c.board, c.lock, self.timeout)
                    st = states.get(c.lock) if states else None
                    if st is not None and not st.closed:
                        result = OpenResult(c, True, attempts, None, time.monotonic() - t0)
                        self._set_state(DeviceState.READY)
                        self.hub.emit(
                            DeviceEvent(
                                "locks",
                                "door_opened",
                                self.state_value,
                                {"compartment": c.name, "attempts": attempts},
                            )
                        )
                        return result
                    time.sleep(self.poll)
                log.warning("locks: %s not confirmed open (attempt %d)", c.name, attempts)
        error = "柜门未能确认打开，请联系工作人员"
        if self.state_value in (DeviceState.OFFLINE, DeviceState.ERROR):
            error = "锁控板未连接，请联系工作人员"
        result = OpenResult(c, False, attempts, error, time.monotonic() - t0)
        self.hub.emit(
            DeviceEvent(
                "locks",
                "door_failed",
                self.state_value,
                {"compartment": c.name, "attempts": attempts, "error": error},
            )
        )
        return result

    def board_states(self, board: int) -> dict[int, LockState] | None:
        """All states of one board (Kerong answers all 16 at once; 8A is asked lock by lock)."""
        with self._bus:
            if self.protocol.name == "kerong":
                return self._query(board, 1, self.timeout)
            out: dict[int, LockState] = {}
            for c in self.compartments:
                if c.board == board:
                    st = self._query(board, c.lock, self.timeout)
                    if st is None:
                        return None  # silent or garbled: do not hold the bus for every lock
                    out.update(st)
            return out or None
