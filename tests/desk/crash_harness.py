"""Writer processes for the crash tests and bench/crash.py: fork, write, kill -9, check."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import date, timedelta
from pathlib import Path

from desk.service import kind_specs
from desk.store import Store

ACTOR = {"role": "guard", "name": "t", "source": "test"}


def _writer(
    path: Path, fd: int, unit: str, count: int | None, compact_every: int, day: date
) -> None:
    """Child process: write parcels forever (or ``count``), report each acknowledged key."""
    store = Store(path, kind_specs(), compact_every=compact_every)
    i = 0
    while count is None or i < count:
        with store.transaction() as txn:
            key = f"4{day:%y%m%d}{txn.next_seq('parcel', day):04d}"
            doc = {
                "number": key,
                "status": "stored",
                "unit": unit,
                "pickup_code": "",
                "tracking_no": f"{unit}/{i}",
            }
            txn.put("parcel", key, doc, ACTOR)
        os.write(fd, f"{key}\n".encode())  # only after the transaction returned: acknowledged
        i += 1


def fork_writer(
    path: Path,
    unit: str,
    count: int | None = None,
    compact_every: int = 37,
    day: date = date(2026, 11, 23),
) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read_fd)
        try:
            _writer(path, write_fd, unit, count, compact_every, day)
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def read_all(fd: int) -> list[str]:
    chunks = []
    while data := os.read(fd, 65536):
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode().split()


def kill_loop(path: Path, kills: int, seed: int = 1) -> list[str]:
    """Start a writer, let it acknowledge at least one write, SIGKILL it; ``kills`` times.

    Returns every key a writer acknowledged. A new day every 200 kills keeps the daily
    sequence (4 digits) in range however many kills are asked for.
    """
    rng = random.Random(seed)
    acked: list[str] = []
    for n in range(kills):
        day = date(2026, 11, 23) + timedelta(days=n // 200)
        pid, fd = fork_writer(path, "3-2-501", day=day)
        first = b""
        while len(first) < 12:  # wait for one acknowledged key (11 digits + newline)
            data = os.read(fd, 12 - len(first))
            if not data:
                raise RuntimeError("the writer died before acknowledging a write")
            first += data
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acked.extend([first.decode().strip(), *read_all(fd)])
    return acked


def missing_after_reopen(path: Path, acked: list[str]) -> tuple[list[str], list]:
    """Acknowledged keys the store no longer has, and verify()'s problems."""
    store = Store(path, kind_specs())
    try:
        return [k for k in acked if store.get("parcel", k) is None], store.verify()
    finally:
        store.close()
