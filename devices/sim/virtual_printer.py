"""A virtual ESC/POS printer: parses the byte stream into receipts and answers DLE EOT."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image

log = logging.getLogger(__name__)

ESC, GS, FS, DLE, LF = 0x1B, 0x1D, 0x1C, 0x10, 0x0A

# ESC commands and how many argument bytes they take.
_ESC_ARGS = {
    0x21: 1,
    0x45: 1,
    0x2D: 1,
    0x7B: 1,
    0x4D: 1,
    0x61: 1,
    0x74: 1,
    0x64: 1,
    0x4A: 1,
    0x32: 0,
    0x33: 1,
    0x52: 1,
    0x47: 1,
    0x20: 1,
    0x56: 1,
    0x70: 3,
    0x40: 0,
    0x63: 2,
    0x24: 2,
    0x5C: 2,
    0x44: -1,
    0x2A: -2,
    0x3D: 1,
    0x69: 0,
    0x6D: 0,
}
_GS_ARGS = {
    0x21: 1,
    0x62: 1,
    0x42: 1,
    0x4C: 2,
    0x57: 2,
    0x68: 1,
    0x77: 1,
    0x48: 1,
    0x66: 1,
    0x49: 1,
    0x72: 1,
    0x61: 1,
    0x3A: 0,
}
_FS_ARGS = {0x26: 0, 0x2E: 0, 0x21: 1, 0x2D: 1, 0x57: 1, 0x43: 1, 0x53: 2, 0x70: 2}


@dataclass
class Style:
    """Print style in effect."""

    align: int = 0
    bold: bool = False
    width: int = 1
    height: int = 1
    underline: bool = False


@dataclass
class Item:
    """One printed element: a text line, a QR code, or a raster image."""

    kind: str
    """"text", "qr" or "image"."""
    text: str = ""
    style: Style = field(default_factory=Style)
    qr_size: int = 3
    image: Image.Image | None = None


@dataclass
class Receipt:
    """What came out of the printer between two cuts."""

    items: list[Item] = field(default_factory=list)
    complete: bool = True
    """False when the paper ran out or the cover opened while printing."""
    bytes_received: int = 0

    @property
    def lines(self) -> list[str]:
        """Text lines, without styles."""
        return [i.text for i in self.items if i.kind == "text"]

    @property
    def qr_codes(self) -> list[str]:
        """Contents of the QR codes."""
        return [i.text for i in self.items if i.kind == "qr"]

    @property
    def text(self) -> str:
        """All text lines joined, plus ``[QR:...]`` markers."""
        out = []
        for i in self.items:
            if i.kind == "text":
                out.append(i.text)
            elif i.kind == "qr":
                out.append(f"[QR:{i.text}]")
            else:
                out.append("[图像]")
        return "\n".join(out)


class VirtualPrinter:
    """Feed it bytes; it returns the bytes the printer sends back (status answers).

    Faults: ``paper_out``, ``cover_open``, ``near_end``, ``silent`` (answers nothing),
    ``paper_lines_left`` (paper runs out after that many printed lines).
    """

    def __init__(
        self,
        encoding: str = "gb18030",
        on_receipt: Callable[[Receipt], None] | None = None,
    ) -> None:
        self.encoding = encoding
        self.on_receipt = on_receipt
        self.receipts: list[Receipt] = []
        self.paper_out = False
        self.cover_open = False
        self.near_end = False
        self.silent = False
        self.paper_lines_left: int | None = None
        self.bytes_total = 0
        self._buf = bytearray()
        self._text = bytearray()
        self._lock = threading.Lock()
        self._qr_data = b""
        self._qr_size = 3
        self._pending = ""
        self._pending_style: Style | None = None
        self._reset()
        self._current = Receipt()

    def _reset(self) -> None:
        self.style = Style()
        self.chinese = False

    # -- control ------------------------------------------------------------
    def change_paper(self) -> None:
        """A person put a new roll in."""
        self.paper_out = False
        self.near_end = False
        self.paper_lines_left = None

    def status_byte(self, n: int) -> int:
        """The answer to ``DLE EOT n``."""
        stopped = self.paper_out or self.cover_open
        if n == 1:
            return 0x12 | (0x08 if stopped else 0)
        if n == 2:
            return 0x12 | (0x04 if self.cover_open else 0) | (0x20 if self.paper_out else 0)
        if n == 3:
            return 0x12
        if n == 4:
            return 0x12 | (0x0C if self.near_end else 0) | (0x60 if self.paper_out else 0)
        return 0x12

    # -- parsing ------------------------------------------------------------
    def feed(self, data: bytes) -> bytes:
        """Process received bytes; return the printer's answers."""
        with self._lock:
            self.bytes_total += len(data)
            self._current.bytes_received += len(data)
            self._buf += data
            out = bytearray()
            while self._buf:
                used, reply = self._step()
                if used == 0:
                    break  # incomplete command: wait for more bytes
                del self._buf[:used]
                if reply is not None and not self.silent:
                    out.append(reply)
            return bytes(out)

    def _step(self) -> tuple[int, int | None]:
        b = self._buf
        c = b[0]
        if c >= 0x20:
            self._text.append(c)
            return 1, None
        if c == LF:
            self._end_line()
            return 1, None
        if c == 0x09:
            self._text += b"    "
            return 1, None
        if c == DLE:
            if len(b) < 3:
                return 0, None
            if b[1] == 0x04:
                return 3, self.status_byte(b[2])
            return 3, None
        if c == ESC:
            return self._esc()
        if c == GS:
            return self._gs()
        if c == FS:
            if len(b) < 2:
                return 0, None
            n = _FS_ARGS.get(b[1], 0)
            if len(b) < 2 + n:
                return 0, None
            if b[1] == 0x26:
                self._flush_text()
                self.chinese = True
            elif b[1] == 0x2E:
                self._flush_text()
                self.chinese = False
            return 2 + n, None
        return 1, None  # CR and other controls

    def _esc(self) -> tuple[int, int | None]:
        b = self._buf
        if len(b) < 2:
            return 0, None
        cmd = b[1]
        n = _ESC_ARGS.get(cmd, 0)
        if n < 0:  # variable-length commands we only skip
            return 2, None
        if len(b) < 2 + n:
            return 0, None
        arg = b[2] if n else 0
        if cmd != 0x40 and cmd in (0x21, 0x45, 0x61):
            self._flush_text()
        if cmd == 0x40:
            self._flush_text()
            self._reset()
        elif cmd == 0x21:
            self.style.bold = bool(arg & 0x08)
            self.style.height = 2 if arg & 0x10 else 1
            self.style.width = 2 if arg & 0x20 else 1
        elif cmd == 0x45:
            self.style.bold = bool(arg & 1)
        elif cmd == 0x2D:
            self.style.underline = bool(arg & 3)
        elif cmd == 0x61:
            self.style.align = {0x30: 0, 0x31: 1, 0x32: 2}.get(arg, arg if arg < 3 else 0)
        elif cmd == 0x64:
            for _ in range(arg):
                self._end_line()
        return 2 + n, None

    def _gs(self) -> tuple[int, int | None]:
        b = self._buf
        if len(b) < 2:
            return 0, None
        cmd = b[1]
        if cmd == 0x56:  # GS V m [n]: cut
            if len(b) < 3:
                return 0, None
            size = 4 if b[2] in (65, 66, 97, 98, 103, 104) else 3
            if len(b) < size:
                return 0, None
            self._flush_text()
            self._cut()
            return size, None
        if cmd == 0x28:  # GS ( X pL pH ...
            if len(b) < 5:
                return 0, None
            length = b[3] | b[4] << 8
            if len(b) < 5 + length:
                return 0, None
            if b[2] == 0x6B:
                self._qr(bytes(b[5 : 5 + length]))
            return 5 + length, None
        if cmd == 0x76:  # GS v 0 m xL xH yL yH data
            if len(b) < 8:
                return 0, None
            xb = b[4] | b[5] << 8
            yd = b[6] | b[7] << 8
            if len(b) < 8 + xb * yd:
                return 0, None
            self._image(bytes(b[8 : 8 + xb * yd]), xb, yd)
            return 8 + xb * yd, None
        if cmd == 0x6B:  # GS k barcode: skip
            if len(b) < 3:
                return 0, None
            if b[2] <= 6:
                end = b.find(b"\x00", 3)
                return (end + 1, None) if end >= 0 else (0, None)
            if len(b) < 4 or len(b) < 4 + b[3]:
                return 0, None
            return 4 + b[3], None
        n = _GS_ARGS.get(cmd, 0)
        if len(b) < 2 + n:
            return 0, None
        if cmd == 0x21:
            self._flush_text()
            self.style.width = (b[2] >> 4 & 7) + 1
            self.style.height = (b[2] & 7) + 1
        return 2 + n, None

    # -- output -------------------------------------------------------------
    def _printing(self) -> bool:
        if self.paper_out or self.cover_open:
            self._current.complete = False
            return False
        if self.paper_lines_left is not None:
            if self.paper_lines_left <= 0:
                self.paper_out = True
                self._current.complete = False
                return False
            self.paper_lines_left -= 1
        return True

    def _decode(self, data: bytes) -> str:
        return data.decode(self.encoding if self.chinese else "cp437", errors="replace")

    def _flush_text(self) -> None:
        """Text before a style change stays on the same printed line."""
        if self._text:
            self._pending += self._decode(bytes(self._text))
            if self._pending_style is None:
                self._pending_style = Style(**vars(self.style))
            self._text.clear()

    def _end_line(self) -> None:
        self._flush_text()
        style = self._pending_style or Style(**vars(self.style))
        text = self._pending
        self._pending, self._pending_style = "", None
        if self._printing():
            self._current.items.append(Item("text", text, style))

    def _qr(self, block: bytes) -> None:
        if len(block) < 2 or block[0] != 0x31:
            return
        fn = block[1]
        if fn == 0x43 and len(block) >= 3:
            self._qr_size = block[2]
        elif fn == 0x50:
            self._qr_data = block[3:]
        elif fn == 0x51 and self._printing():
            self._current.items.append(
                Item(
                    "qr",
                    self._qr_data.decode("utf-8", "replace"),
                    Style(**vars(self.style)),
                    qr_size=self._qr_size,
                )
            )

    def _image(self, data: bytes, xbytes: int, height: int) -> None:
        img = Image.frombytes("1", (xbytes * 8, height), data)
        img = Image.eval(img.convert("L"), lambda v: 255 - v)
        if self._printing():
            self._current.items.append(Item("image", "", Style(**vars(self.style)), image=img))

    def _cut(self) -> None:
        receipt, self._current = self._current, Receipt()
        while receipt.items and receipt.items[-1].kind == "text" and not receipt.items[-1].text:
            receipt.items.pop()
        self.receipts.append(receipt)
        log.info(
            "virtual printer: receipt of %d lines (complete=%s)",
            len(receipt.lines),
            receipt.complete,
        )
        if self.on_receipt:
            try:
                self.on_receipt(receipt)
            except Exception:  # noqa: BLE001
                log.exception("virtual printer: on_receipt failed")
