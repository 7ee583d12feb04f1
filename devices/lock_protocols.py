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

    The query answer is ``80 B L S BCC`` with S = 0x11 for an open (unlocked) door and 0x00
    for a closed one. These boards have no item sensors.
    """

    name = "8a"
    locks_per_board = 24
    boards = range(1, 65)
    has_item_sensors = False
    OPEN_STATE, CLOSED_STATE = 0x11, 0x00

    @staticmethod
    def frame(head: int, board: int, lock: int, cmd: int) -> bytes:
        body = bytes([head, board, lock, cmd])
        return body + bytes([checksum_xor(body)])

    def open_frame(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return self.frame(0x8A, board, lock, 0x11)

    def query_frame(self, board: int, lock: int) -> bytes:
        self.check_address(board, lock)
        return self.frame(0x80, board, lock, 0x33)

    def reply_length(self) -> int:
        return 5

    def state_frame(self, board: int, lock: int, closed: bool) -> bytes:
        """The query answer a board sends (simulator and tests)."""
        return self.frame(0x80, board, lock, self.CLOSED_STATE if closed else self.OPEN_STATE)

    def parse_reply(self, data: bytes, board: int, lock: int) -> dict[int, LockState] | None:
        for i in range(len(data) - 4):
            f = data[i : i + 5]
            if (
                f[0] == 0x80
                and f[1] == board
                and f[2] == lock
                and f[3] in (self.OPEN_STATE, self.CLOSED_STATE)
                and f[4] == checksum_xor(f[:4])
            ):
                return {lock: LockState(closed=f[3] == self.CLOSED_STATE)}
        return None


PROTOCOLS: dict[str, type[LockProtocol]] = {"kerong": KerongProtocol, "8a": EightAProtocol}


def get_protocol(name: str) -> LockProtocol:
    """The protocol called ``name`` ("kerong" or "8a")."""
    try:
        return PROTOCOLS[name.lower()]()
    except KeyError:
        raise ValueError(
            f"unknown lock protocol {name!r}; use one of {sorted(PROTOCOLS)}"
        ) from None
