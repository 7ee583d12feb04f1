"""A compact field index over all history: value hashes → record numbers, in sorted arrays.

Every dated record (a year is ~150k) is indexed by a few fields (unit, phone, tracking
number, ...). Python dicts of strings cost ~150 bytes per entry; here an entry is two
int64s (16 bytes): the 64-bit BLAKE2 hash of the value and the record number as an int.
Lookups bisect the sorted hashes; entries added since the last merge sit in a small dict.
A hash can collide and an entry can be stale (the record's field changed since), so
callers check the documents they get back against the value (``Store.find`` does).
"""

from __future__ import annotations

import hashlib
import io
import logging

import numpy as np

log = logging.getLogger(__name__)


def value_hash(value: str) -> int:
    """Stable signed 64-bit hash of an indexed value (same in every process and run)."""
    digest = hashlib.blake2b(value.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class Postings:
    """Record numbers by field value for one (kind, field); numbers are ints."""

    def __init__(self, hashes: np.ndarray | None = None, keys: np.ndarray | None = None) -> None:
        self._hashes = hashes if hashes is not None else np.empty(0, dtype=np.int64)
        self._keys = keys if keys is not None else np.empty(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = {}

    def add(self, value: str, key: int) -> None:
        self._recent.setdefault(value_hash(value), []).append(key)

    def lookup(self, value: str) -> list[int]:
        """Candidate record numbers for ``value``, ascending (may include stale ones)."""
        h = value_hash(value)
        lo = int(np.searchsorted(self._hashes, h, "left"))
        hi = int(np.searchsorted(self._hashes, h, "right"))
        found = set(self._keys[lo:hi].tolist())
        found.update(self._recent.get(h, ()))
        return sorted(found)

    def merge(self) -> None:
        """Fold the recent entries into the sorted arrays (at compaction)."""
        if not self._recent:
            return
        pairs = [(h, k) for h, keys in self._recent.items() for k in keys]
        hashes = np.concatenate([self._hashes, np.fromiter((p[0] for p in pairs), np.int64)])
        keys = np.concatenate([self._keys, np.fromiter((p[1] for p in pairs), np.int64)])
        order = np.lexsort((keys, hashes))
        hashes, keys = hashes[order], keys[order]
        if len(hashes) > 1:  # the same (value, record) added twice is kept once
            keep = np.ones(len(hashes), dtype=bool)
            keep[1:] = (hashes[1:] != hashes[:-1]) | (keys[1:] != keys[:-1])
            hashes, keys = hashes[keep], keys[keep]
        self._hashes, self._keys = hashes, keys
        self._recent.clear()

    def discard(self, keys: set[int]) -> None:
        """Forget every entry of these records (a purge must not leave their values' hashes)."""
        self.merge()
        keep = ~np.isin(self._keys, np.fromiter(keys, np.int64, len(keys)))
        self._hashes, self._keys = self._hashes[keep], self._keys[keep]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        self.merge()
        return self._hashes, self._keys


def save_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    """Named int64 arrays as one ``.npz`` image (no pickles)."""
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds as bool
    return buf.getvalue()


def load_arrays(data: bytes) -> dict[str, np.ndarray]:
    """Arrays from ``save_arrays`` bytes; ValueError if they are not that."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, KeyError, EOFError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    if any(a.dtype != np.int64 for a in arrays.values()):
        raise ValueError("index arrays must be int64")
    return arrays


def postings_to_arrays(postings: dict[str, Postings]) -> dict[str, np.ndarray]:
    arrays = {}
    for name, p in postings.items():
        arrays[f"{name}|h"], arrays[f"{name}|k"] = p.arrays()
    return arrays


def postings_from_arrays(arrays: dict[str, np.ndarray]) -> dict[str, Postings]:
    """The postings among ``arrays`` (names ``<kind>|<field>|h`` and ``|k``)."""
    out = {}
    for name in arrays:
        if name.endswith("|h"):
            base = name[:-2]
            hashes, keys = arrays[name], arrays.get(f"{base}|k")
            if keys is None or keys.shape != hashes.shape:
                raise ValueError(f"bad postings arrays for {base}")
            out[base] = Postings(hashes, keys)
    return out
