"""Build one ESC/POS job as bytes through python-escpos, with our own Chinese text handling."""

from __future__ import annotations

import logging
import warnings

from escpos.printer import Dummy

from devices import escpos_text as tx

log = logging.getLogger(__name__)

#: Paper widths: mm -> (columns in font A, printable dots).
PAPER = {58: (32, 384), 80: (48, 576)}
INIT = b"\x1b\x40"


class EscposDoc:
    """A receipt being laid out: text lines, styles, QR and cut, collected as raw bytes.

    python-escpos builds the style, QR and cut commands (its ``Dummy`` printer); text goes
    through :mod:`devices.escpos_text` (Chinese mode, GB18030/GBK, double-width columns)
    instead of python-escpos's magic encoder.
    """

    def __init__(
        self, paper_mm: int = 80, encoding: str = "gb18030", qr_native: bool = True
    ) -> None:
        if paper_mm not in PAPER:
            raise ValueError(f"paper width must be 58 or 80 mm, got {paper_mm}")
        self.paper_mm = paper_mm
        self.columns, self.dots = PAPER[paper_mm]
        self.encoding = encoding
        self.qr_native = qr_native
        self._p = Dummy(profile="default")
        self._p.profile.profile_data["media"]["width"]["pixels"] = self.dots
        self._p._raw(INIT + tx.CHINESE_ON)

    # -- styles -------------------------------------------------------------
    def style(self, align: str = "left", bold: bool = False, double: bool = False) -> None:
        """Set alignment, bold and double size (python-escpos ``set``)."""
        self._p.set(align=align, bold=bold, double_height=double, double_width=double)

    def reset_style(self) -> None:
        """Back to left, normal, not bold."""
        self._p.set(align="left", bold=False, normal_textsize=True)

    # -- text ---------------------------------------------------------------
    def raw_text(self, text: str) -> None:
        """Encode ``text`` as-is (no wrapping)."""
        self._p._raw(tx.encode(text, self.encoding))

    def line(
        self, text: str = "", align: str = "left", bold: bool = False, double: bool = False
    ) -> None:
        """One or more lines of text, wrapped to the paper width (halved when double)."""
        columns = self.columns // 2 if double else self.columns
        self.style(align=align, bold=bold, double=double)
        for part in tx.wrap(text, columns):
            self._p._raw(tx.encode(part, self.encoding) + b"\n")
        if bold or double or align != "left":
            self.reset_style()

    def pair(self, left: str, right: str) -> None:
        """A label on the left and a value on the right of the same line."""
        if tx.width(left) + tx.width(right) + 1 > self.columns:
            self.line(left)
            self.line(right, align="right")
            return
        self._p._raw(tx.encode(tx.pad_pair(left, right, self.columns), self.encoding) + b"\n")

    def field(self, label: str, value: str) -> None:
        """``label：value`` with continuation lines indented under the value."""
        head = f"{label}："
        indent = tx.width(head)
        lines = tx.wrap(value, self.columns - indent) or [""]
        out = [head + lines[0]] + [" " * indent + rest for rest in lines[1:]]
        for text in out:
            self._p._raw(tx.encode(text, self.encoding) + b"\n")

    def rule(self, char: str = "-") -> None:
        """A full-width separator line."""
        self._p._raw(tx.encode(char * (self.columns // tx.width(char)), self.encoding) + b"\n")

    def feed(self, lines: int = 1) -> None:
        """Blank lines."""
        self._p._raw(b"\n" * lines)

    # -- codes and paper ----------------------------------------------------
    def qr(self, data: str, size: int = 6) -> None:
        """A QR code of ``data``: native ``GS ( k`` (about 70 bytes) or a raster image fallback."""
        self.style(align="center")
        if self.qr_native:
            self._p.qr(data, native=True, size=size)
            self._p._raw(b"\n")
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._p.qr(data, native=False, size=size, center=False)
        self.reset_style()

    def cut(self) -> None:
        """Feed past the cutter and cut (python-escpos ``cut``)."""
        self._p.cut()

    @property
    def output(self) -> bytes:
        """The whole job as bytes."""
        return self._p.output
