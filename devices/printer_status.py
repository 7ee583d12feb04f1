"""Real-time printer status (``DLE EOT n``) written by hand: one byte back, no answer = offline."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from devices.events import DeviceState

log = logging.getLogger(__name__)

DLE_EOT = b"\x10\x04"
#: n=1 printer status, n=2 offline cause, n=4 roll paper sensor.
PRINTER, OFFLINE_CAUSE, PAPER_SENSOR = 1, 2, 4


class ByteLink(Protocol):
    """The few operations a status query needs from a port."""

    def clear_input(self) -> None: ...

    def write(self, data: bytes) -> None: ...

    def read_exact(self, n: int, timeout: float) -> bytes: ...


def is_status_byte(value: int) -> bool:
    """Every ``DLE EOT`` answer has bits 1 and 4 set and bits 0 and 7 clear."""
    return value & 0x93 == 0x12


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said (all False and ``answered`` False when it said nothing)."""

    answered: bool = False
    """The printer sent a valid status byte for every query."""
    offline: bool = False
    """The printer reports itself offline (n=1 bit 3)."""
    cover_open: bool = False
    """Cover open (n=2 bit 2)."""
    paper_near_end: bool = False
    """Roll near its end (n=4 bits 2-3)."""
    paper_out: bool = False
    """No paper (n=4 bits 5-6, or n=2 bit 5 printing stopped by paper end)."""
    error: bool = False
    """Other error (n=2 bit 6: cutter, head temperature...)."""

    @property
    def state(self) -> DeviceState:
        """The connection state this status means."""
        if not self.answered:
            return DeviceState.OFFLINE
        if self.cover_open:
            return DeviceState.COVER_OPEN
        if self.paper_out:
            return DeviceState.PAPER_OUT
        if self.error or self.offline:
            return DeviceState.ERROR
        if self.paper_near_end:
            return DeviceState.PAPER_NEAR_END
        return DeviceState.READY

    @property
    def ok(self) -> bool:
        """The printer answered and reports nothing that stops printing."""
        return self.state in (DeviceState.READY, DeviceState.PAPER_NEAR_END)


def parse_status(answers: dict[int, int | None]) -> PrinterStatus:
    """Interpret the answers to ``DLE EOT 1, 2, 4`` (None = no valid byte)."""
    if any(answers.get(n) is None for n in (PRINTER, OFFLINE_CAUSE, PAPER_SENSOR)):
        return PrinterStatus(answered=False)
    s1, s2, s4 = answers[PRINTER], answers[OFFLINE_CAUSE], answers[PAPER_SENSOR]
    assert s1 is not None and s2 is not None and s4 is not None
    return PrinterStatus(
        answered=True,
        offline=bool(s1 & 0x08),
        cover_open=bool(s2 & 0x04),
        paper_near_end=bool(s4 & 0x0C),
        paper_out=bool(s4 & 0x60) or bool(s2 & 0x20),
        error=bool(s2 & 0x40),
    )


def ask(link: ByteLink, n: int, timeout: float) -> int | None:
    """Send ``DLE EOT n`` after clearing input; return the one valid status byte or None."""
    link.clear_input()
    link.write(DLE_EOT + bytes([n]))
    reply = link.read_exact(1, timeout)
    if len(reply) != 1 or not is_status_byte(reply[0]):
        log.debug("DLE EOT %d: no valid answer (%r)", n, reply)
        return None
    return reply[0]


def query_status(link: ByteLink, timeout: float = 0.5, backlog: float = 0.0) -> PrinterStatus:
    """Ask all three status bytes; the first missing answer makes the printer offline.

    ``backlog``: seconds of data possibly still on its way to the printer (USB-serial adapters
    and ptys report a drained output early); the first answer may take that much longer.
    """
    answers: dict[int, int | None] = {}
    for n in (PRINTER, OFFLINE_CAUSE, PAPER_SENSOR):
        answers[n] = ask(link, n, timeout + (backlog if n == PRINTER else 0.0))
        if answers[n] is None:
            break
    return parse_status(answers)
