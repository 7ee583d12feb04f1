"""Blanking purged records in the change log without moving a byte (X2, issue 10 items 2, 9).

A purge must remove a visitor's personal data from the log, yet the manifest and every
snapshot point into the log by byte offset. So a redacted line keeps its length: the JSON
value of ``doc`` (and ``actor``, which holds a kiosk visitor's name) is overwritten with
``null`` and spaces (JSON allows whitespace between tokens). The file is then swapped
whole (temp file, fsync, rename, fsync of the directory): at every instant the file at the
path is the old or the new one, with the same line boundaries, so the manifest agrees.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path

from desk.fileio import atomic_write

log = logging.getLogger(__name__)

_WS = " \t\r\n"
# The entry's own key: right after its document hash (keys are written sorted).
_KEY_RE = re.compile(rb'"doc_sha":"[0-9a-f]{64}","key":"([^"\\]*)"')
_DECODER = json.JSONDecoder()


def value_spans(line: str, names: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Character spans of the values of top-level keys ``names`` in one JSON object line."""
    wanted, spans = set(names), {}
    i = 0
    if not line.startswith("{"):
        raise ValueError("not a JSON object")
    i = 1
    while i < len(line):
        while line[i] in _WS:
            i += 1
        if line[i] == "}":
            break
        key, i = _DECODER.raw_decode(line, i)
        while line[i] in _WS:
            i += 1
        if line[i] != ":":
            raise ValueError("malformed object")
        i += 1
        while line[i] in _WS:
            i += 1
        start = i
        _, i = _DECODER.raw_decode(line, i)
        if key in wanted:
            spans[key] = (start, i)
        while line[i] in _WS:
            i += 1
        if line[i] == ",":
            i += 1
    return spans


def blank_line(raw: bytes, parts: tuple[str, ...]) -> bytes:
    """The same line, as many bytes, with the values of ``parts`` replaced by ``null``."""
    text = raw.decode("utf-8")
    out = bytearray(raw)
    for start, end in value_spans(text, parts).values():
        if text[start:end] == "null":
            continue
        b_start = len(text[:start].encode("utf-8"))
        b_end = b_start + len(text[start:end].encode("utf-8"))
        if b_end - b_start < 4:
            continue  # "{}" or a short scalar: nothing personal fits in it
        out[b_start:b_end] = b"null" + b" " * (b_end - b_start - 4)
    return bytes(out)


def redact_file(path: Path, targets: set[tuple[str, str]]) -> int:
    """Blank doc and actor of every non-purge entry of ``targets`` in one log file."""
    data = path.read_bytes()
    lines = data.split(b"\n")
    count = 0
    keys = {key.encode("utf-8") for _, key in targets}
    for i, raw in enumerate(lines):
        found = _KEY_RE.search(raw)
        if not raw or (found is not None and found.group(1) not in keys):
            continue  # a year of log lines: most are skipped without parsing
        try:
            entry = json.loads(raw)
        except ValueError:
            continue  # a torn last line: the store cuts it; verify reports anything else
        if (entry.get("kind"), entry.get("key")) not in targets or entry.get("op") == "purge":
            continue
        # Older (unkeyed) entries hash their actor directly: only the document can go.
        parts = ("doc", "actor") if entry.get("v") == 2 else ("doc",)
        new = blank_line(raw, parts)
        if new != raw:
            lines[i] = new
            count += 1
    if count:
        new_data = b"\n".join(lines)
        assert len(new_data) == len(data)
        atomic_write(path, new_data)
    return count
