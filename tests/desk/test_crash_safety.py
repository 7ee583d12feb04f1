"""Every acknowledged write survives kill -9; two writer processes lose and duplicate nothing."""

from __future__ import annotations

import os
import random
import signal
import time
from datetime import date
from pathlib import Path

import pytest

from desk.service import kind_specs
from desk.store import Store

ACTOR = {"role": "guard", "name": "t", "source": "test"}
KILLS = int(os.environ.get("CRASH_KILLS", "200"))


def _writer(path: Path, fd: int, unit: str, count: int | None, compact_every: int) -> None:
    """Child process: write parcels forever (or ``count``), report each acknowledged key."""
    store = Store(path, kind_specs(), compact_every=compact_every)
    day = date(2026, 11, 23)
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


def _fork_writer(
    path: Path, unit: str, count: int | None = None, compact_every: int = 37
) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read_fd)
        try:
            _writer(path, write_fd, unit, count, compact_every)
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def _read_all(fd: int) -> list[str]:
    chunks = []
    while data := os.read(fd, 65536):
        chunks.append(data)
    os.close(fd)
    return b"".join(chunks).decode().split()


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    rng = random.Random(1)
    acked: list[str] = []
    for _ in range(KILLS):
        pid, fd = _fork_writer(tmp_path, "3-2-501")
        first = b""
        while len(first) < 12:  # wait for one acknowledged key (11 digits + newline)
            data = os.read(fd, 12 - len(first))
            assert data, "the writer died before acknowledging a write (store failed to open?)"
            first += data
        time.sleep(rng.uniform(0.0, 0.03))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        acked.extend([first.decode().strip(), *_read_all(fd)])
    store = Store(tmp_path, kind_specs())
    missing = [k for k in acked if store.get("parcel", k) is None]
    assert not missing, f"{len(missing)} acknowledged writes lost"
    assert store.verify() == []
    assert len(acked) >= KILLS  # every writer had acknowledged at least one write


@pytest.mark.slow
def test_two_writer_processes_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    Store(tmp_path, kind_specs()).close()
    writers = [
        _fork_writer(tmp_path, unit, count=250, compact_every=100)
        for unit in ("1-1-101", "2-1-101")
    ]
    acked = []
    for pid, fd in writers:
        acked.extend(_read_all(fd))
        _, status = os.waitpid(pid, 0)
        assert status == 0
    assert len(acked) == 500 and len(set(acked)) == 500
    store = Store(tmp_path, kind_specs())
    docs = [store.get("parcel", k) for k in acked]
    assert all(docs)
    assert {d["tracking_no"] for d in docs} == {
        f"{u}/{i}" for u in ("1-1-101", "2-1-101") for i in range(250)
    }
    assert len(store.find("parcel", "unit", "1-1-101")) == 250
    assert store.verify() == []
