"""SAM protocol of second-generation ID card readers (GA 467): frames, status codes, text layouts.

Frame (both directions): preamble ``AA AA AA 96 69``, two length bytes (big-endian: the bytes
after them, check byte included), then ``CMD PARA DATA`` to the reader or ``SW1 SW2 SW3 DATA``
from it, and an XOR of every byte after the preamble. Sources: docs/devices.md "ID card reader".
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from desk.identity_card import IdentityCard, parse_card_date

log = logging.getLogger(__name__)

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
TEXT_LEN = 256
PHOTO_LEN = 1024
TYPE_FLAG_AT = 248
"""Byte offset of the card type flag (one UCS-2 character) in the 256-byte text block."""

# (CMD, PARA)
RESET = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)
"""Text and photo; ``READ_BASE_FP`` (0x30, 0x10) adds fingerprints, ``READ_ADDRESS`` the
newest address endorsement."""
READ_BASE_FP = (0x30, 0x10)
READ_ADDRESS = (0x30, 0x03)

SW3_OK = 0x90
SW3_FOUND = 0x9F
STATUS = {
    0x90: "操作成功",
    0x9F: "找卡成功",
    0x10: "阅读器收到的数据校验和错误",
    0x11: "阅读器收到的数据长度错误",
    0x21: "阅读器收到的命令错误",
    0x23: "越权操作",
    0x24: "无法识别的错误",
    0x31: "证卡认证阅读器失败",
    0x32: "阅读器认证证卡失败",
    0x33: "信息验证错误",
    0x40: "无法识别的卡类型",
    0x41: "读证卡操作失败",
    0x47: "取随机数失败",
    0x60: "安全模块自检失败",
    0x66: "安全模块未经授权",
    0x80: "找卡不成功",
    0x81: "选卡不成功",
    0x91: "证卡中此项无内容",
}
"""SW3 codes of the reader's answers (GA 467 SAM interface; see docs/devices.md)."""


class Fault(Enum):
    """Why a read gave no card; ``message`` is what the visitor or installer is told."""

    PORT = "读卡器端口无法打开"
    NO_ANSWER = "读卡器没有应答（未连接或未通电）"
    GARBAGE = "读卡器应答无法识别（波特率或接线不对）"
    BAD_CHECKSUM = "读卡器应答校验错误，请重试"
    SAM = "读卡器安全模块故障"
    NO_CARD = "请将证件放在读卡区"
    REMOVED = "读卡中证件被移开，请重新放置证件"
    INCOMPLETE = "读卡器应答不完整，请重新放置证件"
    WRONG_CARD = "无法识别的卡片，请放置身份证或居住证"
    LAYOUT = "无法识别的证件信息"

    @property
    def message(self) -> str:
        return self.value


class ReaderError(Exception):
    """A read that gave no card: the fault and, for installers, the detail."""

    def __init__(self, fault: Fault, detail: str = "") -> None:
        super().__init__(f"{fault.name}: {fault.message}" + (f" ({detail})" if detail else ""))
        self.fault = fault
        self.detail = detail


def xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def _frame(body: bytes) -> bytes:
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def command_frame(command: tuple[int, int], data: bytes = b"") -> bytes:
    """The bytes sent to the reader for ``command`` (e.g. FIND_CARD -> AA AA AA 96 69 00 03 20 01 22)."""
    return _frame(bytes(command) + data)


def answer_frame(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """The bytes a reader sends back (used by the simulator)."""
    return _frame(bytes((sw1, sw2, sw3)) + data)


@dataclass(frozen=True)
class Answer:
    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def status(self) -> str:
        return STATUS.get(self.sw3, f"未知状态 {self.sw3:02X}")


@dataclass(frozen=True)
class Command:
    cmd: int
    para: int
    data: bytes


def split_frame(buf: bytes | bytearray) -> tuple[bytes | None, int]:
    """The first whole frame in ``buf`` and how many bytes it (and junk before it) took.

    ``(None, n)``: no whole frame yet; the first ``n`` bytes are junk that can be dropped.
    """
    start = bytes(buf).find(PREAMBLE)
    if start < 0:  # keep a possible partial preamble at the end
        keep = max(i for i in range(len(PREAMBLE)) if bytes(buf).endswith(PREAMBLE[:i]))
        return None, len(buf) - keep
    if len(buf) < start + 7:
        return None, start
    length = int.from_bytes(buf[start + 5 : start + 7], "big")
    end = start + 7 + length
    if len(buf) < end:
        return None, start
    return bytes(buf[start:end]), end


def _check(frame: bytes, minimum: int) -> bytes:
    """The body (between length and check byte) of a whole frame; raises ReaderError."""
    if not frame.startswith(PREAMBLE) or len(frame) < 8:
        raise ReaderError(Fault.GARBAGE, frame[:16].hex(" "))
    length = int.from_bytes(frame[5:7], "big")
    if len(frame) != 7 + length or length < minimum + 1:
        raise ReaderError(Fault.GARBAGE, f"length {length}, frame {len(frame)} bytes")
    if xor(frame[5:-1]) != frame[-1]:
        raise ReaderError(Fault.BAD_CHECKSUM, f"{xor(frame[5:-1]):02X} != {frame[-1]:02X}")
    return frame[7:-1]


def parse_answer(frame: bytes) -> Answer:
    """A whole answer frame from the reader; raises ReaderError on bad bytes or checksum."""
    body = _check(frame, 3)
    return Answer(body[0], body[1], body[2], body[3:])


def parse_command(frame: bytes) -> Command:
    """A whole command frame (the simulator's side)."""
    body = _check(frame, 2)
    return Command(body[0], body[1], body[2:])


# --- the 256-byte text block ------------------------------------------------------------

# (field, length in bytes) in order; every layout is 256 bytes with the type flag at 248.
LAYOUTS: dict[str, tuple[tuple[str, int], ...]] = {
    "resident": (
        ("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70),
        ("id_number", 36), ("authority", 30), ("valid_from", 16), ("valid_until", 16),
        ("reserved", 36),
    ),
    "hmt_residence": (
        ("name", 30), ("sex", 2), ("reserved0", 4), ("birth", 16), ("address", 70),
        ("id_number", 36), ("authority", 30), ("valid_from", 16), ("valid_until", 16),
        ("pass_number", 18), ("issue_count", 4), ("reserved1", 6), ("type_flag", 2),
        ("reserved2", 6),
    ),
    "foreign_permanent": (
        ("name_en", 120), ("sex", 2), ("id_number", 30), ("nation", 6), ("name", 30),
        ("valid_from", 16), ("valid_until", 16), ("birth", 16), ("version", 4),
        ("authority", 8), ("type_flag", 2), ("reserved", 6),
    ),
    "foreign_permanent_2023": (
        ("name", 30), ("sex", 2), ("renewals", 4), ("birth", 16), ("name_en", 70),
        ("id_number", 36), ("reserved0", 30), ("valid_from", 16), ("valid_until", 16),
        ("name_en_more", 22), ("nation", 6), ("type_flag", 2), ("previous_number", 6),
    ),
}  # fmt: skip
TYPE_FLAGS = {"J": "hmt_residence", "I": "foreign_permanent", "Y": "foreign_permanent_2023"}
"""Type flag character -> layout; a resident ID has a blank (space or NUL) there."""


def _ucs2(raw: bytes) -> str:
    return raw.decode("utf-16-le", "replace").replace("\x00", "").strip()


def card_type_of(text: bytes) -> str:
    """The layout of a text block by its type flag; raises ReaderError for an unknown flag."""
    flag = _ucs2(text[TYPE_FLAG_AT : TYPE_FLAG_AT + 2])
    if not flag:
        return "resident"
    if flag in TYPE_FLAGS:
        return TYPE_FLAGS[flag]
    raise ReaderError(Fault.LAYOUT, f"type flag {flag!r}")


def split_text(text: bytes) -> dict[str, str]:
    """The fields of a 256-byte text block, decoded from UCS-2 (little-endian)."""
    if len(text) != TEXT_LEN:
        raise ReaderError(Fault.LAYOUT, f"text block of {len(text)} bytes")
    kind = card_type_of(text)
    out: dict[str, str] = {"card_type": kind}
    pos = 0
    for name, size in LAYOUTS[kind]:
        out[name] = _ucs2(text[pos : pos + size])
        pos += size
    return out


def decode_card(text: bytes, photo: bytes = b"") -> IdentityCard:
    """An IdentityCard from the text block (and photo) of a READ_BASE answer."""
    f = split_text(text)
    try:
        birth, start, end = (parse_card_date(f[k]) for k in ("birth", "valid_from", "valid_until"))
    except ValueError as exc:
        raise ReaderError(Fault.LAYOUT, str(exc)) from None
    name_en = f.get("name_en", "") + f.get("name_en_more", "")
    return IdentityCard(
        card_type=f["card_type"],
        name=f.get("name", ""),
        id_number=f["id_number"].upper(),
        sex=f.get("sex", ""),
        birth=birth,
        valid_from=start,
        valid_until=end,
        nation=f.get("nation", ""),
        address=f.get("address", ""),
        authority=f.get("authority", ""),
        name_en=name_en.strip(),
        pass_number=f.get("pass_number", ""),
        issue_count=f.get("issue_count", ""),
        photo=photo,
    )


def decode_read_answer(data: bytes) -> IdentityCard:
    """The data of a READ_BASE answer: text length, photo length (2 bytes each, big-endian), text, photo."""
    if len(data) < 4:
        raise ReaderError(Fault.GARBAGE, f"read answer of {len(data)} bytes")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_LEN or len(data) < 4 + text_len + photo_len:
        raise ReaderError(Fault.LAYOUT, f"text {text_len} photo {photo_len} in {len(data)} bytes")
    text = data[4 : 4 + text_len]
    return decode_card(text, data[4 + text_len : 4 + text_len + photo_len])
