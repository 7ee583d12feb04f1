"""Benchmark of the monthly report over a year of history (~150k records), against a plain scan.

Usage: .venv/bin/python bench/report.py [--per-day 410] [--month 2026-11]

Builds a year of records of every kind (work orders with their status history, complaints,
follow-ups, parcels, visits, key loans, calls, print jobs) straight into a store, then, in a
fresh process (cold: day files read from disk), times
  baseline: a plain scan of the records the report reads (every record of the month and of
            the look-back/look-ahead windows, as documents, counted);
  figures:  the month's figures (desk.reports.figures.month_figures);
  report:   figures + the A4 PDF + the CSV files (what `reception report` does, matplotlib's
            import included).
and prints the wall and CPU time and peak memory of each, with the ratios to the baseline (the
CPU time is steadier than the wall time on a machine shared with other work).
Targets: the report in <= 5 s and <= 200 MB (process peak RSS).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desk.record_types import (  # noqa: E402
    COMPLAINT_CATEGORIES,
    REPAIR_CATEGORIES,
    Call,
    Complaint,
    FollowUp,
    KeyLoan,
    Parcel,
    PrintJob,
    Visit,
    WorkOrder,
)
from desk.records import Actor, Kind, Role, StatusChange, make_number  # noqa: E402
from desk.service import kind_specs  # noqa: E402
from desk.store import Store  # noqa: E402

STAFF = Actor(Role.STAFF, "bench", "desk")
ACTOR = STAFF.to_doc()
LEVELS = ("非常满意", "满意", "不太满意", "很不满意")
WEIGHTS = (55, 40, 4, 1)
"""A desk near its 90 % target (S1); about 3 % of completed work goes without a follow-up."""


class Day:
    """Numbers records of one day by kind, as the desk does."""

    def __init__(self, day: date) -> None:
        self.day = day
        self.seq: dict[Kind, int] = {}

    def number(self, kind: Kind) -> str:
        self.seq[kind] = self.seq.get(kind, 0) + 1
        return make_number(kind, self.day, self.seq[kind])


def _level(rng: random.Random) -> str:
    return rng.choices(LEVELS, WEIGHTS)[0]


def _h(at: datetime, status: str) -> StatusChange:
    return StatusChange(at, status, STAFF)


def day_records(rng: random.Random, day: date, per_day: int) -> list[object]:
    """About ``per_day`` records of one day, in the mix of a busy compound."""
    d = Day(day)
    out: list[object] = []
    base = datetime.combine(day, datetime.min.time())
    share = per_day / 410

    def t() -> datetime:
        return base + timedelta(minutes=rng.randrange(7 * 60, 21 * 60))

    def unit() -> str:
        return f"{rng.randint(1, 10)}-{rng.randint(1, 2)}-{rng.randint(1, 36)}0{rng.randint(1, 2)}"

    for _ in range(round(12 * share)):
        at = base + timedelta(minutes=rng.randrange(7 * 60, 17 * 60))
        urgent = rng.random() < 0.2
        done = at + timedelta(hours=rng.randint(1, 3))
        hist = (_h(at, "received"), _h(at + timedelta(minutes=20), "dispatched"),
                _h(at + timedelta(minutes=25), "accepted"), _h(at + timedelta(hours=1), "on_site"),
                _h(done, "done"), _h(done + timedelta(hours=2), "closed"))  # fmt: skip
        number = d.number(Kind.WORK_ORDER)
        out.append(WorkOrder(number=number, created_at=at, status="closed", history=hist,
                             location=unit(), category=rng.choice(list(REPAIR_CATEGORIES)),
                             description="水龙头漏水", contact_name="张三", contact_phone="13812345678",
                             urgent=urgent, dispatch_by=at + timedelta(hours=0 if urgent else 2),
                             on_site_by=at + timedelta(minutes=30) if urgent else None,
                             follow_up_by=done + timedelta(days=3), assignee=rng.choice(("老陈", "小王")),
                             satisfaction="满意"))  # fmt: skip
        if rng.random() < 0.97:
            out.append(FollowUp(number=d.number(Kind.FOLLOW_UP), created_at=done + timedelta(hours=2),
                                status="done", target=number, satisfaction=_level(rng), by="bench"))  # fmt: skip
    for _ in range(round(4 * share)):
        at = t()
        hist = (_h(at, "received"), _h(at + timedelta(hours=1), "replied"),
                _h(at + timedelta(hours=5), "resolved"), _h(at + timedelta(days=1), "closed"))  # fmt: skip
        number = d.number(Kind.COMPLAINT)
        if rng.random() < 0.97:
            out.append(FollowUp(number=d.number(Kind.FOLLOW_UP), created_at=at + timedelta(hours=6),
                                status="done", target=number, satisfaction=_level(rng), by="bench"))  # fmt: skip
        out.append(Complaint(number=number, created_at=at, status="closed",
                             history=hist, name="李四", unit=unit(), content="楼道脏",
                             category=rng.choice(list(COMPLAINT_CATEGORIES)), validity="valid",
                             reply_by=at + timedelta(hours=2), resolve_by=at + timedelta(days=1),
                             follow_up_by=at + timedelta(days=3), satisfaction="满意"))  # fmt: skip
    for _ in range(round(150 * share)):
        at = t()
        got = at + timedelta(hours=rng.randint(1, 100))
        out.append(Parcel(number=d.number(Kind.PARCEL), created_at=at, status="collected",
                          history=(_h(at, "stored"), _h(got, "collected")), recipient_name="王五",
                          unit=unit(), phone="13712345678", courier="顺丰速运",
                          tracking_no=f"SF{rng.randrange(10**12)}", compartment="A-01",
                          collected_at=got, collected_by="本人"))  # fmt: skip
    for _ in range(round(120 * share)):
        at = t()
        out.append(Visit(number=d.number(Kind.VISIT), created_at=at, status="checked_out",
                         history=(_h(at, "waiting_host"), _h(at, "admitted"), _h(at, "checked_out")),
                         host_unit=unit(), visitor_name="赵六", id_type="passport", id_number="E12345678",
                         time_in=at, time_out=at + timedelta(hours=1)))  # fmt: skip
    for _ in range(round(80 * share)):
        at = base + timedelta(minutes=rng.randrange(24 * 60))
        out.append(Call(number=d.number(Kind.CALL), created_at=at,
                        status=rng.choice(("answered",) * 8 + ("abandoned", "missed")),
                        caller="13612345678", purpose="repair", outcome="answered"))  # fmt: skip
    for _ in range(round(2 * share)):
        at = t()
        out.append(KeyLoan(number=d.number(Kind.KEY_LOAN), created_at=at, status="returned",
                           key_id="K001", borrower_name="老陈", borrower_is_staff=True,
                           due_back=at + timedelta(hours=4), returned_at=at + timedelta(hours=3)))  # fmt: skip
    for _ in range(round(28 * share)):
        at = t()
        out.append(PrintJob(number=d.number(Kind.PRINT_JOB), created_at=at, status="printed",
                            receipt="parcel_slip", record="", payload="G0A="))  # fmt: skip
    return out


def build(path: Path, per_day: int, month: str) -> int:
    """A year of history ending with ``month``, written a day per transaction."""
    end = datetime.strptime(month, "%Y-%m").date().replace(day=28) + timedelta(days=4)
    end = end.replace(day=1)
    rng = random.Random(15)
    store = Store(path, kind_specs())
    n = 0
    day = end - timedelta(days=365)
    while day < end:
        records = day_records(rng, day, per_day)
        with store.transaction() as txn:
            for r in records:
                txn.put(str(r.kind), r.number, r.to_doc(), ACTOR)  # type: ignore[attr-defined]
        n += len(records)
        day += timedelta(days=1)
    store.close()
    return n


PROBE = """
import sys, time, tempfile
from datetime import datetime, timedelta
from pathlib import Path
sys.path.insert(0, sys.argv[3])
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
from desk.config import load_settings
from desk.service import kind_specs
from desk.store import Store
from desk.reports import figures as F
from desk.reports.measures import month_bounds
mode, path, month = sys.argv[1], sys.argv[2], sys.argv[4]
settings = load_settings(data_dir=Path(path))
first, end = month_bounds(month)
now = end + timedelta(days=5)
before = peak()  # matplotlib is imported inside the timing: `reception report` pays for it too
t0 = time.perf_counter()
c0 = time.process_time()
store = Store(Path(path), kind_specs())
if mode == "baseline":
    n = 0
    windows = {"follow_up": (first, now), "call": (first, now),
               "work_order": (first - F.LOOKBACK, end), "complaint": (first - F.LOOKBACK, end)}
    for kind in ("work_order", "complaint", "follow_up", "parcel", "visit", "key_loan", "call"):
        lo, hi = windows.get(kind, (first, end))
        n += sum(1 for _ in store.iter_days(kind, lo.date(), hi.date()))
elif mode == "figures":
    fig = F.month_figures(store, settings, month, now)
    n = fig.orders
else:
    from desk.reports.monthly import write_month_report
    with tempfile.TemporaryDirectory() as out:
        rep = write_month_report(store, settings, month, Path(out), now)
        n = rep.figures.orders
seconds = time.perf_counter() - t0
print(f"{seconds:.3f} {peak()} {before} {n} {time.process_time() - c0:.3f}")
"""


def probe(mode: str, path: Path, month: str) -> tuple[float, int, int, int, float]:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", PROBE, mode, str(path), str(root), month],
                         capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
    return float(out[0]), int(out[1]), int(out[2]), int(out[3]), float(out[4])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-day", type=int, default=410)
    parser.add_argument("--month", default="2026-11")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build the history here once and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        path = args.keep or Path(tmp) / "store"
        t0 = time.perf_counter()
        if args.keep and (path / "manifest.json").exists():
            store = Store(path, kind_specs())
            n = sum(len(store.days(k)) for k in ("parcel",)) and store.stats()["seq"]
            store.close()
        else:
            n = build(path, args.per_day, args.month)
        print(f"history: {n} records over a year, ready in {time.perf_counter() - t0:.0f} s")
        results = {}
        for mode in ("baseline", "figures", "report"):
            runs = [probe(mode, path, args.month) for _ in range(args.runs)]
            best = min(runs)
            results[mode] = best
            print(f"{mode:<9} {best[0]:6.3f} s (best of {args.runs}; CPU {best[4]:.3f} s)  peak RSS {best[1]} MB "
                  f"(before the work {best[2]} MB)  [{best[3]}]")  # fmt: skip
        base, fig, rep = results["baseline"], results["figures"], results["report"]
        print(f"ratio figures/baseline scan: {fig[0] / base[0]:.2f}x; "
              f"report (figures + PDF + CSV)/baseline: {rep[0] / base[0]:.2f}x")  # fmt: skip
        ok = rep[0] <= 5 and rep[1] <= 200
        print(f"report over {n} records: {rep[0]:.2f} s (target <= 5 s), peak {rep[1]} MB "
              f"(target <= 200 MB): {'OK' if ok else 'OVER TARGET'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
