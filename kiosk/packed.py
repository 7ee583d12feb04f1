"""Compact read-only string lists and string -> list maps (the pinyin index's storage)."""

from __future__ import annotations

import bisect
import logging
from array import array
from collections.abc import Iterable, Sequence

log = logging.getLogger(__name__)


class Strings(Sequence[str]):
    """A read-only list of strings held as one string and an offsets array (bisect works on it)."""

    def __init__(self, blob: str, offsets: array) -> None:
        self.blob = blob
        self.offsets = offsets

    @classmethod
    def of(cls, items: Iterable[str]) -> Strings:
        offsets = array("I", [0])
        parts = []
        pos = 0
        for text in items:
            parts.append(text)
            pos += len(text)
            offsets.append(pos)
        return cls("".join(parts), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str:  # type: ignore[override] - ints only
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        return self.blob[self.offsets[i] : self.offsets[i + 1]]

    def state(self) -> tuple[str, bytes]:
        return self.blob, self.offsets.tobytes()

    @classmethod
    def from_state(cls, state: tuple[str, bytes]) -> Strings:
        blob, raw = state
        offsets = array("I")
        offsets.frombytes(raw)
        return cls(blob, offsets)


class Packed:
    """A read-only ``str -> list[str]`` map in four objects instead of ~500k small ones.

    The sorted keys and the values (each value's words joined by SEP) are two ``Strings``:
    about a third of the memory of a dict of lists, and pickled/loaded as fast.
    """

    SEP = "\x1f"

    def __init__(self, keys: Strings, values: Strings) -> None:
        self.keys = keys
        self.values = values

    @classmethod
    def pack(cls, mapping: dict[str, list[str]]) -> Packed:
        keys = sorted(mapping)
        return cls(Strings.of(keys), Strings.of(cls.SEP.join(mapping[k]) for k in keys))

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: str) -> bool:
        return self.find(key) >= 0

    def find(self, key: str) -> int:
        i = bisect.bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else -1

    def at(self, i: int) -> list[str]:
        text = self.values[i]
        return text.split(self.SEP) if text else []

    def get(self, key: str, default: list[str] | None = None) -> list[str]:
        i = self.find(key)
        return self.at(i) if i >= 0 else ([] if default is None else default)

    def __getitem__(self, key: str) -> list[str]:
        i = self.find(key)
        if i < 0:
            raise KeyError(key)
        return self.at(i)

    def state(self) -> tuple[tuple[str, bytes], tuple[str, bytes]]:
        return self.keys.state(), self.values.state()

    @classmethod
    def from_state(cls, state: tuple[tuple[str, bytes], tuple[str, bytes]]) -> Packed:
        keys, values = state
        return cls(Strings.from_state(keys), Strings.from_state(values))
