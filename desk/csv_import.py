"""Reading registers from CSV as offices export them: UTF-8 (with or without BOM) or GBK/GB18030 (Excel)."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from pathlib import Path

from desk.errors import DeskError

log = logging.getLogger(__name__)


class CsvError(DeskError):
    """The file cannot be read as a register; nothing was written."""


def decode(raw: bytes, name: str = "") -> str:
    """UTF-8 first (strict: a GBK file almost never decodes as UTF-8), else GB18030, which
    contains GBK and GB2312 (what Excel's "CSV" writes on a Chinese Windows)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        log.debug("%s read as %s", name, encoding)
        return text
    raise CsvError(f"{name}: 文件编码无法识别（应为 UTF-8 或 GBK/GB18030）")


def read_rows(
    path: Path, aliases: Mapping[str, str] | None = None
) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet line number, row) for each non-blank data row; header names are
    stripped, lower-cased and mapped through ``aliases`` (e.g. 钥匙编号 -> key_id)."""
    text = decode(Path(path).read_bytes(), str(path))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CsvError(f"{path}: 文件是空的") from None
    except csv.Error as exc:
        raise CsvError(f"{path}: 不是有效的 CSV: {exc}") from None
    names = [h.strip().lower() for h in header]
    names = [(aliases or {}).get(n, n) for n in names]
    rows = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                raise CsvError(f"第{reader.line_num}行: 列数 {len(row)} 多于表头的 {len(names)} 列")
            rows.append((reader.line_num, {n: v.strip() for n, v in zip(names, row, strict=False)}))
    except csv.Error as exc:
        raise CsvError(f"第{reader.line_num}行: 不是有效的 CSV: {exc}") from None
    return rows
