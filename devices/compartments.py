"""Compartment names people use ("A-07", "钥匙 3-12") mapped to board and lock."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from desk.config_devices import default_compartments

__all__ = [
    "Compartment",
    "CompartmentMap",
    "UnknownCompartmentError",
    "default_compartments",
    "normalise_name",
]

log = logging.getLogger(__name__)

_DIGITS = re.compile(r"\d+")
_SPEC = re.compile(r"^\s*(\d+)\s*[:/]\s*(\d+)\s*$")


def normalise_name(name: str) -> str:
    """Canonical form: full-width to half-width, no spaces, upper case, numbers without zeros.

    "A-07", "a-7", "Ａ－０７" are the same compartment; so are "钥匙 3-12" and "钥匙3-12".
    """
    text = unicodedata.normalize("NFKC", name).upper()
    text = re.sub(r"\s+", "", text).replace("—", "-").replace("_", "-")
    return _DIGITS.sub(lambda m: str(int(m.group(0))), text)


@dataclass(frozen=True)
class Compartment:
    """A door: the name on its label and where it is wired."""

    name: str
    """The label as configured ("A-07")."""
    board: int
    """Board address (protocol numbering)."""
    lock: int
    """Lock on the board, 1-based."""

    @property
    def kind(self) -> str:
        """ "key" for key-cabinet slots (names starting with 钥匙 or K), else "parcel"."""
        return "key" if self.name.startswith(("钥匙", "K")) else "parcel"


class UnknownCompartmentError(KeyError):
    """No compartment has this name."""


class CompartmentMap:
    """Lookup by name (normalised) and by address."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._by_name: dict[str, Compartment] = {}
        self._by_addr: dict[tuple[int, int], Compartment] = {}
        for name, spec in mapping.items():
            m = _SPEC.match(spec)
            if not m:
                raise ValueError(f"compartment {name!r}: {spec!r} is not 'board:lock'")
            c = Compartment(name, int(m.group(1)), int(m.group(2)))
            key = normalise_name(name)
            if key in self._by_name:
                raise ValueError(f"compartment {name!r} configured twice")
            if (c.board, c.lock) in self._by_addr:
                raise ValueError(
                    f"compartments {self._by_addr[c.board, c.lock].name!r} and {name!r} share board {c.board} lock {c.lock}"
                )
            self._by_name[key] = c
            self._by_addr[c.board, c.lock] = c

    def __getitem__(self, name: str) -> Compartment:
        try:
            return self._by_name[normalise_name(name)]
        except KeyError:
            raise UnknownCompartmentError(name) from None

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and normalise_name(name) in self._by_name

    def __iter__(self):
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def at(self, board: int, lock: int) -> Compartment | None:
        """The compartment wired to ``board``/``lock``, if any."""
        return self._by_addr.get((board, lock))

    def boards(self) -> list[int]:
        """Board addresses in use."""
        return sorted({c.board for c in self._by_name.values()})
