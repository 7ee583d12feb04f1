"""Benchmark of the desk store against plain TinyDB and SQLite (WAL, synchronous=FULL), same run.

Usage: .venv/bin/python bench/store.py [--sizes 10000,100000] [--tinydb-sizes 1000,3000]

Prints p50/p99 write and key-lookup latency per size and the ratios against SQLite;
then the resident memory of a process that opens the largest store and serves lookups.
Records are spread over days as a busy compound makes them (~370 a day).
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
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tinydb import Query, TinyDB  # noqa: E402

from desk.service import kind_specs  # noqa: E402
from desk.store import Store  # noqa: E402

ACTOR = {"role": "guard", "name": "bench", "source": "bench"}
PER_DAY = 370
START = date(2025, 11, 1)


def make_doc(i: int) -> tuple[str, dict]:
    day = START + timedelta(days=i // PER_DAY)
    key = f"4{day:%y%m%d}{i % PER_DAY + 1:04d}"
    unit = f"{i % 3 + 1}-{i % 2 + 1}-{i % 6 + 1}0{i % 2 + 1}"
    return key, {
        "number": key, "created_at": f"{day}T10:00:00", "status": "collected" if i % 50 else "stored",
        "history": [{"at": f"{day}T10:00:00", "status": "stored", "actor": ACTOR, "note": "签收入库"}],
        "recipient_name": "张三", "unit": unit, "phone": f"138{i % 100000000:08d}", "courier": "顺丰速运",
        "tracking_no": f"SF{i:010d}", "registered_mail": False, "condition": "完好", "received_by": "guard",
        "compartment": f"A-{i % 40:02d}", "pickup_code": f"{i % 1000000:06d}",
    }  # fmt: skip


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))] * 1000


def bench_store(path: Path, n: int) -> dict[str, float]:
    store = Store(path, kind_specs())
    writes = []
    keys = []
    for i in range(n):
        key, doc = make_doc(i)
        t0 = time.perf_counter()
        with store.transaction() as txn:
            txn.put("parcel", key, doc, ACTOR)
        writes.append(time.perf_counter() - t0)
        keys.append(key)
    store.close()
    store = Store(path, kind_specs())
    rng = random.Random(1)
    lookups = []
    for key in rng.sample(keys, min(2000, n)):
        t0 = time.perf_counter()
        assert store.get("parcel", key) is not None
        lookups.append(time.perf_counter() - t0)
    unit_lookups = []
    for _ in range(200):
        t0 = time.perf_counter()
        store.by_code("parcel", "pickup_code", f"{rng.randrange(n) % 1000000:06d}")
        unit_lookups.append(time.perf_counter() - t0)
    store.close()
    return {"w50": pct(writes, 0.5), "w99": pct(writes, 0.99), "l50": pct(lookups, 0.5), "l99": pct(lookups, 0.99),
            "c99": pct(unit_lookups, 0.99)}  # fmt: skip


def bench_sqlite(path: Path, n: int) -> dict[str, float]:
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE parcel (number TEXT PRIMARY KEY, unit TEXT, code TEXT, doc TEXT)")
    db.execute("CREATE INDEX parcel_unit ON parcel(unit)")
    writes, keys = [], []
    for i in range(n):
        key, doc = make_doc(i)
        t0 = time.perf_counter()
        db.execute("INSERT OR REPLACE INTO parcel VALUES (?,?,?,?)",
                   (key, doc["unit"], doc["pickup_code"], json.dumps(doc, ensure_ascii=False)))  # fmt: skip
        writes.append(time.perf_counter() - t0)
        keys.append(key)
    rng = random.Random(1)
    lookups = []
    for key in rng.sample(keys, min(2000, n)):
        t0 = time.perf_counter()
        json.loads(db.execute("SELECT doc FROM parcel WHERE number=?", (key,)).fetchone()[0])
        lookups.append(time.perf_counter() - t0)
    db.close()
    return {
        "w50": pct(writes, 0.5),
        "w99": pct(writes, 0.99),
        "l50": pct(lookups, 0.5),
        "l99": pct(lookups, 0.99),
    }


def bench_tinydb(path: Path, n: int) -> dict[str, float]:
    db = TinyDB(path)
    table = db.table("parcel")
    writes, keys = [], []
    for i in range(n):
        key, doc = make_doc(i)
        t0 = time.perf_counter()
        table.insert(doc)
        writes.append(time.perf_counter() - t0)
        keys.append(key)
    rng = random.Random(1)
    lookups = []
    q = Query()
    for key in rng.sample(keys, min(200, n)):
        t0 = time.perf_counter()
        table.get(q.number == key)
        lookups.append(time.perf_counter() - t0)
    db.close()
    return {
        "w50": pct(writes, 0.5),
        "w99": pct(writes, 0.99),
        "l50": pct(lookups, 0.5),
        "l99": pct(lookups, 0.99),
    }


MEMORY_PROBE = """
import sys, random
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
print(base, rss())
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
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
                  f"   code lookup p99 {st['c99']:.3f}")  # fmt: skip
            print(f"{'':>7} ratio store/sqlite: write p99 {st['w99'] / sq['w99']:.2f}x (target <= 2x), "
                  f"get p99 {st['l99'] / sq['l99']:.2f}x")  # fmt: skip
        out = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(last_path), str(root)],
                             capture_output=True, text=True, check=True).stdout.split()  # fmt: skip
        base_kb, peak_kb = int(out[0]), int(out[1])
        print(f"memory: store of {args.sizes.split(',')[-1]} records open + 3000 lookups: "
              f"{(peak_kb - base_kb) / 1024:.1f} MB for the store (process RSS {peak_kb / 1024:.1f} MB with Python and the libraries; target <= 100 MB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
