"""The hardware side of the desk's checks: slot sensors read, doors opened and read back, reports printed."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from typing import Any

from devices.compartments import CompartmentMap
from devices.manager import Devices

log = logging.getLogger(__name__)


def read_slots(devs: Devices, kind: str) -> dict[str, bool | None]:
    """Item sensor of every ``kind`` ("key" or "parcel") compartment, by its configured name.

    One query a board (Kerong answers all locks at once); None where the board is silent or
    has no item sensors (8A): those items are counted by the guard's eye.
    """
    out: dict[str, bool | None] = {}
    wanted = [c for c in devs.compartments if c.kind == kind]
    for board in sorted({c.board for c in wanted}):
        states = devs.locks.board_states(board)
        for c in wanted:
            if c.board == board:
                st = states.get(c.lock) if states else None
                out[c.name] = st.item if st is not None else None
    return out


def expand_doors(compartments: CompartmentMap, spec: Iterable[str]) -> list[str]:
    """Door names from "A-03", ranges "A-01..A-08" (in wiring order) and the words all/keys/parcels."""
    ordered = sorted(compartments, key=lambda c: (c.board, c.lock))
    names: list[str] = []
    for part in spec:
        part = part.strip()
        if not part:
            continue
        if part in ("all", "keys", "parcels"):
            kinds = {"all": ("key", "parcel"), "keys": ("key",), "parcels": ("parcel",)}[part]
            names += [c.name for c in ordered if c.kind in kinds]
        elif ".." in part:
            lo, hi = (compartments[p] for p in part.split("..", 1))
            a, b = sorted([(lo.board, lo.lock), (hi.board, hi.lock)])
            names += [c.name for c in ordered if a <= (c.board, c.lock) <= b]
        else:
            names.append(compartments[part].name)
    seen: set[str] = set()
    unique = []
    for n in names:
        if n not in seen:
            seen.add(n)
            unique.append(n)
    return unique


def open_and_read_back(devs: Devices, names: Sequence[str]) -> list[dict[str, Any]]:
    """Open each door (confirmed only by the board's read-back), then read its state again."""
    results = []
    for name in names:
        res = devs.locks.open(name)
        st = devs.locks.state(name)
        results.append({
            "item": name,
            "opened": res.confirmed,
            "closed": None if st is None else st.closed,
            "present": None if st is None else st.item,
            "detail": "" if res.confirmed else (res.error or "未确认打开"),
        })  # fmt: skip
    return results


def print_confirmed(
    devs: Devices, desk: Any, kind: str, number: str, payload: bytes, timeout: float = 15.0
) -> tuple[bool, str]:
    """Queue a receipt (kept in the store) and wait for the printer's confirmation.

    Returns (printed, why not): a job the printer did not confirm stays queued and prints
    when the printer is back; it is never reported as printed.
    """
    job = devs.print(kind, number, payload)
    if devs.queue is not None:
        devs.queue.start()
        devs.queue.kick()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = desk.get(job.number)
            if current is not None and current.status == "printed":
                return True, ""
            time.sleep(0.05)
    current = desk.get(job.number)
    if current is not None and current.status == "printed":
        return True, ""
    return False, (getattr(current, "last_error", "") or "打印机未确认") + "；已留在打印队列"
