"""Wire frames checked against tables copied from public sources (docs/devices.md, "Sources").

Every frame below was taken from a published manual or an independently written driver, not
from this project's simulator; each protocol is then checked twice: the driver must build and
read these frames, and the simulator must answer with them.
"""

from __future__ import annotations

import pytest

from devices.escpos_doc import INIT, EscposDoc
from devices.escpos_text import CHINESE_OFF, CHINESE_ON
from devices.lock_protocols import (
    EightAInvertedProtocol,
    EightAProtocol,
    KerongProtocol,
    LockState,
)
from devices.printer_status import DLE_EOT
from devices.sim.virtual_locks import VirtualLockBus


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# -- 8A / 80 boards -----------------------------------------------------------------------
# [8A-1] blog.csdn.net/u012909822/article/details/147892413 (锁控板通讯协议和规格书)
# [8A-2] github.com/amilcarrey/master-interface src/classes/CommandFactory/commandFactory.test.ts
# [8A-3] github.com/qiwenming/QwmLockDemo README = blog.csdn.net/qiwenmingshiwo/article/details/50717517
EIGHT_A_COMMANDS = [
    # (board, lock, unlock frame, query frame, sources)
    (1, 1, "8A 01 01 11 9B", "80 01 01 33 B3", "8A-1 8A-2 8A-3"),
    (1, 2, "8A 01 02 11 98", None, "8A-1"),
    (2, 1, "8A 02 01 11 98", "80 02 01 33 B0", "8A-3"),
]
# Answers of a board whose lock feedback is shorted when LOCKED ([8A-1]: "反馈 11 表示锁关闭";
# unlock answer 8A0101008A = 开锁成功, 8A0101119B = 开锁失败).
EIGHT_A_ANSWERS = [
    # (frame, board, lock, kind, closed)
    ("8A 01 01 00 8A", 1, 1, "unlock", False),
    ("8A 01 01 11 9B", 1, 1, "unlock", True),
    ("80 01 01 00 80", 1, 1, "query", False),
    ("80 01 01 11 91", 1, 1, "query", True),
]
# [8A-3] documents boards with the other lock wiring: 11 = 锁为开, 00 = 锁为关.
EIGHT_A_INVERTED_ANSWERS = [
    ("8A 01 01 11 9B", 1, 1, "unlock", False),
    ("8A 01 01 00 8A", 1, 1, "unlock", True),
    ("8A 02 01 11 98", 2, 1, "unlock", False),
    ("8A 02 01 00 89", 2, 1, "unlock", True),
    ("80 01 01 11 91", 1, 1, "query", False),
    ("80 01 01 00 80", 1, 1, "query", True),
    ("80 02 01 11 92", 2, 1, "query", False),
    ("80 02 01 00 83", 2, 1, "query", True),
]


@pytest.mark.parametrize(("board", "lock", "unlock", "query", "src"), EIGHT_A_COMMANDS)
def test_8a_driver_builds_the_published_commands(board, lock, unlock, query, src):
    p = EightAProtocol()
    assert p.open_frame(board, lock) == h(unlock), src
    if query:
        assert p.query_frame(board, lock) == h(query), src


def _read(p, frame, board, lock, kind):
    if kind == "unlock":
        return p.parse_unlock_reply(h(frame), board, lock)
    states = p.parse_reply(h(frame), board, lock)
    return states[lock] if states else None


@pytest.mark.parametrize(("frame", "board", "lock", "kind", "closed"), EIGHT_A_ANSWERS)
def test_8a_driver_reads_the_published_answers(frame, board, lock, kind, closed):
    """Issue 11 item 1: 0x11 is CLOSED, 0x00 is OPEN, in the query and in the unlock answer."""
    assert _read(EightAProtocol(), frame, board, lock, kind) == LockState(closed=closed)


@pytest.mark.parametrize(("frame", "board", "lock", "kind", "closed"), EIGHT_A_INVERTED_ANSWERS)
def test_8a_inverted_wiring_reads_its_published_answers(frame, board, lock, kind, closed):
    assert _read(EightAInvertedProtocol(), frame, board, lock, kind) == LockState(closed=closed)


def test_8a_simulator_answers_with_the_published_frames():
    bus = VirtualLockBus("8a", boards=(1,))
    assert bus.feed(h("80 01 01 33 B3")) == h("80 01 01 11 91")  # closed
    bus.jam(1, 1)
    assert bus.feed(h("8A 01 01 11 9B")) == h("8A 01 01 11 9B")  # unlock failed: still locked
    bus.jam(1, 1, False)
    assert bus.feed(h("8A 01 01 11 9B")) == h("8A 01 01 00 8A")  # unlock succeeded
    assert bus.feed(h("80 01 01 33 B3")) == h("80 01 01 00 80")  # open
    bus.close(1, 1)
    assert bus.feed(h("80 01 01 33 B3")) == h("80 01 01 11 91")


def test_8a_inverted_simulator_answers_with_the_published_frames():
    bus = VirtualLockBus("8a-inverted", boards=(2,))
    assert bus.feed(h("80 02 01 33 B0")) == h("80 02 01 00 83")
    assert bus.feed(h("8A 02 01 11 98")) == h("8A 02 01 11 98")
    assert bus.feed(h("80 02 01 33 B0")) == h("80 02 01 11 92")


# -- Kerong KR-CU16 -------------------------------------------------------------------------
# [KR-1] github.com/jin0949/KR-CU16_locker src/locker.py, src/constants.py
# [KR-2] github.com/Arviv123/CartWise src/hardware/rs485.py
KERONG_COMMANDS = [
    # (board, lock, frame, kind, sources); board 0 is the factory DIP setting
    (0, 1, "02 00 30 03 35", "query", "KR-1 literal, KR-2"),
    (0, 1, "02 00 31 03 36", "unlock", "KR-1, KR-2: STX lock-1 0x31 ETX SUM"),
    (0, 16, "02 0F 31 03 45", "unlock", "KR-1, KR-2"),
]


@pytest.mark.parametrize(("board", "lock", "frame", "kind", "src"), KERONG_COMMANDS)
def test_kerong_driver_builds_the_published_commands(board, lock, frame, kind, src):
    p = KerongProtocol()
    built = p.query_frame(board, lock) if kind == "query" else p.open_frame(board, lock)
    assert built == h(frame), src


def _kerong_status(hooks: int, infrared: int) -> bytes:
    """The 9-byte 0x35 answer as both sources read it: bytes 3-4 hook bits (1 = locked, lock 1 =
    bit 0 of byte 3), bytes 5-6 infrared bits ([KR-2]), ETX, low byte of the sum."""
    body = bytes([0x02, 0x00, 0x35, hooks & 0xFF, hooks >> 8, infrared & 0xFF, infrared >> 8, 3])
    return body + bytes([sum(body) & 0xFF])


def test_kerong_driver_reads_the_published_status_layout():
    states = KerongProtocol().parse_reply(_kerong_status(0b1000_0000_0000_0101, 0b10), 0)
    assert states[1] == LockState(closed=True, item=False)
    assert states[2] == LockState(closed=False, item=True)
    assert states[3].closed and not states[4].closed and states[16].closed


def test_kerong_simulator_answers_with_the_published_layout():
    bus = VirtualLockBus("kerong", boards=(0,))
    everything_locked = _kerong_status(0xFFFF, 0)
    assert bus.feed(h("02 00 30 03 35")) == everything_locked
    bus.put(0, 2)
    assert bus.feed(h("02 00 31 03 36")) == b""  # the driver reads the result back
    assert bus.feed(h("02 00 30 03 35")) == _kerong_status(0xFFFE, 0b10)


# -- ESC/POS --------------------------------------------------------------------------------
# [EP-1] Epson ESC/POS Command Reference (download4.epson.biz/sec_pubs/pos/reference_en/escpos/)
# [EP-2] python-escpos escpos/constants.py (an independent driver, installed here)
def test_escpos_commands_match_epson_and_python_escpos():
    from escpos import constants as c

    assert INIT == h("1B 40") == c.HW_INIT  # ESC @
    assert DLE_EOT == h("10 04") == c.RT_STATUS  # DLE EOT n
    assert (h("1C 26"), h("1C 2E")) == (CHINESE_ON, CHINESE_OFF)  # FS & / FS . [EP-1]
    assert CHINESE_ON[:1] == c.FS
    doc = EscposDoc(80)
    doc.cut()
    assert doc.output.startswith(INIT + CHINESE_ON)
    assert c.PAPER_FULL_CUT in doc.output or c.PAPER_PART_CUT in doc.output  # GS V m
