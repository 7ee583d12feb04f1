"""Find the lock boards on a bus: which addresses answer, with which protocol and speed."""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desk.config_devices import LOCK_SCAN_FILE
from devices.compartments import CompartmentMap
from devices.links import PORT_ERRORS, SerialLink
from devices.lock_protocols import get_protocol
from devices.locks import SerialLockBoards

log = logging.getLogger(__name__)

#: Speeds tried, the factory default of each protocol first.
BAUDS = {"kerong": (19200, 9600), "8a": (9600, 19200)}
PARCEL_LETTERS = "ABCDEFGHJLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class BoardFound:
    """One address that answered a query."""

    protocol: str
    baud: int
    address: int
    answer: str
    """"ok" (a valid answer) or "garbage" (bytes that are not this protocol at this speed)."""


def scan_bus(
    open_link: Callable[[int], SerialLink],
    protocols: Iterable[str] = ("kerong", "8a"),
    bauds: dict[str, tuple[int, ...]] | None = None,
    timeout: float = 0.12,
    addresses: dict[str, Iterable[int]] | None = None,
) -> list[BoardFound]:
    """Query lock 1 of every address of each protocol at each speed; what answered.

    ``open_link(baud)`` opens the bus. 8A boards are asked at addresses 1-32 (the most a bus
    carries per the boards' manuals), Kerong at 0-15 (its DIP switches).
    """
    found: list[BoardFound] = []
    for name in protocols:
        proto = get_protocol(name)
        wanted = (addresses or {}).get(name) or (range(0, 16) if name == "kerong" else range(1, 33))
        for baud in (bauds or BAUDS).get(name, BAUDS.get(name[:2], (9600,))):
            try:
                link = open_link(baud)
            except (*PORT_ERRORS, ValueError) as exc:
                raise OSError(f"cannot open the lock bus: {exc}") from exc
            boards = SerialLockBoards(
                proto, functools.partial(_same, link), CompartmentMap({}), timeout=timeout
            )
            try:
                for address in wanted:
                    answer = boards.probe(address)
                    if answer != "silent":
                        log.info("scan: %s board %d at %d baud: %s", name, address, baud, answer)
                        found.append(BoardFound(name, baud, address, answer))
            finally:
                boards.close()
            if any(f.protocol == name and f.answer == "ok" for f in found):
                break  # this speed works; the other would only find the same boards garbled
    return found


def best_bus(found: list[BoardFound]) -> tuple[str, int, list[int]] | None:
    """(protocol, baud, addresses) of the protocol/speed with the most valid answers."""
    groups: dict[tuple[str, int], list[int]] = {}
    for f in found:
        if f.answer == "ok":
            groups.setdefault((f.protocol, f.baud), []).append(f.address)
    if not groups:
        return None
    (protocol, baud), addrs = max(groups.items(), key=lambda kv: len(kv[1]))
    return protocol, baud, sorted(addrs)


def map_from_scan(
    addresses: list[int], protocol: str, key_boards: Iterable[int] = (), locks: int = 16
) -> dict[str, str]:
    """A compartment map for the boards found: parcel boards in address order are lockers A, B,
    C...; each board in ``key_boards`` is a key-cabinet row "钥匙 R-NN" (R = its place in the
    address order, counted from 1)."""
    keys = set(key_boards)
    proto = get_protocol(protocol)
    locks = min(locks, proto.locks_per_board)
    out: dict[str, str] = {}
    letters = iter(PARCEL_LETTERS)
    for row, address in enumerate(sorted(addresses), start=1):
        if address in keys:
            names = [f"钥匙 {row}-{n:02d}" for n in range(1, locks + 1)]
        else:
            letter = next(letters)
            names = [f"{letter}-{n:02d}" for n in range(1, locks + 1)]
        for n, name in enumerate(names, start=1):
            out[name] = f"{address}:{n}"
    return out


def save_scan(
    data_dir: Path,
    protocol: str,
    baud: int,
    compartments: dict[str, str],
    extra: dict[str, Any] | None = None,
) -> Path:
    """Write the first-run map (read by ``load_settings`` when the config sets no map);
    ``extra``: what confirm-doors adds (sizes, doors not confirmed, who and when)."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_SCAN_FILE
    tmp = path.with_suffix(".tmp")
    doc = {
        "lock_protocol": protocol,
        "lock_baud": baud,
        "compartments": compartments,
        **(extra or {}),
    }
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path


def _same(link: SerialLink) -> SerialLink:
    """The opener the scan hands the driver: always the one link opened for this speed."""
    return link
