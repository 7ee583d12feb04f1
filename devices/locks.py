"""Lock boards on one serial bus: one command at a time, input flushed, opens confirmed by read-back."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from devices.compartments import Compartment, CompartmentMap
from devices.events import DeviceEvent, DeviceState, EventHub, lock_problem_zh
from devices.links import PORT_ERRORS, SerialLink
from devices.lock_protocols import LockProtocol, LockState

log = logging.getLogger(__name__)

#: Lock-bus states in which an unconfirmed open is the bus's fault, not the door's.
PROBLEM_STATES = (
    DeviceState.OFFLINE,
    DeviceState.NO_ANSWER,
    DeviceState.BAD_ANSWER,
    DeviceState.ERROR,
)


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
        """Wait until the item sensor of ``name`` reads ``present`` (see ``devices.sensing``)."""
        from devices import sensing

        return sensing.wait_item(self, name, present, timeout, poll).seen


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
            return self._read(reply_len, timeout)
        except PORT_ERRORS as exc:
            self._lost(exc)
            return None

    def _read(self, n: int, timeout: float) -> bytes:
        """Read up to ``n`` bytes within ``timeout`` (port errors go to the caller)."""
        assert self._link is not None
        deadline = time.monotonic() + timeout
        data = b""
        while len(data) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            data += self._link.read_exact(n - len(data), left)
        return data

    def _read_more(self, n: int, timeout: float) -> bytes | None:
        """More bytes after a reply that held no valid frame (None if the bus went away)."""
        try:
            return self._read(n, timeout)
        except PORT_ERRORS as exc:
            self._lost(exc)
            return None

    def _query(self, board: int, lock: int, timeout: float) -> dict[int, LockState] | None:
        """Ask and parse; keeps reading while the reply held no valid answer (a late answer to
        an earlier command, line noise), so only a bus that never answers right is a fault."""
        p = self.protocol
        t0 = time.monotonic()
        data = self.transact(p.query_frame(board, lock), p.reply_length(), timeout)
        if data is None:
            return None
        states = p.parse_reply(data, board, lock) if data else None
        while states is None and data:
            left = timeout - (time.monotonic() - t0)
            more = self._read_more(p.reply_length(), left) if left > 0 else b""
            if more is None:
                return None
            if not more:
                break
            data += more
            states = p.parse_reply(data, board, lock)
        if not data:
            self._set_state(DeviceState.NO_ANSWER, board=board, error="no answer")
            return None
        if states is None:
            log.debug("locks: unusable reply from board %d: %s", board, data.hex(" "))
            self._set_state(DeviceState.BAD_ANSWER, board=board, error="bad answer")
            return None
        self._set_state(DeviceState.READY)
        return states

    def _unlock(self, board: int, lock: int) -> LockState | None | bool:
        """Send the unlock; the door state the board answered with (where its protocol answers),
        None when there is no usable answer, False when the bus is gone."""
        p = self.protocol
        n = p.unlock_reply_length()
        data = self.transact(p.open_frame(board, lock), n, self.timeout)
        if data is None:
            return False
        if not n or not data:
            return None
        st = p.parse_unlock_reply(data, board, lock)
        if st is None:
            more = self._read_more(n, self.timeout / 2)
            if more:
                st = p.parse_unlock_reply(data + more, board, lock)
        if st is None:
            log.debug("locks: unusable unlock answer from board %d: %s", board, data.hex(" "))
        return st

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
        answered_closed = False
        with self._bus:
            for attempt in range(1 + self.retries):
                attempts = attempt + 1
                answer = self._unlock(c.board, c.lock)
                if answer is False:
                    break
                if isinstance(answer, LockState):
                    # the board's own answer to the unlock carries the result (8A boards)
                    self._set_state(DeviceState.READY)
                    if not answer.closed:
                        return self._opened(c, attempts, t0)
                    answered_closed = True
                    log.warning("locks: %s answered still locked (attempt %d)", c.name, attempts)
                    continue
                deadline = time.monotonic() + self.timeout
                while time.monotonic() < deadline:
                    # every read-back gets the full answer time: a query cut short by the
                    # deadline would take a board that answers for a silent one
                    states = self._query(c.board, c.lock, self.timeout)
                    st = states.get(c.lock) if states else None
                    if st is not None and not st.closed:
                        return self._opened(c, attempts, t0)
                    time.sleep(self.poll)
                log.warning("locks: %s not confirmed open (attempt %d)", c.name, attempts)
        error = "柜门未能确认打开，请联系工作人员"
        if not answered_closed and self.state_value in PROBLEM_STATES:
            error = f"{lock_problem_zh(self.state_value)}，请联系工作人员"
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

    def _opened(self, c: Compartment, attempts: int, t0: float) -> OpenResult:
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
        if self.protocol.has_lamps:
            self.lamp(c.name, True)
        return result

    def lamp(self, name: str, on: bool) -> bool:
        """Light (or put out) the compartment's lamp; False where the protocol has none."""
        if not self.protocol.has_lamps:
            return False
        c = self.compartments[name]
        with self._bus:
            return self.transact(self.protocol.lamp_frame(c.board, c.lock, on), 0, 0) is not None

    def probe(self, board: int) -> str:
        """One board's answer to a query: "ok", "silent" or "garbage" (for ``devices scan``)."""
        p = self.protocol
        with self._bus:
            data = self.transact(p.query_frame(board, 1), p.reply_length(), self.timeout)
        if not data:
            return "silent"
        if p.parse_reply(data, board, 1) is not None:
            return "ok"
        return "garbage"

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
