"""Crash benchmark (issues 2, 10): writers, purges, snapshots and restores killed with
SIGKILL at random moments, torn writes at every byte, and a full disk.

Usage: .venv/bin/python bench/crash.py [--kills 1000] [--rounds 60]   (as root: the
disk-full run mounts a 2 MB tmpfs; without root it fails, it is not skipped)

1. 1,000 writer processes append parcels until killed; every key acknowledged must be there.
2. ``--rounds`` rounds of: a writer of visits, parcels and key loans/returns (two-entry
   transactions) killed, then a purge, a snapshot and a restore, each killed at random.
3. The log truncated at every byte of a key loan and of a six-row owner import.
4. Key loans and parcels written until a 2 MB tmpfs is full.
After each: the store must open, nothing acknowledged lost, no transaction half applied,
the audit chain intact. Prints kills, acknowledged writes, lost, half applied, unopenable.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "desk"), str(ROOT / "bench")]

from crash_faults import print_tally, run_all  # noqa: E402
from crash_harness import kill_loop, missing_after_reopen  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=60, help="fault rounds (4 kills each)")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the store's expected "dropping N bytes" notes
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        t0 = time.perf_counter()
        acked = kill_loop(Path(tmp), args.kills)
        killed = time.perf_counter() - t0
        t1 = time.perf_counter()
        missing, problems = missing_after_reopen(Path(tmp), acked)
        reopen = time.perf_counter() - t1
    print(f"kills: {args.kills}, acknowledged writes: {len(acked)}, lost: {len(missing)}, "
          f"audit problems: {len(problems)}")  # fmt: skip
    print(f"time: {killed:.1f} s for the kills ({killed / args.kills * 1000:.0f} ms each), "
          f"{reopen:.2f} s to reopen and check every acknowledged key")  # fmt: skip
    bad = bool(missing or problems)
    t2 = time.perf_counter()
    for name, t in run_all(args.rounds).items():
        bad = not print_tally(name, t) or bad
    print(f"time: {time.perf_counter() - t2:.1f} s for the fault scenarios")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
