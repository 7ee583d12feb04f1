"""Render a virtual printer's receipt to a PNG (as the paper would look) and to plain text."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devices import escpos_text as tx
from devices.sim.virtual_printer import Receipt

log = logging.getLogger(__name__)

FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
CELL = 12
"""Dots per column (font A 12 x 24)."""


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    log.warning("no CJK font found; receipts render with the default font")
    return ImageFont.load_default()


def to_text(receipt: Receipt, columns: int = 48) -> str:
    """The receipt as monospaced text with its alignment (double width counts twice)."""
    out = []
    for item in receipt.items:
        if item.kind == "text":
            w = tx.width(item.text) * item.style.width
            pad = {0: 0, 1: (columns - w) // 2, 2: columns - w}.get(item.style.align, 0)
            out.append(" " * max(pad, 0) + item.text)
        elif item.kind == "qr":
            out.append(tx.center(f"[QR {item.text}]", columns))
        else:
            out.append(tx.center("[图像]", columns))
    if not receipt.complete:
        out.append("!! 打印中断（缺纸或开盖）")
    return "\n".join(out) + "\n"


def to_image(receipt: Receipt, dots: int = 576) -> Image.Image:
    """The receipt as a white paper strip ``dots`` wide."""
    blocks: list[tuple[Image.Image, int]] = []
    for item in receipt.items:
        st = item.style
        if item.kind == "text":
            line = _line_image(item.text, st.width, st.height, st.bold)
            x = {1: (dots - line.width) // 2, 2: dots - line.width}.get(st.align, 0)
            blocks.append((line, max(x, 0)))
        else:
            if item.kind == "qr":
                qr = qrcode.QRCode(box_size=max(item.qr_size, 1), border=2)
                qr.add_data(item.text)
                qr.make(fit=True)
                code = qr.make_image().get_image().convert("L")
            else:
                assert item.image is not None
                code = item.image.convert("L")
            x = {1: (dots - code.width) // 2, 2: dots - code.width}.get(st.align, 0)
            blocks.append((code, max(x, 0)))
    height = sum(b.height for b, _ in blocks) + 40
    paper = Image.new("L", (dots, height), 255)
    y = 20
    for block, x in blocks:
        paper.paste(block, (x, y))
        y += block.height
    if not receipt.complete:
        ImageDraw.Draw(paper).line((0, height - 10, dots, height - 10), fill=0, width=3)
    return paper


def _line_image(text: str, wmul: int, hmul: int, bold: bool) -> Image.Image:
    """One printed line: each character in its cell (12 dots per column, 24 tall, scaled)."""
    used = sum(CELL * tx.char_width(ch) * wmul for ch in text)
    img = Image.new("L", (max(used, 1), 34 * hmul), 255)
    draw = ImageDraw.Draw(img)
    x = 0
    for ch in text:
        wide = tx.char_width(ch) == 2
        size = 24 * min(wmul, hmul) if wmul != hmul else (24 if wide else 22) * hmul
        draw.text(
            (x, 0), ch, fill=0, font=_font(size), stroke_width=1 if bold else 0, stroke_fill=0
        )
        x += CELL * tx.char_width(ch) * wmul
    return img


def save(receipt: Receipt, directory: Path, stem: str, dots: int = 576) -> tuple[Path, Path]:
    """Write ``stem.png`` and ``stem.txt`` into ``directory``; returns both paths."""
    directory.mkdir(parents=True, exist_ok=True)
    png = directory / f"{stem}.png"
    txt = directory / f"{stem}.txt"
    to_image(receipt, dots).save(png)
    txt.write_text(to_text(receipt, dots // CELL), encoding="utf-8")
    return png, txt
