"""Second-generation ID card reader on serial / USB-serial (SAM protocol): find, select, read a card."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from desk.identity_card import IdentityCard
from devices.idcard_protocol import (
    FIND_CARD,
    READ_BASE,
    SAM_STATUS,
    SELECT_CARD,
    SW3_FOUND,
    SW3_OK,
    Answer,
    Fault,
    ReaderError,
    command_frame,
    decode_read_answer,
    parse_answer,
    split_frame,
)
from devices.links import PORT_ERRORS, SerialLink

log = logging.getLogger(__name__)

DEFAULT_BAUD = 115200
"""The SAM module's default UART speed (it can be set to 57600/38400/19200/9600)."""


class IdCardReader:
    """One reader on ``url`` (device path, pty, ``socket://``...): ``read_card()`` or a ReaderError.

    ``timeout`` bounds the short commands, ``read_timeout`` the 1295-byte read answer
    (about 0.12 s at 115200 baud, plus the card's own time).
    """

    def __init__(
        self,
        url: str,
        baud: int = DEFAULT_BAUD,
        timeout: float = 0.5,
        read_timeout: float = 3.0,
        opener: Callable[[str, int], SerialLink] = SerialLink.open,
    ) -> None:
        self.url = url
        self.baud = baud
        self.timeout = timeout
        self.read_timeout = read_timeout
        self._opener = opener
        self._link: SerialLink | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> IdCardReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self._link is not None:
            self._link.close()
            self._link = None

    def _port(self) -> SerialLink:
        if self._link is None:
            try:
                self._link = self._opener(self.url, self.baud)
            except PORT_ERRORS as exc:
                raise ReaderError(Fault.PORT, f"{self.url}: {exc}") from None
        return self._link

    def transact(self, command: tuple[int, int], timeout: float | None = None) -> Answer:
        """Send one command and return the reader's answer frame, parsed."""
        with self._lock:
            link = self._port()
            try:
                link.clear_input()
                link.write(command_frame(command))
                return parse_answer(self._read_frame(link, timeout or self.timeout))
            except PORT_ERRORS as exc:
                self.close()
                raise ReaderError(Fault.PORT, str(exc)) from None

    def _read_frame(self, link: SerialLink, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        buf = bytearray()
        while True:
            frame, used = split_frame(buf)
            if frame is not None:
                return frame
            left = deadline - time.monotonic()
            if left <= 0:
                break
            buf += link.read_exact(max(1, 7 - len(buf)) if len(buf) < 7 else 64, min(left, 0.05))
        if not buf:
            raise ReaderError(Fault.NO_ANSWER, self.url)
        if buf.find(b"\xaa\xaa\xaa\x96\x69") >= 0:  # a frame that stopped half-way
            raise ReaderError(Fault.INCOMPLETE, f"answer cut after {len(buf)} bytes")
        raise ReaderError(Fault.GARBAGE, bytes(buf[:16]).hex(" "))

    # -- operations ----------------------------------------------------------------
    def sam_ok(self) -> bool:
        """The security module answers and passed its self-test."""
        return self.transact(SAM_STATUS).sw3 == SW3_OK

    def card_present(self) -> bool:
        """Find card: True when a card is in the field (a card already read answers "not found")."""
        answer = self.transact(FIND_CARD)
        if answer.sw3 == SW3_FOUND:
            return True
        if answer.sw3 == 0x80:
            return False
        raise ReaderError(_fault_of(answer), answer.status)

    def read_card(self) -> IdentityCard:
        """Find, select and read the card on the reader; a ReaderError says why not."""
        if not self.card_present():
            raise ReaderError(Fault.NO_CARD)
        answer = self.transact(SELECT_CARD)
        if answer.sw3 != SW3_OK:
            raise ReaderError(
                Fault.REMOVED if answer.sw3 == 0x81 else _fault_of(answer), answer.status
            )
        answer = self.transact(READ_BASE, self.read_timeout)
        if answer.sw3 != SW3_OK:
            raise ReaderError(_fault_of(answer), answer.status)
        card = decode_read_answer(answer.data)
        log.info("card read: %s", card.card_type)
        return card


def _fault_of(answer: Answer) -> Fault:
    """The fault an unsuccessful SW3 means."""
    code = answer.sw3
    if code == 0x80:
        return Fault.NO_CARD
    if code in (0x81, 0x41, 0x31, 0x32, 0x33, 0x47):  # the card left the field mid-way
        return Fault.REMOVED
    if code == 0x40:
        return Fault.WRONG_CARD
    if code == 0x10:
        return Fault.BAD_CHECKSUM
    return Fault.SAM
