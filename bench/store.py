"""Benchmark of the desk store against plain TinyDB and SQLite (WAL, synchronous=FULL), same run.

Usage: .venv/bin/python bench/store.py [--sizes 10000,100000,150000] [--tinydb-sizes 1000,3000]

Prints p50/p99 write and key-lookup latency per size and the ratios against SQLite;
then the resident memory of a process that opens the largest store and serves lookups.
Records are spread over days as a busy compound makes them (~370 a day, 1,440 households);
finding by unit or phone returns all of that household's parcels in the history.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinydb import Query, TinyDB  # noqa: E402

from desk.service import kind_specs  # noqa: E402
from desk.store import Store  # noqa: E402

ACTOR = {"role": "guard", "name": "bench", "source": "bench"}
PER_DAY = 370
START = date(2025, 11, 1)


UNITS = [
    f"{b}-{u}-{f}0{r}" for b in range(1, 11) for u in (1, 2) for f in range(1, 37) for r in (1, 2)
]
"""1,440 households: 10 buildings x 2 units x 36 floors x 2 rooms."""


def make_doc(i: int) -> tuple[str, dict]:
    day = START + timedelta(days=i // PER_DAY)
    key = f"4{day:%y%m%d}{i % PER_DAY + 1:04d}"
    household = (i * 7919) % len(UNITS)
    return key, {
        "number": key, "created_at": f"{day}T10:00:00", "status": "collected" if i % 50 else "stored",
        "history": [{"at": f"{day}T10:00:00", "status": "stored", "actor": ACTOR, "note": "签收入库"}],
        "recipient_name": "张三", "unit": UNITS[household], "phone": f"1380000{household:04d}",
        "courier": "顺丰速运", "tracking_no": f"SF{i:010d}", "registered_mail": False, "condition": "完好",
        "received_by": "guard", "compartment": f"A-{i % 40:02d}", "pickup_code": f"{i % 1000000:06d}",
    }  # fmt: skip


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def timed(calls: Iterable[Callable[[], object]]) -> list[float]:
    """Seconds taken by each call."""
    out = []
    for call in calls:
        t0 = time.perf_counter()
        call()
        out.append(time.perf_counter() - t0)
    return out


def summary(writes: list[float], lookups: list[float], **extra: list[float]) -> dict[str, float]:
    result = {"w50": pct(writes, 0.5), "w99": pct(writes, 0.99),
              "l50": pct(lookups, 0.5), "l99": pct(lookups, 0.99)}  # fmt: skip
    result.update({name: pct(values, 0.99) for name, values in extra.items()})
    return result


def store_put(store: Store, key: str, doc: dict) -> None:
    with store.transaction() as txn:
        txn.put("parcel", key, doc, ACTOR)


def bench_store(path: Path, n: int) -> dict[str, float]:
    store = Store(path, kind_specs())
    docs = [make_doc(i) for i in range(n)]
    writes = timed(partial(store_put, store, key, doc) for key, doc in docs)
    store.close()
    store = Store(path, kind_specs())  # cold: a fresh process reads the history from disk
    rng = random.Random(1)
    sample = rng.sample(docs, min(2000, n))
    lookups = timed(partial(store.get, "parcel", key) for key, _ in sample)
    units = timed(partial(store.find, "parcel", "unit", doc["unit"]) for _, doc in sample[:200])
    phones = timed(partial(store.find, "parcel", "phone", doc["phone"]) for _, doc in sample[:200])
    codes = timed(
        partial(store.by_code, "parcel", "pickup_code", doc["pickup_code"])
        for _, doc in sample[:200]
    )
    store.close()
    return summary(writes, lookups, unit=units, phone=phones, code=codes)


def bench_sqlite(path: Path, n: int) -> dict[str, float]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE parcel (number TEXT PRIMARY KEY, unit TEXT, code TEXT, doc TEXT)")
    db.execute("CREATE INDEX parcel_unit ON parcel(unit)")
    docs = [make_doc(i) for i in range(n)]
    insert = "INSERT OR REPLACE INTO parcel VALUES (?,?,?,?)"
    writes = timed(partial(db.execute, insert, (key, doc["unit"], doc["pickup_code"],
                                                json.dumps(doc, ensure_ascii=False))) for key, doc in docs)  # fmt: skip

    def get(key: str) -> dict:
        return json.loads(db.execute("SELECT doc FROM parcel WHERE number=?", (key,)).fetchone()[0])

    sample = random.Random(1).sample(docs, min(2000, n))
    lookups = timed(partial(get, key) for key, _ in sample)
    db.close()
    return summary(writes, lookups)


def bench_tinydb(path: Path, n: int) -> dict[str, float]:
    table = TinyDB(path).table("parcel")
    docs = [make_doc(i) for i in range(n)]
    writes = timed(partial(table.insert, doc) for _, doc in docs)
    q = Query()
    sample = random.Random(1).sample(docs, min(200, n))
    lookups = timed(partial(table.get, q.number == key) for key, _ in sample)
    return summary(writes, lookups)


MEMORY_PROBE = """
import sys, random
from datetime import date
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
sys.path.insert(0, sys.argv[2])
from desk.service import kind_specs
from desk.store import Store
import gc; gc.collect()
base = rss()
s = Store(sys.argv[1], kind_specs())
days = s.days("parcel")
rng = random.Random(2)
for _ in range(3000):
    day = rng.choice(days)
    s.get("parcel", "4" + day[2:4] + day[5:7] + day[8:10] + "0001")
for i in range(100):
    s.find("parcel", "phone", f"1380000{rng.randrange(1440):04d}")
for day in days[-40:]:  # a month's statistics fill the day cache to its limit
    sum(1 for _ in s.iter_days("parcel", date.fromisoformat(day), date.fromisoformat(day)))
print(base, rss())
s.close()
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000,150000")
    parser.add_argument("--tinydb-sizes", default="1000,3000")
    args = parser.parse_args()
    root = Path(__file__).resolve().parents[1]
    print(
        "store benchmark (ms); ratios are against SQLite WAL synchronous=FULL measured in this run"
    )
    print(
        f"{'size':>7} {'engine':<14} {'write p50':>9} {'write p99':>9} {'get p50':>8} {'get p99':>8}"
    )
    last_path = None
    first: dict[str, float] | None = None
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        for n in (int(x) for x in args.tinydb_sizes.split(",") if x):
            r = bench_tinydb(Path(tmp) / f"tiny{n}.json", n)
            print(
                f"{n:>7} {'plain TinyDB':<14} {r['w50']:9.3f} {r['w99']:9.3f} {r['l50']:8.3f} {r['l99']:8.3f}"
            )
        for n in (int(x) for x in args.sizes.split(",")):
            sq = bench_sqlite(Path(tmp) / f"sq{n}.db", n)
            path = Path(tmp) / f"store{n}"
            st = bench_store(path, n)
            last_path = path
            print(
                f"{n:>7} {'sqlite FULL':<14} {sq['w50']:9.3f} {sq['w99']:9.3f} {sq['l50']:8.3f} {sq['l99']:8.3f}"
            )
            print(f"{n:>7} {'desk store':<14} {st['w50']:9.3f} {st['w99']:9.3f} {st['l50']:8.3f} {st['l99']:8.3f}"
                  f"   p99 by unit {st['unit']:.2f}, by phone {st['phone']:.3f}, "
                  f"by pickup code {st['code']:.3f}")  # fmt: skip
            print(f"{'':>7} ratio store/sqlite: write p99 {st['w99'] / sq['w99']:.2f}x (target <= 2x), "
                  f"get p99 {st['l99'] / sq['l99']:.2f}x")  # fmt: skip
            first = first or st
            print(f"{'':>7} get against the smallest size ({args.sizes.split(',')[0]}): "
                  f"p50 {st['l50'] / first['l50']:.2f}x, p99 {st['l99'] / first['l99']:.2f}x (target: independent of history)")  # fmt: skip
        out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(last_path), str(root)],
                             capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
        base_kb, peak_kb = int(out[0]), int(out[1])
        print(f"memory: store of {args.sizes.split(',')[-1]} records open, 3000 gets, 100 finds, 40 days iterated: "
              f"{(peak_kb - base_kb) / 1024:.1f} MB for the store (process RSS {peak_kb / 1024:.1f} MB with Python and the libraries; target <= 100 MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
