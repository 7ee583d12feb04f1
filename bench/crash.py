"""Crash benchmark (issue 2): 1,000 writer processes killed with SIGKILL at random moments.

Usage: .venv/bin/python bench/crash.py [--kills 1000]

Each writer appends parcels through the store until it is killed; every key it
acknowledged must be there when the store is opened again, and the audit chain must verify.
Prints the kills, the acknowledged writes, how many were lost (must be 0) and the time.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "desk")]

from crash_harness import kill_loop, missing_after_reopen  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=1000)
    args = parser.parse_args()
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
    return 1 if missing or problems else 0


if __name__ == "__main__":
    sys.exit(main())
