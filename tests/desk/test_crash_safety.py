"""Every acknowledged write survives kill -9; two writer processes lose and duplicate nothing."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from crash_harness import fork_writer, kill_loop, missing_after_reopen, read_all  # noqa: E402

from desk.service import kind_specs  # noqa: E402
from desk.store import Store  # noqa: E402

KILLS = int(os.environ.get("CRASH_KILLS", "200"))


@pytest.mark.slow
def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    acked = kill_loop(tmp_path, KILLS)
    missing, problems = missing_after_reopen(tmp_path, acked)
    assert not missing, f"{len(missing)} acknowledged writes lost"
    assert problems == []
    assert len(acked) >= KILLS  # every writer had acknowledged at least one write


@pytest.mark.slow
def test_two_writer_processes_lose_and_duplicate_nothing(tmp_path: Path) -> None:
    Store(tmp_path, kind_specs()).close()
    writers = [
        fork_writer(tmp_path, unit, count=250, compact_every=100) for unit in ("1-1-101", "2-1-101")
    ]
    acked = []
    for pid, fd in writers:
        acked.extend(read_all(fd))
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
