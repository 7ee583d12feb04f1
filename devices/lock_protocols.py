"""Lock-board wire protocols: Kerong KR-CU (STX/ETX/SUM) and the common "8A" boards (XOR BCC)."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LockState:
    """One compartment as the board reports it."""

    closed: bool
    """Hook closed (door shut and locked)."""
    item: bool | None = None
    """Item-present sensor; None when the board has none."""


def checksum_sum(data: bytes) -> int:
    """Kerong SUM: low byte of the sum of the bytes."""
    return sum(data) & 0xFF


def checksum_xor(data: bytes) -> int:
    """8A BCC: XOR of the bytes."""
    out = 0
    for b in data:
        out ^= b
    return out


class LockProtocol(ABC):
    """Frames for opening and querying, and a reply parser that never raises on garbage."""

    name: str
    locks_per_board: int
    boards: range
    has_item_sensors: bool
    has_lamps: bool = False
    """The board can light a compartment's lamp (none of the supported protocols can yet)."""

    def check_address(self, board: int, lock: int) -> None:
        """Raise ValueError for an address the protocol cannot express."""
        if board not in self.boards or not 1 <= lock <= self.locks_per_board:
            raise ValueError(f"{self.name}: no board {board} lock {lock}")

    @abstractmethod
    def open_frame(self, board: int, lock: int) -> bytes:
        """The command that unlocks ``lock`` (1-based) of ``board``."""

    @abstractmethod
    def query_frame(self, board: int, lock: int) -> bytes:
        """The command that asks for the state needed to know ``lock``."""

    @abstractmethod
    def reply_length(self) -> int:
        """Bytes in a query reply."""

    @abstractmethod
    def parse_reply(self, data: bytes, board: int, lock: int) -> dict[int, LockState] | None:
        """States found in ``data`` for ``board`` (lock -> state), or None if no valid reply."""

    def unlock_reply_length(self) -> int:
        """Bytes of the answer to an unlock worth reading (0: the board's answer is not used)."""
        return 0

    def parse_unlock_reply(self, data: bytes, board: int, lock: int) -> LockState | None:
        """The door state carried by the answer to an unlock, or None (none / not valid)."""
        return None

    def lamp_frame(self, board: int, lock: int, on: bool) -> bytes:
        """The command that lights (or puts out) a compartment's lamp, where ``has_lamps``."""
        raise NotImplementedError(f"{self.name}: boards have no compartment lamps")


class KerongProtocol(LockProtocol):
    """Kerong KR-CU: ``STX ADDR CMD ETX SUM``; ADDR = board << 4 | (lock - 1)."""

    name = "kerong"
    locks_per_board = 16
    boards = range(0, 16)
    has_item_sensors = True
    STX, ETX = 0x02, 0x03
    UNLOCK, QUERY, STATUS = 0x31, 0x30, 0x35

    def frame(self, addr: int, cmd: int) -> bytes:
        """``STX addr cmd ETX SUM``."""
        body = bytes([self.STX, addr, cmd, self.ETX])
        return body + bytes([checksum_sum(body)])

    def open_frame(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return self.frame(board << 4 | (lock - 1), self.UNLOCK)

    def query_frame(self, board: int, lock: int = 1) -> bytes:
        self.check_address(board, lock)
        return self.frame(board << 4, self.QUERY)

    def reply_length(self) -> int:
        return 9

    def status_frame(self, board: int, states: dict[int, LockState]) -> bytes:
        """The ``0x35`` answer a board sends (used by the simulator and tests)."""
        locks = sum(1 << (n - 1) for n, st in states.items() if st.closed)
        items = sum(1 << (n - 1) for n, st in states.items() if st.item)
        body = bytes(
            [
                self.STX,
                board << 4,
                self.STATUS,
                locks & 0xFF,
                locks >> 8,
                items & 0xFF,
                items >> 8,
                self.ETX,
            ]
        )
        return body + bytes([checksum_sum(body)])

    def parse_reply(self, data: bytes, board: int, lock: int = 1) -> dict[int, LockState] | None:
        for i in range(len(data) - 8):
            f = data[i : i + 9]
            if (
                f[0] == self.STX
                and f[2] == self.STATUS
                and f[7] == self.ETX
                and f[8] == checksum_sum(f[:8])
                and f[1] >> 4 == board
            ):
                locks = f[3] | f[4] << 8
                items = f[5] | f[6] << 8
                return {
                    n: LockState(bool(locks >> (n - 1) & 1), bool(items >> (n - 1) & 1))
                    for n in range(1, 17)
                }
        return None


class EightAProtocol(LockProtocol):
    """The common "8A" boards: open ``8A B L 11 BCC``, query ``80 B L 33 BCC``, BCC = XOR.

    Both the unlock answer ``8A B L S BCC`` and the query answer ``80 B L S BCC`` carry the
    lock's feedback S: 0x11 = lock CLOSED, 0x00 = OPEN for locks whose feedback switch is shorted
    when locked (the usual wiring; docs/devices.md cites the sources). ``EightAInvertedProtocol``
    reads boards wired the other way. These boards have no item sensors.
    """

    name = "8a"
    locks_per_board = 24
    boards = range(1, 65)
    has_item_sensors = False
    CLOSED_STATE, OPEN_STATE = 0x11, 0x00
    OPEN_HEAD, QUERY_HEAD, UNLOCK, QUERY = 0x8A, 0x80, 0x11, 0x33

    @staticmethod
    def frame(head: int, board: int, lock: int, cmd: int) -> bytes:
        body = bytes([head, board, lock, cmd])
        return body + bytes([checksum_xor(body)])

    def open_frame(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return self.frame(self.OPEN_HEAD, board, lock, self.UNLOCK)

    def query_frame(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return self.frame(self.QUERY_HEAD, board, lock, self.QUERY)

    def reply_length(self) -> int:
        return 5

    def unlock_reply_length(self) -> int:
        return 5

    def state_byte(self, closed: bool) -> int:
        """The feedback byte a board sends for a closed / open lock."""
        return self.CLOSED_STATE if closed else self.OPEN_STATE

    def state_frame(self, board: int, lock: int, closed: bool) -> bytes:
        """The query answer a board sends (simulator and tests)."""
        return self.frame(self.QUERY_HEAD, board, lock, self.state_byte(closed))

    def unlock_answer_frame(self, board: int, lock: int, closed: bool) -> bytes:
        """The unlock answer a board sends (simulator and tests)."""
        return self.frame(self.OPEN_HEAD, board, lock, self.state_byte(closed))

    def _find(self, data: bytes, head: int, board: int, lock: int) -> LockState | None:
        for i in range(len(data) - 4):
            f = data[i : i + 5]
            if (
                f[0] == head
                and f[1] == board
                and f[2] == lock
                and f[3] in (self.OPEN_STATE, self.CLOSED_STATE)
                and f[4] == checksum_xor(f[:4])
            ):
                return LockState(closed=f[3] == self.CLOSED_STATE)
        return None

    def parse_reply(self, data: bytes, board: int, lock: int) -> dict[int, LockState] | None:
        st = self._find(data, self.QUERY_HEAD, board, lock)
        return None if st is None else {lock: st}

    def parse_unlock_reply(self, data: bytes, board: int, lock: int) -> LockState | None:
        return self._find(data, self.OPEN_HEAD, board, lock)


class EightAInvertedProtocol(EightAProtocol):
    """8A boards with locks whose feedback is shorted when OPEN: 0x11 = open, 0x00 = closed."""

    name = "8a-inverted"
    CLOSED_STATE, OPEN_STATE = 0x00, 0x11


PROTOCOLS: dict[str, type[LockProtocol]] = {
    "kerong": KerongProtocol,
    "8a": EightAProtocol,
    "8a-inverted": EightAInvertedProtocol,
}


def get_protocol(name: str) -> LockProtocol:
    """The protocol called ``name`` ("kerong", "8a" or "8a-inverted")."""
    try:
        return PROTOCOLS[name.lower()]()
    except KeyError:
        raise ValueError(
            f"unknown lock protocol {name!r}; use one of {sorted(PROTOCOLS)}"
        ) from None
