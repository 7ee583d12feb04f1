"""A virtual ID card reader (SAM protocol): sample cards placed and removed, and faults on demand."""

from __future__ import annotations

import logging
import random
import threading
from datetime import date

from devices.idcard_protocol import (
    FIND_CARD,
    LAYOUTS,
    PHOTO_LEN,
    READ_BASE,
    RESET,
    SAM_ID,
    SAM_STATUS,
    SELECT_CARD,
    TEXT_LEN,
    TYPE_FLAGS,
    ReaderError,
    answer_frame,
    parse_command,
    split_frame,
)

log = logging.getLogger(__name__)

FLAG_OF = {kind: flag for flag, kind in TYPE_FLAGS.items()}


def encode_text(fields: dict[str, str], card_type: str = "resident") -> bytes:
    """A 256-byte text block in UCS-2 (little-endian), each field padded with spaces."""
    out = bytearray()
    for name, size in LAYOUTS[card_type]:
        value = FLAG_OF.get(card_type, " ") if name == "type_flag" else fields.get(name, "")
        raw = value.encode("utf-16-le")[:size]
        out += raw + " ".encode("utf-16-le") * ((size - len(raw)) // 2)
    assert len(out) == TEXT_LEN
    return bytes(out)


def _card(card_type: str, **fields: str) -> bytes:
    return encode_text(fields, card_type)


def sample_cards(today: date | None = None) -> dict[str, bytes]:
    """Text blocks of made-up cards (check digits valid): valid, expired, long-term, permits."""
    y = (today or date.today()).year
    return {
        "resident": _card(
            "resident", name="张伟", sex="1", nation="01", birth="19900307",
            address="北京市东城区景山前街4号", id_number="110101199003074514",
            authority="北京市公安局东城分局", valid_from=f"{y - 5}0101", valid_until=f"{y + 15}0101",
        ),
        "expired": _card(
            "resident", name="李娜", sex="2", nation="01", birth="19850612",
            address="上海市黄浦区人民大道200号", id_number="310101198506120028",
            authority="上海市公安局黄浦分局", valid_from=f"{y - 12}0301", valid_until=f"{y - 2}0301",
        ),
        "longterm": _card(
            "resident", name="王秀英", sex="2", nation="03", birth="19500101",
            address="宁夏回族自治区银川市兴庆区", id_number="640104195001010028",
            authority="银川市公安局兴庆分局", valid_from="20100101", valid_until="长期",
        ),
        "hmt": _card(
            "hmt_residence", name="陈家明", sex="1", birth="19920815",
            address="广东省深圳市福田区福华路1号", id_number="810000199208150035",
            authority="深圳市公安局", valid_from=f"{y - 1}0901", valid_until=f"{y + 4}0901",
            pass_number="H12345678", issue_count="01",
        ),
        "foreign2017": _card(
            "foreign_permanent", name_en="SMITH JOHN", sex="1", id_number="USA110088061201",
            nation="USA", name="史约翰", valid_from=f"{y - 3}0616", valid_until=f"{y + 7}0616",
            birth="19880612", version="01", authority="1100",
        ),
        "foreign2023": _card(
            "foreign_permanent_2023", name="安娜", sex="2", birth="19910220",
            name_en="IVANOVA ANNA", id_number="911156199102200024",
            valid_from=f"{y - 1}1201", valid_until=f"{y + 9}1201", nation="RUS",
        ),
    }  # fmt: skip


class VirtualIdReader:
    """The reader's answers to the bytes it receives.

    ``place(name)`` puts a sample card (``sample_cards``) or raw text block on it, ``remove()``
    takes it away. Faults: ``silent`` (no SAM answer), ``garbage`` (random bytes), ``bad_checksum``,
    ``remove_mid_read`` (the card leaves during the read: SW3 41), ``sam_fault`` (SW3 60).
    Like a real reader, a card that was read answers "not found" until it is placed again.
    """

    def __init__(self, seed: int | None = None) -> None:
        self.text: bytes | None = None
        self.photo = bytes(range(256)) * (PHOTO_LEN // 256)
        self.read_done = False
        self.selected = False
        self.silent = False
        self.garbage = False
        self.bad_checksum = False
        self.remove_mid_read = False
        self.sam_fault = False
        self.commands: list[tuple[int, int]] = []
        self._buf = bytearray()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def place(self, card: str | bytes = "resident") -> None:
        """Put a card on the reader."""
        self.text = sample_cards()[card] if isinstance(card, str) else card
        self.read_done = self.selected = False

    def remove(self) -> None:
        self.text = None
        self.read_done = self.selected = False

    def ok(self) -> None:
        """Clear every fault."""
        self.silent = self.garbage = self.bad_checksum = False
        self.remove_mid_read = self.sam_fault = False

    # -- wire ---------------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        with self._lock:
            self._buf += data
            out = bytearray()
            while True:
                frame, used = split_frame(self._buf)
                del self._buf[:used]
                if frame is None:
                    break
                out += self._answer(frame)
            return bytes(out)

    def _answer(self, frame: bytes) -> bytes:
        try:
            cmd = parse_command(frame)
        except ReaderError as exc:
            log.info("virtual id reader: bad frame (%s)", exc)
            return answer_frame(0x10)  # checksum error of the received data
        key = (cmd.cmd, cmd.para)
        self.commands.append(key)
        if self.silent:
            return b""
        if self.garbage:
            return bytes(self._rng.randrange(256) for _ in range(self._rng.randrange(3, 20)))
        reply = self._reply(key)
        if self.bad_checksum and reply:
            reply = reply[:-1] + bytes([reply[-1] ^ 0x5A])
        return reply

    def _reply(self, key: tuple[int, int]) -> bytes:
        if self.sam_fault:
            return answer_frame(0x60)
        if key in (RESET, SAM_STATUS):
            return answer_frame(0x90)
        if key == SAM_ID:
            return answer_frame(0x90, bytes(16))
        if key == FIND_CARD:
            if self.text is None or self.read_done:
                return answer_frame(0x80)
            return answer_frame(0x9F, bytes(4))
        if key == SELECT_CARD:
            if self.text is None or self.read_done:
                return answer_frame(0x81)
            self.selected = True
            return answer_frame(0x90, bytes(8))
        if key == READ_BASE:
            if self.text is None or not self.selected:
                return answer_frame(0x41)
            if self.remove_mid_read:
                self.text = None
                return answer_frame(0x41)
            self.read_done, self.selected = True, False
            data = TEXT_LEN.to_bytes(2, "big") + PHOTO_LEN.to_bytes(2, "big")
            return answer_frame(0x90, data + self.text + self.photo)
        return answer_frame(0x21)  # unknown command
