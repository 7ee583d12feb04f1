"""Chinese text for ESC/POS: encoding by config, ¥ mapping, and column widths that count CJK as two."""

from __future__ import annotations

import logging
import re

log = logging.getLogger(__name__)

#: FS & - select Chinese (Kanji) character mode.
CHINESE_ON = b"\x1c\x26"
#: FS . - cancel Chinese character mode.
CHINESE_OFF = b"\x1c\x2e"

ENCODINGS = ("gb18030", "gbk")

#: Characters that GBK printers print as garbage, mapped to their full-width GB forms.
_CHAR_MAP = str.maketrans({"¥": "￥", "\u00a0": " ", "\t": " ", "\u2014": "—"})


def normalise(text: str) -> str:
    """Map characters the printers get wrong (``¥`` -> ``￥``) before encoding."""
    return text.translate(_CHAR_MAP)


def encode(text: str, encoding: str = "gb18030") -> bytes:
    """Encode ``text`` for a printer in Chinese mode; unprintable characters become ``?``."""
    if encoding not in ENCODINGS:
        raise ValueError(f"unsupported printer encoding {encoding!r} (use gb18030 or gbk)")
    return normalise(text).encode(encoding, errors="replace")


def char_width(ch: str) -> int:
    """Columns one character takes: ASCII 1, anything else (a double-byte GB character) 2."""
    return 1 if ord(ch) < 0x80 else 2


def width(text: str) -> int:
    """Columns ``text`` takes on the printer (after normalisation)."""
    return sum(char_width(c) for c in normalise(text))


def truncate(text: str, columns: int) -> str:
    """Cut ``text`` so that it fits in ``columns`` (never splits a double-width character)."""
    out, used = [], 0
    for ch in normalise(text):
        w = char_width(ch)
        if used + w > columns:
            break
        out.append(ch)
        used += w
    return "".join(out)


#: Chinese punctuation a line may end after (a preferred break) and may not start with.
BREAK_AFTER = "，。；：！？、）》」』"
NO_LINE_START = BREAK_AFTER + "…—"


def wrap(text: str, columns: int) -> list[str]:
    """Break ``text`` into lines of at most ``columns``.

    Latin text breaks at spaces, Chinese anywhere, but preferably after punctuation
    (``，。；``...) when that keeps at least a third of the line, and never so that a line
    starts with ``，`` or ``。`` (the character before moves down with it).
    """
    lines: list[str] = []
    for paragraph in normalise(text).split("\n"):
        line, used = "", 0
        for word in _tokens(paragraph):
            w = width(word)
            if used + w <= columns:
                line += word
                used += w
                continue
            line, carry = _break_point(line, word, columns)
            if line.strip():
                lines.append(line.rstrip())
            word = carry + word if carry else (word.lstrip() if line else word)
            while width(word) > columns:
                head = truncate(word, columns)
                lines.append(head)
                word = word[len(head) :]
            line, used = word, width(word)
        lines.append(line.rstrip())
    return lines


def _break_point(line: str, word: str, columns: int) -> tuple[str, str]:
    """Split ``line`` where it should end before ``word``: (kept, moved to the next line)."""
    if word[:1] in NO_LINE_START and line[-1:].strip():
        # no line starts with a comma: the character (or Latin word) before it goes along
        tail = re.search(r"[!-~]+$", line) if ord(line[-1]) < 0x80 else None
        cut = len(line) - (len(tail.group(0)) if tail else 1)
        if cut > 0 and line[:cut].strip():
            return line[:cut], line[cut:]
        return line, ""
    if ord((word.lstrip() or " ")[0]) < 0x80:
        return line, ""  # a Latin word: break at its space as before
    for i in range(len(line) - 1, 0, -1):
        if line[i] in BREAK_AFTER:
            if width(line[: i + 1]) * 3 >= columns and i + 1 < len(line):
                return line[: i + 1], line[i + 1 :]
            break
    return line, ""


def _tokens(text: str) -> list[str]:
    """Split into break units: runs of ASCII non-space (with their leading space) or one CJK char."""
    tokens: list[str] = []
    current = ""
    for ch in text:
        if ord(ch) >= 0x80:
            if current:
                tokens.append(current)
                current = ""
            tokens.append(ch)
        elif ch == " " and current.strip():
            tokens.append(current)
            current = ch
        else:
            current += ch
    if current:
        tokens.append(current)
    return tokens


def pad_pair(left: str, right: str, columns: int) -> str:
    """``left`` and ``right`` on one line, right-aligned, truncating ``left`` when too long."""
    left, right = normalise(left), normalise(right)
    room = columns - width(right) - 1
    left = truncate(left, max(room, 0))
    return left + " " * (columns - width(left) - width(right)) + right


def center(text: str, columns: int) -> str:
    """``text`` centred in ``columns`` with spaces (for printers that ignore ESC a)."""
    text = truncate(text, columns)
    pad = (columns - width(text)) // 2
    return " " * pad + text
