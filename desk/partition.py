"""One table file of the store (a kind's day, or a directory kind) and its records' byte ranges.

The table file is a TinyDB JSON document (``{"_meta": ..., "records": {id: doc}}``,
Chinese as UTF-8). Saving it yields the byte range of every document in it; the store
keeps those ranges for all history (an (n, 3) int64 array per kind: record number, start,
length), so one record is read with one ``pread`` and one small ``json.loads`` instead of
parsing the whole day.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from desk.errors import DeskError
from desk.fileio import atomic_write, dumps, private_dir

log = logging.getLogger(__name__)

TABLE = "records"


class _MemoryStorage(Storage):
    """TinyDB storage over a dict that the partition persists itself."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data


class UnreadableTable(DeskError):
    """A table file that does not parse; the store turns it into StoreCorrupt."""


def encode_table(raw: dict[str, Any]) -> tuple[bytes, np.ndarray]:
    """The JSON bytes of a TinyDB document and an (n, 3) array: doc id, start, length."""
    out = io.BytesIO()
    rows = []
    out.write(b'{"_meta":' + dumps(raw.get("_meta", {})).encode("utf-8") + b',"records":{')
    for i, (doc_id, doc) in enumerate(
        sorted(raw.get(TABLE, {}).items(), key=lambda kv: int(kv[0]))
    ):
        out.write(
            b'"' + str(doc_id).encode("ascii") + b'":'
            if i == 0
            else b',"' + str(doc_id).encode("ascii") + b'":'
        )
        body = dumps(doc).encode("utf-8")
        rows.append((int(doc_id), out.tell(), len(body)))
        out.write(body)
    out.write(b"}}")
    offsets = np.array(rows, dtype=np.int64).reshape(-1, 3)
    return out.getvalue(), offsets


def splice_locations(locations: np.ndarray, fresh: list[np.ndarray]) -> np.ndarray:
    """A kind's record locations with the days of ``fresh`` (offsets of re-saved days) replaced."""
    if not fresh:
        return locations
    new = np.concatenate(fresh)
    days = np.unique(new[:, 0] // 10_000)  # kind digit + YYMMDD: the day of a record number
    kept = locations[~np.isin(locations[:, 0] // 10_000, days)]
    merged = np.concatenate([kept, new])
    return merged[np.argsort(merged[:, 0], kind="stable")]


EMPTY_LOCATIONS = np.empty((0, 3), dtype=np.int64)


def read_one(path: str | Path, offsets: np.ndarray, doc_id: int) -> dict[str, Any] | None:
    """One document by its id and its byte range in ``offsets``; None if it has none.

    Raises LookupError when the bytes at the offset are not that document (the file was
    replaced since the offsets were read): the caller reloads.
    """
    row = int(np.searchsorted(offsets[:, 0], doc_id)) if len(offsets) else 0
    if row >= len(offsets) or offsets[row, 0] != doc_id:
        return None
    start, length = int(offsets[row, 1]), int(offsets[row, 2])
    try:
        fd = os.open(path, os.O_RDONLY)  # str or Path
    except FileNotFoundError as exc:
        raise LookupError(f"{path} is gone") from exc
    try:
        data = os.pread(fd, length, start)
    finally:
        os.close(fd)
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise LookupError(f"{path}: offsets do not match the file") from exc
    if not isinstance(doc, dict) or str(doc.get("number", "")).lstrip("0") != str(doc_id):
        raise LookupError(f"{path}: offsets do not match the file")
    return doc


class Partition:
    """One file of records (a kind's day, or a directory kind) as a TinyDB table."""

    def __init__(self, path: Path, raw: dict[str, Any], dated: bool) -> None:
        self.path = path
        self.dated = dated
        meta = raw.get("_meta", {}).get("1", {})
        self.seq: int = meta.get("seq", 0)
        raw.setdefault(TABLE, {})
        self.db = TinyDB(raw, storage=_MemoryStorage)
        self.table = self.db.table(TABLE, cache_size=0)
        self._ids: dict[str, int] = {}
        if not dated:
            for doc_id, doc in raw[TABLE].items():
                self._ids[doc["number"]] = int(doc_id)

    @classmethod
    def load(cls, path: Path, dated: bool) -> Partition:
        if not path.exists():
            return cls(path, {}, dated)
        try:
            raw = json.loads(path.read_bytes())
            if not isinstance(raw, dict):
                raise ValueError("not a TinyDB document")
        except (ValueError, UnicodeDecodeError) as exc:
            raise UnreadableTable(f"unreadable table file ({exc})") from exc
        return cls(path, raw, dated)

    def _doc_id(self, key: str, create: bool) -> int | None:
        if self.dated:
            return int(key)
        doc_id = self._ids.get(key)
        if doc_id is None and create:
            doc_id = max(self._ids.values(), default=0) + 1
            self._ids[key] = doc_id
        return doc_id

    def get(self, key: str) -> dict[str, Any] | None:
        doc_id = self._doc_id(key, create=False)
        if doc_id is None:
            return None
        doc = self.table.get(doc_id=doc_id)
        return dict(doc) if doc is not None else None

    def put(self, key: str, doc: dict[str, Any], seq: int) -> None:
        doc_id = self._doc_id(key, create=True)
        assert doc_id is not None  # create=True always gives one
        self.table.upsert(Document(doc, doc_id=doc_id))
        self.seq = max(self.seq, seq)

    def docs(self) -> list[dict[str, Any]]:
        return [dict(d) for d in self.table.all()]

    def __len__(self) -> int:
        return len(self.table)

    def save(self, schema: int) -> np.ndarray:
        """Write the file (and, for a day, its offsets) so a crash leaves old or new; the offsets."""
        raw = self.db.storage.read() or {}
        raw["_meta"] = {"1": {"seq": self.seq, "schema": schema}}
        private_dir(self.path.parent)
        data, offsets = encode_table(raw)
        atomic_write(self.path, data)
        return offsets
