"""Wire protocols: the issue's examples as tables; reply parsers never crash on garbage."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.lock_protocols import EightAProtocol, KerongProtocol, LockState, get_protocol
from devices.printer_status import is_status_byte, parse_status

KR = KerongProtocol()
EA = EightAProtocol()


@pytest.mark.parametrize(
    ("board", "lock", "frame"),
    [
        (0, 1, "02 00 31 03 36"),
        (0, 16, "02 0F 31 03 45"),
        (1, 7, "02 16 31 03 4C"),
        (15, 16, "02 FF 31 03 35"),
    ],
)
def test_kerong_unlock_frames(board, lock, frame):
    assert KR.open_frame(board, lock) == bytes.fromhex(frame)


def test_kerong_query_frame():
    assert KR.query_frame(0) == bytes.fromhex("02 00 30 03 35")
    assert KR.query_frame(2) == bytes.fromhex("02 20 30 03 55")


def test_kerong_status_reply_bits():
    # board 0: locks 1-8 all closed except lock 2, lock 9 closed; items in lock 1 and 16
    body = bytes.fromhex("02 00 35 FD 01 01 80 03")
    reply = body + bytes([sum(body) & 0xFF])
    states = KR.parse_reply(reply, 0)
    assert states[1] == LockState(closed=True, item=True)
    assert states[2] == LockState(closed=False, item=False)
    assert states[9].closed and not states[10].closed
    assert states[16].item


def test_kerong_reply_for_other_board_or_bad_sum_ignored():
    good = KR.status_frame(1, {1: LockState(True, False)})
    assert KR.parse_reply(good, 2) is None
    assert KR.parse_reply(good[:-1] + bytes([good[-1] ^ 1]), 1) is None
    assert KR.parse_reply(b"\xff\x00" + good, 1) is not None  # resynchronises after noise


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (EA.open_frame(1, 1), "8A 01 01 11 9B"),
        (EA.query_frame(1, 1), "80 01 01 33 B3"),
        (EA.open_frame(2, 12), "8A 02 0C 11 95"),
    ],
)
def test_8a_frames(frame, expected):
    assert frame == bytes.fromhex(expected)


def test_8a_state_reply():
    """0x11 = lock closed, 0x00 = open (issue 11; sources in test_protocol_sources.py)."""
    assert EA.parse_reply(bytes.fromhex("80 01 01 11 91"), 1, 1) == {1: LockState(closed=True)}
    assert EA.parse_reply(bytes.fromhex("80 01 01 00 80"), 1, 1) == {1: LockState(closed=False)}
    assert EA.parse_reply(bytes.fromhex("80 01 02 00 83"), 1, 1) is None
    # an unlock answer is not a query answer (it used to be taken for one), and a late unlock
    # answer ahead of the query's answer does not hide it
    assert EA.parse_reply(bytes.fromhex("8A 01 01 00 8A"), 1, 1) is None
    late = bytes.fromhex("8A 01 01 00 8A 80 01 01 11 91")
    assert EA.parse_reply(late, 1, 1) == {1: LockState(closed=True)}
    assert EA.parse_unlock_reply(late, 1, 1) == LockState(closed=False)


def test_addresses_out_of_range_rejected():
    with pytest.raises(ValueError):
        KR.open_frame(16, 1)
    with pytest.raises(ValueError):
        EA.open_frame(0, 1)
    with pytest.raises(ValueError):
        get_protocol("modbus")


@given(st.binary(max_size=64), st.integers(0, 15))
def test_kerong_parser_never_crashes(data, board):
    result = KR.parse_reply(data, board)
    assert result is None or len(result) == 16


@given(st.binary(max_size=64), st.integers(1, 64), st.integers(1, 24))
def test_8a_parser_never_crashes(data, board, lock):
    result = EA.parse_reply(data, board, lock)
    assert result is None or set(result) == {lock}


@given(st.dictionaries(st.sampled_from([1, 2, 4]), st.one_of(st.none(), st.integers(0, 255))))
def test_status_parser_never_crashes(answers):
    status = parse_status(answers)
    if any(answers.get(n) is None for n in (1, 2, 4)):
        assert not status.answered


def test_status_bits():
    assert is_status_byte(0x12) and not is_status_byte(0x00) and not is_status_byte(0xFF)
    assert parse_status({1: 0x12, 2: 0x12, 4: 0x12}).ok
    assert parse_status({1: 0x1A, 2: 0x16, 4: 0x12}).cover_open
    out = parse_status({1: 0x1A, 2: 0x32, 4: 0x72})
    assert out.paper_out and not out.ok
    assert parse_status({1: 0x12, 2: 0x12, 4: 0x1E}).paper_near_end
    assert parse_status({1: 0x12, 2: 0x12, 4: 0x1E}).ok
