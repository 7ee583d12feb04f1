"""ID card reader (SAM protocol, GA 467): frames against public examples, the driver on a pty sim."""

from __future__ import annotations

import argparse
import threading
import time
from datetime import date

import pytest

from desk.identity_card import check_card, visitor_fields
from devices import cli
from devices.idcard import IdCardReader
from devices.idcard_protocol import (
    FIND_CARD,
    READ_ADDRESS,
    READ_BASE,
    READ_BASE_FP,
    RESET,
    SAM_ID,
    SAM_STATUS,
    SELECT_CARD,
    Fault,
    ReaderError,
    command_frame,
    decode_card,
    parse_answer,
    split_frame,
)
from devices.sim.pty_device import PtyDevice
from devices.sim.virtual_idreader import VirtualIdReader, sample_cards

# Frames copied from public descriptions (docs/devices.md "ID card reader"): [A] softs.im
# 身份证阅读器通信协议, [B] yzsam.com "C# 使用串口分析SAM协议", [C] eastcoms.com SAM_V protocol and
# parse example, [D] a Qt driver (readidentifiercardinfoutil.cpp), [E] a Python driver (ID_read.py
# for a 维尔 reader), [F] an Android driver (com.YinanSoft.CardReaders.SerialReader).
PUBLIC_COMMANDS = [
    (FIND_CARD, "AA AA AA 96 69 00 03 20 01 22", "B D E F"),
    (SELECT_CARD, "AA AA AA 96 69 00 03 20 02 21", "B D E F"),
    (READ_BASE, "AA AA AA 96 69 00 03 30 01 32", "B D E F"),
    (READ_BASE_FP, "AA AA AA 96 69 00 03 30 10 23", "B F"),
    (READ_ADDRESS, "AA AA AA 96 69 00 03 30 03 30", "F"),
    (SAM_STATUS, "AA AA AA 96 69 00 03 11 FF ED", "D E"),
    (RESET, "AA AA AA 96 69 00 03 10 FF EC", "D"),
    (SAM_ID, "AA AA AA 96 69 00 03 12 FF EE", "F"),
]
PUBLIC_ANSWERS = [  # frame, SW3, data length, meaning
    ("AA AA AA 96 69 00 04 00 00 90 94", 0x90, 0, "SAM status ok [D E]"),
    ("AA AA AA 96 69 00 04 00 00 60 64", 0x60, 0, "SAM self-test failed [D]"),
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0x9F, 4, "card found [B D E F]"),
    ("AA AA AA 96 69 00 04 00 00 80 84", 0x80, 0, "no card [D E F]"),
    ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", 0x90, 8, "selected [B D E F]"),
    ("AA AA AA 96 69 00 04 00 00 81 85", 0x81, 0, "select failed [D F]"),
    ("AA AA AA 96 69 00 04 00 00 41 45", 0x41, 0, "read failed [D F]"),
]
READ_HEADER = "AA AA AA 96 69 05 08 00 00 90 01 00 04 00"
"""[C][D]: the read answer: length 0x0508, SW 00 00 90, text 0x0100 and photo 0x0400 bytes."""


@pytest.mark.parametrize(("command", "frame", "sources"), PUBLIC_COMMANDS)
def test_command_frames_match_public_examples(command, frame, sources):
    assert command_frame(command) == bytes.fromhex(frame)


@pytest.mark.parametrize(("frame", "sw3", "data_len", "meaning"), PUBLIC_ANSWERS)
def test_answer_frames_from_public_examples_parse(frame, sw3, data_len, meaning):
    answer = parse_answer(bytes.fromhex(frame))
    assert (answer.sw1, answer.sw2, answer.sw3, len(answer.data)) == (0, 0, sw3, data_len)


def test_read_answer_header_and_total_length_as_published():
    header = bytes.fromhex(READ_HEADER)
    length = int.from_bytes(header[5:7], "big")
    assert 7 + length == 1295  # [B][D]: "读取身份证成功后会返回 1295 字节"
    text = sample_cards()["resident"]
    frame = header + text + bytes(1024)
    frame += bytes([_xor(frame[5:])])
    answer = parse_answer(frame)
    assert answer.data[:4] == bytes.fromhex("01 00 04 00")
    card = decode_card(answer.data[4:260], answer.data[260:])
    assert card.name == "张伟" and card.id_number == "110101199003074514"


def _xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def test_frames_found_after_junk_and_bad_checksum_refused():
    good = bytes.fromhex(PUBLIC_ANSWERS[2][0])
    frame, used = split_frame(b"\x00\x13garbage" + good + b"\xaa")
    assert frame == good and used == 9 + len(good)
    assert split_frame(good[:9]) == (None, 0)
    with pytest.raises(ReaderError) as exc:
        parse_answer(good[:-1] + b"\x00")
    assert exc.value.fault is Fault.BAD_CHECKSUM


def test_text_layout_fields_at_public_offsets():
    """Resident ID layout [C][D][E]: name 0-30, sex 30, nation 32, birth 36, address 52,
    number 122, authority 158, validity 188 and 204, UCS-2 little-endian."""
    text = sample_cards()["resident"]
    assert text[0:4].decode("utf-16-le") == "张伟"
    assert text[122:158].decode("utf-16-le") == "110101199003074514"
    assert text[204:220].decode("utf-16-le").isdigit()
    card = decode_card(text)
    assert (card.sex, card.nation, card.birth) == ("1", "01", date(1990, 3, 7))


@pytest.mark.parametrize(
    ("sample", "card_type", "name", "id_type"),
    [
        ("hmt", "hmt_residence", "陈家明", "resident_id"),
        ("foreign2017", "foreign_permanent", "史约翰", "other"),
        ("foreign2023", "foreign_permanent_2023", "安娜", "resident_id"),
        ("longterm", "resident", "王秀英", "resident_id"),
    ],
)
def test_permits_by_their_type_flag(sample, card_type, name, id_type):
    card = decode_card(sample_cards()[sample])
    assert (card.card_type, card.name, card.id_type) == (card_type, name, id_type)
    assert check_card(card).ok
    if sample == "hmt":
        assert card.pass_number == "H12345678"
    if sample == "foreign2017":
        assert card.name_en == "SMITH JOHN" and card.nation == "USA"
    if sample == "longterm":
        assert card.valid_until is None


def test_expired_card_refused_with_a_clear_message():
    card = decode_card(sample_cards()["expired"])
    check = check_card(card)
    assert not check.ok and "证件已过期" in check.message and "有效期至" in check.message
    assert not check_card(decode_card(sample_cards()["resident"]), date(2100, 1, 1)).ok


def test_form_gets_name_and_id_only_unless_configured():
    card = decode_card(sample_cards()["resident"], b"\x01" * 1024)
    assert set(visitor_fields(card)) == {"visitor_name", "id_type", "id_number"}
    kept = visitor_fields(card, keep_address=True, keep_photo=True)
    assert kept["address"].startswith("北京市") and len(kept["photo"]) == 1024


# --- the driver against the simulator on a pty ---------------------------------------


@pytest.fixture
def reader_sim(tmp_path):
    virtual = VirtualIdReader(seed=1)
    dev = PtyDevice("idreader", virtual.feed, tmp_path / "idreader")
    dev.plug()
    yield virtual, str(dev.link)
    dev.unplug()


def test_reads_a_card_on_the_pty(reader_sim):
    virtual, path = reader_sim
    virtual.place("resident")
    with IdCardReader(path) as rd:
        assert rd.sam_ok()
        card = rd.read_card()
        assert card.name == "张伟" and len(card.photo) == 1024
        assert virtual.commands[-3:] == [FIND_CARD, SELECT_CARD, READ_BASE]
        with pytest.raises(ReaderError) as exc:  # read once: the card must be placed again
            rd.read_card()
        assert exc.value.fault is Fault.NO_CARD
        virtual.place("foreign2023")
        assert rd.read_card().name_en == "IVANOVA ANNA"


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("silent", Fault.NO_ANSWER),
        ("garbage", Fault.GARBAGE),
        ("bad_checksum", Fault.BAD_CHECKSUM),
        ("remove_mid_read", Fault.REMOVED),
        ("sam_fault", Fault.SAM),
        ("no_card", Fault.NO_CARD),
    ],
)
def test_reader_faults_are_named(reader_sim, fault, expected):
    virtual, path = reader_sim
    if fault != "no_card":
        virtual.place("resident")
        setattr(virtual, fault, True)
    with IdCardReader(path, timeout=0.3) as rd, pytest.raises(ReaderError) as exc:
        rd.read_card()
    assert exc.value.fault is expected and exc.value.fault.message


def test_answer_cut_half_way_is_incomplete(tmp_path):
    full = bytes.fromhex(PUBLIC_ANSWERS[2][0])
    dev = PtyDevice("cut", lambda _d: full[:9], tmp_path / "cut")
    dev.plug()
    try:
        with IdCardReader(str(dev.link), timeout=0.3) as rd, pytest.raises(ReaderError) as exc:
            rd.read_card()
        assert exc.value.fault is Fault.INCOMPLETE
    finally:
        dev.unplug()


def test_missing_port_is_a_port_fault(tmp_path):
    with IdCardReader(str(tmp_path / "nothing")) as rd, pytest.raises(ReaderError) as exc:
        rd.read_card()
    assert exc.value.fault is Fault.PORT


# --- reception devices read-id ------------------------------------------------------------


def run_cli(argv, settings):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="cmd"))
    args = parser.parse_args(argv)
    return args.func(args, settings)


def test_read_id_prints_masked_fields(reader_sim, settings, capsys):
    virtual, path = reader_sim
    virtual.place("resident")
    assert run_cli(["devices", "read-id", "--reader", path], settings) == 0
    out = capsys.readouterr().out
    assert "张*" in out and "110***********4514" in out and "证件有效" in out
    assert "110101199003074514" not in out and "张伟" not in out and "景山前街" not in out


def test_read_id_without_card_or_with_a_fault_exits_non_zero(reader_sim, settings, capsys):
    virtual, path = reader_sim
    assert run_cli(["devices", "read-id", "--reader", path], settings) == 1
    assert "请将证件放在读卡区" in capsys.readouterr().out
    virtual.place("resident")
    virtual.silent = True
    assert run_cli(["devices", "read-id", "--reader", path], settings) == 1
    assert "没有应答" in capsys.readouterr().out


def test_read_id_on_the_configured_sim(settings, capsys):
    """Default port: [devices] id_reader_url = "sim", a running ``reception sim``."""
    from devices.sim import host as sim_host

    t = threading.Thread(target=run_cli, args=(["sim", "--seconds", "20"], settings), daemon=True)
    t.start()
    d = settings.devices.sim_dir
    t0 = time.monotonic()
    while sim_host.send_control(d, "ping") != "pong":
        assert time.monotonic() - t0 < 5
        time.sleep(0.02)
    try:
        assert "id card reader" in _status_line(settings, capsys)
        assert sim_host.send_control(d, "card place expired") == "ok"
        assert run_cli(["devices", "read-id"], settings) == 0
        out = capsys.readouterr().out
        assert "李*" in out and "证件已过期" in out
    finally:
        sim_host.send_control(d, "quit")
        t.join(5)


def _status_line(settings, capsys):
    run_cli(["devices", "status"], settings)
    return next(line for line in capsys.readouterr().out.splitlines() if "id card" in line)


def test_status_names_the_reader(reader_sim, settings, capsys):
    import dataclasses

    virtual, path = reader_sim
    s = dataclasses.replace(
        settings, devices=dataclasses.replace(settings.devices, id_reader_url=path)
    )
    assert cli.idreader_status(s).endswith("ready")
    virtual.silent = True
    assert "NO_ANSWER" in cli.idreader_status(s)
