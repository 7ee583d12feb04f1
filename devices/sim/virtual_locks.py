"""Virtual lock boards: door and sensor state, answers per protocol, and faults on demand."""

from __future__ import annotations

import logging
import random
import threading
import time

from devices.lock_protocols import (
    EightAProtocol,
    KerongProtocol,
    LockProtocol,
    LockState,
    checksum_sum,
    checksum_xor,
    get_protocol,
)

log = logging.getLogger(__name__)


class VirtualLockBus:
    """Every board on one bus. Feed it bytes, it returns the answers.

    Faults: ``silent`` (no answers), ``garbage`` (random bytes instead of answers),
    ``jam(board, lock)`` (the door stays shut when unlocked). Doors close by ``close``;
    ``set_item`` puts an item in or takes it out.
    """

    def __init__(
        self,
        protocol: str | LockProtocol = "kerong",
        boards: tuple[int, ...] = (1, 2, 3),
        seed: int | None = None,
        person_s: float = 0.0,
    ) -> None:
        self.protocol = get_protocol(protocol) if isinstance(protocol, str) else protocol
        self.boards = {
            b: {n: LockState(True, False) for n in range(1, self.protocol.locks_per_board + 1)}
            for b in boards
        }
        self.person_s = person_s
        """> 0: a simulated person at every door opened: after this many seconds the item is
        taken out (or put in, when the compartment was empty), after as many more the door is
        shut (the demo). 0: doors stay as they are until told (tests)."""
        self.silent = False
        self.garbage = False
        self.jammed: set[tuple[int, int]] = set()
        self.unlocks: list[tuple[int, int]] = []
        self.frames_seen = 0
        self._buf = bytearray()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    # -- test / operator controls ---------------------------------------------
    def jam(self, board: int, lock: int, jammed: bool = True) -> None:
        """A door that does not open when unlocked."""
        (self.jammed.add if jammed else self.jammed.discard)((board, lock))

    def close(self, board: int, lock: int) -> None:
        """Someone shut the door."""
        st = self.boards[board][lock]
        self.boards[board][lock] = LockState(True, st.item)

    def take(self, board: int, lock: int) -> None:
        """Someone took the item out (parcel collected)."""
        self.set_item(board, lock, False)

    def put(self, board: int, lock: int) -> None:
        """Someone put an item in (parcel loaded, key hung back)."""
        self.set_item(board, lock, True)

    def set_item(self, board: int, lock: int, present: bool) -> None:
        """An item put in (True) or taken out (False)."""
        st = self.boards[board][lock]
        self.boards[board][lock] = LockState(st.closed, present)

    def is_open(self, board: int, lock: int) -> bool:
        """The door is open."""
        return not self.boards[board][lock].closed

    # -- wire -------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Process received bytes; return what the boards send back."""
        with self._lock:
            self._buf += data
            out = bytearray()
            while len(self._buf) >= 5:
                frame = bytes(self._buf[:5])
                reply = self._frame(frame)
                if reply is None:
                    del self._buf[:1]  # resynchronise on the next byte
                    continue
                del self._buf[:5]
                self.frames_seen += 1
                if self.silent:
                    continue
                if self.garbage:
                    out += bytes(
                        self._rng.randrange(256) for _ in range(self._rng.randrange(1, 12))
                    )
                    continue
                out += reply
            return bytes(out)

    def _unlock(self, board: int, lock: int) -> None:
        self.unlocks.append((board, lock))
        if (board, lock) in self.jammed:
            log.info("virtual locks: board %d lock %d jammed", board, lock)
            return
        st = self.boards[board][lock]
        self.boards[board][lock] = LockState(False, st.item)
        if self.person_s > 0:
            threading.Thread(
                target=self._person, args=(board, lock), name="sim-person", daemon=True
            ).start()

    def _person(self, board: int, lock: int) -> None:
        """Someone at the opened door: takes or puts the item, then shuts the door."""
        time.sleep(self.person_s)
        with self._lock:
            st = self.boards[board][lock]
            self.boards[board][lock] = LockState(st.closed, not st.item)
        time.sleep(self.person_s)
        with self._lock:
            self.close(board, lock)

    def _frame(self, f: bytes) -> bytes | None:
        """The answer to one valid frame (b"" for none), or None if ``f`` is not a frame."""
        p = self.protocol
        if isinstance(p, KerongProtocol):
            if f[0] != p.STX or f[3] != p.ETX or f[4] != checksum_sum(f[:4]):
                return None
            board, lock = f[1] >> 4, (f[1] & 0x0F) + 1
            if board not in self.boards:
                return b""
            if f[2] == p.UNLOCK:
                self._unlock(board, lock)
                return b""  # the driver reads the state back with a query
            if f[2] == p.QUERY:
                return p.status_frame(board, self.boards[board])
            return b""
        if isinstance(p, EightAProtocol):
            if f[0] not in (p.OPEN_HEAD, p.QUERY_HEAD) or f[4] != checksum_xor(f[:4]):
                return None
            board, lock = f[1], f[2]
            if board not in self.boards or lock not in self.boards[board]:
                return b""
            if f[0] == p.OPEN_HEAD and f[3] == p.UNLOCK:
                self._unlock(board, lock)
                # the answer carries the lock's feedback after the unlock (0x11 still locked)
                return p.unlock_answer_frame(board, lock, self.boards[board][lock].closed)
            if f[0] == p.QUERY_HEAD and f[3] == p.QUERY:
                return p.state_frame(board, lock, self.boards[board][lock].closed)
            return b""
        return None
