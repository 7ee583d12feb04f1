"""Reading text files people bring (owner CSV, settings TOML): UTF-8 or GBK/GB18030."""

from __future__ import annotations

import logging
import unicodedata

log = logging.getLogger(__name__)


def decode_text(data: bytes, name: str) -> str:
    """The text of a file in UTF-8 (BOM or not) or GB18030 (a superset of GBK, what Excel
    and Notepad on Chinese Windows write); UnicodeError naming the file for anything else."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        if text and not any(
            unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\r\n\t" for c in text
        ):
            log.warning("%s is not UTF-8; read it as GBK/GB18030", name)
            return text
    raise UnicodeError(
        f"{name}: 文件编码无法识别（应为 UTF-8 或 GBK/GB18030）; not UTF-8 or GBK/GB18030 text. "
        "In Excel choose 'CSV UTF-8' when saving."
    )
