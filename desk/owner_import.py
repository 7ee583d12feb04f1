"""Reading the owner register CSV: UTF-8 or GBK/GB18030, duplicates found and reported."""

from __future__ import annotations

import csv
import io
import logging
from pathlib import Path

from desk.errors import DeskError, ValidationError
from desk.textfile import decode_text
from desk.validate import parse_unit, phone

log = logging.getLogger(__name__)


def _identity(row: dict[str, str]) -> tuple[str, str] | None:
    try:
        unit = row.get("unit") or f"{row['building']}-{row['entrance']}-{row['room']}"
        return "-".join(parse_unit(unit)), phone(row["phone"])
    except (KeyError, ValidationError, TypeError):
        return None  # import_owners reports the row with its line number


def read_owner_rows(path: Path) -> tuple[list[dict[str, str]], list[tuple[int, int]]]:
    """Rows of the owner CSV, each resident once, and the (line, first line) duplicates."""
    try:
        text = decode_text(path.read_bytes(), str(path))
    except UnicodeError as exc:
        raise DeskError(str(exc)) from exc
    rows: list[dict[str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    duplicates: list[tuple[int, int]] = []
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), 2):
        key = _identity(row)
        if key is not None and key in seen:
            duplicates.append((line_no, seen[key]))
            continue
        if key is not None:
            seen[key] = line_no
        rows.append(row)
    if duplicates:
        log.warning("%s: %d duplicate row(s) skipped", path, len(duplicates))
    return rows, duplicates
