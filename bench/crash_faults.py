"""Fault scenarios of bench/crash.py (issue 10): kills during writes with multi-entry
transactions, purge, snapshot and restore; a torn-write sweep; a full 2 MB tmpfs.

Alone (a short run): PYTHONPATH=. .venv/bin/python bench/crash_faults.py [--rounds 3]
[--no-tmpfs] (the tmpfs needs root; without root it fails, it is not skipped).

Every scenario ends by opening the store the way the product does and counting:
acknowledged writes missing (lost), key loans half applied (a loan without its key out,
or a key out without its loan), stores that do not open, and audit-chain problems.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from desk.clock import in_site
from desk.config import Settings, load_settings
from desk.records import Actor, Role
from desk.service import Desk, kind_specs
from desk.services.requests import KeyLoanRequest, NewKey, NewOwner, ParcelIn, VisitRequest
from desk.store import Store, restore

ID = "11010519491231002X"
VISITOR = Actor(Role.VISITOR, "赵六", "kiosk-1")
GUARD = Actor(Role.GUARD, "guard", "kiosk-1")
OWNER = Actor(Role.OWNER, "张三", "kiosk-1")
KEYS = [f"K{i}" for i in range(5)]


@dataclass
class Tally:
    """What one scenario saw."""

    unit: str = "kills"
    """What ``kills`` counts: processes killed, or log cuts for the torn-write sweep."""
    kills: int = 0
    interrupted: int = 0
    """Kills that hit the operation while it ran (the others found it finished)."""
    acked: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    half_applied: int = 0
    unopenable: list[str] = field(default_factory=list)
    audit_problems: int = 0
    refused_writes: int = 0
    extra: dict[str, float] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        for f in dataclasses.fields(self):
            if f.name == "unit":
                continue
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, list):
                mine.extend(theirs)
            elif isinstance(mine, dict):
                mine.update(theirs)
            else:
                setattr(self, f.name, mine + theirs)


def settings_for(data: Path, **retention: int) -> Settings:
    s = load_settings(data_dir=data)
    s = dataclasses.replace(s, store=dataclasses.replace(s.store, compact_every=37))
    if retention:
        s = dataclasses.replace(s, retention=dataclasses.replace(s.retention, **retention))
    return s


def fixed_clock(start: datetime) -> Callable[[], datetime]:
    """A clock that ticks a millisecond per call from ``start`` (naive: site-local time)."""
    start = in_site(start)
    ticks = [0]

    def now() -> datetime:
        ticks[0] += 1
        return start + timedelta(milliseconds=ticks[0])

    return now


def lend(desk: Desk, key_id: str) -> str:
    """K2: a non-staff borrower with ID and deposit (loan + key out in one transaction)."""
    req = KeyLoanRequest(key_id, borrower_name="周九", id_type="resident_id", id_number=ID,
                         deposit_yuan=100.0)  # fmt: skip
    return desk.keys.lend(req, GUARD).number


def parcel_in(desk: Desk, rng: random.Random) -> str:
    req = ParcelIn(recipient_name="张三", unit="3-2-501", courier="顺丰",
                   tracking_no=f"SF{rng.randrange(10**8):08d}", compartment="A-01")  # fmt: skip
    return desk.parcels.receive(req, GUARD).number


def prepare(data: Path) -> None:
    desk = Desk.open(settings_for(data), clock=fixed_clock(datetime(2026, 1, 1, 8)))
    try:
        desk.directory.add_owner(NewOwner("3-2-501", "张三", "13812345678"))
        for key in KEYS:
            desk.keys.add(NewKey(key, f"{key} 空置房", f"钥匙 {key}", "vacant"))
        desk.store.compact()
    finally:
        desk.close()


# ------------------------------------------------------------------------ children
def _mixed_writes(data: Path, fd: int, day: date) -> None:
    """Visits, parcels and key loans/returns (two-entry transactions), each acknowledged."""
    desk = Desk.open(
        settings_for(data),
        clock=fixed_clock(datetime.combine(day, datetime.min.time()) + timedelta(hours=9)),
    )
    rng = random.Random(os.getpid())
    while True:
        op = rng.randrange(3)
        if op == 0:
            req = VisitRequest(host_unit="3-2-501", visitor_name="赵六", id_type="resident_id",
                               id_number=ID, phone="13600001111", plate="粤B12345", purpose="探亲")  # fmt: skip
            note = f"visit:{desk.visits.register(req, VISITOR).number}"
        elif op == 1:
            note = f"parcel:{parcel_in(desk, rng)}"
        else:
            key = desk.store.get("key", rng.choice(KEYS))
            if key["status"] == "in":
                note = f"lent:{lend(desk, key['number'])}"
            else:
                desk.keys.take_back(key["loan"], GUARD)
                note = f"returned:{key['loan']}"
        os.write(fd, f"{note}\n".encode())


def _purge(data: Path, fd: int, when: datetime) -> None:
    desk = Desk.open(settings_for(data, visitor_days=30, key_loan_days=30), clock=lambda: when)
    desk.reports.purge()
    os.write(fd, b"done\n")


def _snapshot(data: Path, fd: int, when: datetime) -> None:
    when = in_site(when)
    store = Store(data, kind_specs(), clock=lambda: when)
    store.compact()
    store._snapshot(replace=True)  # noqa: SLF001 - the bench kills exactly this
    os.write(fd, b"done\n")


def _restore(data: Path, fd: int, rebuild: bool) -> None:
    def check() -> None:
        desk = Desk.open(settings_for(data))
        try:
            desk.store.compact()
        finally:
            desk.close()

    restore(data, rebuild=rebuild, check=check)
    os.write(fd, b"done\n")


def fork(target: Callable[..., None], *args: object) -> tuple[int, int]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os.close(read_fd)
        code = 0
        try:
            target(*args[:1], write_fd, *args[1:])
        except BaseException:
            code = 1
            if os.environ.get("CRASH_BENCH_DEBUG"):
                import traceback

                traceback.print_exc()
        finally:
            os._exit(code)
    os.close(write_fd)
    return pid, read_fd


def kill_after(pid: int, fd: int, delay: float, wait_first: bool) -> tuple[list[str], bool]:
    """SIGKILL ``pid`` after ``delay`` (after its first acknowledgement if ``wait_first``)."""
    got = b""
    if wait_first:
        while b"\n" not in got:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            got += chunk
    time.sleep(delay)
    alive = os.waitpid(pid, os.WNOHANG) == (0, 0)
    if alive:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    while chunk := os.read(fd, 65536):
        got += chunk
    os.close(fd)
    return got.decode().split(), alive


# ------------------------------------------------------------------------- checks
def check(data: Path, acked: list[str], tally: Tally, label: str) -> None:
    """Open as the product does; count lost, half-applied and unopenable."""
    try:
        desk = Desk.open(settings_for(data))
    except Exception as exc:  # noqa: BLE001 - counted, then the bench fails
        tally.unopenable.append(f"{label}: {exc}")
        return
    try:
        store = desk.store
        returned = {a.split(":", 1)[1] for a in acked if a.startswith("returned:")}
        for note in acked:
            kind, number = note.split(":", 1)
            doc = store.get({"visit": "visit", "parcel": "parcel"}.get(kind, "key_loan"), number)
            if doc is None or kind == "returned" and doc["status"] != "returned":
                tally.lost.append(note)
        for key in store.all_docs("key"):
            loan = store.get("key_loan", key["loan"]) if key.get("loan") else None
            if (key["status"] == "out") != (loan is not None and loan["status"] == "lent"):
                tally.half_applied += 1
        for loan in store.open_docs("key_loan"):
            key = store.get("key", loan["key_id"])
            if key is None:
                tally.lost.append(f"{label}: key {loan['key_id']} of loan {loan['number']}")
            elif loan["number"] not in returned and (key["status"], key["loan"]) != (
                "out",
                loan["number"],
            ):
                tally.half_applied += 1
        tally.audit_problems += len(store.verify())
    finally:
        desk.close()


# ---------------------------------------------------------------------- scenarios
def kill_rounds(data: Path, rounds: int, seed: int = 7) -> Tally:
    """Each round: kill a mixed writer, then a purge, a snapshot and a restore, at random."""
    rng = random.Random(seed)
    tally = Tally()
    for r in range(rounds):
        day = date(2026, 1, 2) + timedelta(days=r)
        pid, fd = fork(_mixed_writes, data, day)
        notes, _ = kill_after(pid, fd, rng.uniform(0.0, 0.25), wait_first=True)
        tally.kills += 1
        tally.interrupted += 1
        tally.acked.extend(notes)
        check(data, tally.acked, tally, f"round {r} write")
        later = datetime.combine(day + timedelta(days=45), datetime.min.time()) + timedelta(hours=3)
        for name, target, args, span in (
            ("purge", _purge, (later,), 0.6),
            ("snapshot", _snapshot, (later,), 0.15),
            ("restore", _restore, (rng.random() < 0.5,), 0.5),
        ):
            pid, fd = fork(target, data, *args)
            _, alive = kill_after(pid, fd, rng.uniform(0.0, span), wait_first=False)
            tally.kills += 1
            tally.interrupted += int(alive)
            tally.extra[f"{name} killed mid-run"] = tally.extra.get(
                f"{name} killed mid-run", 0
            ) + int(alive)
            check(data, tally.acked, tally, f"round {r} {name}")
    # One purge that runs to its end finishes whatever the killed ones left (X2): no byte
    # of a visitor may remain anywhere under the data dir.
    final = datetime.combine(date(2026, 1, 2) + timedelta(days=rounds + 60), datetime.min.time())
    pid, fd = fork(_purge, data, final)
    kill_after(pid, fd, 0.0, wait_first=True)
    left = [
        str(p.relative_to(data))
        for p in data.rglob("*")
        if p.is_file()
        and any(s in p.read_bytes() for s in ("赵六".encode(), b"13600001111", "粤B12345".encode()))
    ]
    tally.extra["files holding a purged visitor after the last purge"] = len(left)
    tally.unopenable.extend(f"purged data left in {name}" for name in left[:5])
    check(data, tally.acked, tally, "after the last purge")
    return tally


def torn_sweep(base: Path) -> Tally:
    """Truncate the log at every byte of multi-entry transactions; all or nothing opens."""
    tally = Tally(unit="torn cuts")
    for rows in (2, 6):  # a key loan (loan + key), and an owner import of six rows
        data = base / f"sweep{rows}"
        prepare(data)
        desk = Desk.open(settings_for(data), clock=fixed_clock(datetime(2026, 1, 1, 9)))
        if rows == 2:
            loan = desk.keys.lend(KeyLoanRequest("K0", borrower_name="周九", borrower_is_staff=True),
                                  GUARD)  # fmt: skip
            expect = [("key_loan", loan.number)]
        else:
            owners = desk.directory.import_owners([{"unit": f"5-1-{100 + i}", "name": "孙八", "phone": f"1370000{i:04d}"}
                                         for i in range(rows)])  # fmt: skip
            expect = [("owner", o.number) for o in owners]
        tally.acked.append(f"transaction of {rows} entries")
        desk.close()
        (log_file,) = sorted((data / "log").glob("*.jsonl"))
        full = log_file.read_bytes()
        lines = full.splitlines(keepends=True)
        start = len(full) - sum(len(x) for x in lines[-rows:])
        for cut in range(start, len(full) + 1):
            log_file.write_bytes(full[:cut])
            store = Store(data, kind_specs())
            try:
                present = [store.get(kind, key) is not None for kind, key in expect]
                if rows == 2:
                    present.append(store.get("key", "K0")["status"] == "out")
                tally.kills += 1  # each cut is a write torn at that byte
                if any(present) and not all(present):
                    tally.half_applied += 1
                tally.audit_problems += len(store.verify())
            except Exception as exc:  # noqa: BLE001
                tally.unopenable.append(f"cut {cut}: {exc}")
            finally:
                store.close()
        tally.extra[f"bytes swept ({rows} entries)"] = len(full) - start
    return tally


def disk_full(base: Path, size: str = "2m") -> Tally:
    """Write until a small tmpfs is full: every acknowledged write stays, no torn loan."""
    tally = Tally()
    mount = base / "tmpfs"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount)],
                   check=True)  # fmt: skip
    try:
        data = mount / "data"
        prepare(data)
        desk = Desk.open(settings_for(data), clock=fixed_clock(datetime(2026, 2, 1, 9)))
        rng = random.Random(3)
        failures_in_a_row = 0
        while failures_in_a_row < 40:
            try:
                key = desk.store.get("key", rng.choice(KEYS))
                if key["status"] == "in":
                    tally.acked.append(f"lent:{lend(desk, key['number'])}")
                else:
                    desk.keys.take_back(key["loan"], GUARD)
                    tally.acked.append(f"returned:{key['loan']}")
                tally.acked.append(f"parcel:{parcel_in(desk, rng)}")
                failures_in_a_row = 0
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise
                tally.refused_writes += 1
                failures_in_a_row += 1
        tally.extra["store health flags raised"] = len(desk.store.health())
        desk.close()
        check(data, tally.acked, tally, "disk full")
        usage = shutil.disk_usage(mount)
        tally.extra["free bytes at the end"] = usage.free
    finally:
        subprocess.run(["umount", str(mount)], check=False)
    return tally


def run_all(rounds: int, tmpfs: bool = True) -> dict[str, Tally]:
    out: dict[str, Tally] = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        base = Path(tmp)
        data = base / "kills"
        prepare(data)
        for name, run in (
            ("kills during writes, purge, snapshot, restore", lambda: kill_rounds(data, rounds)),
            ("torn-write sweep", lambda: torn_sweep(base)),
            ("disk full (2 MB tmpfs)", lambda: disk_full(base) if tmpfs else Tally()),
        ):
            t0 = time.perf_counter()
            out[name] = run()
            out[name].extra["seconds"] = round(time.perf_counter() - t0, 1)
    return out


def print_tally(name: str, t: Tally) -> bool:
    """One scenario's line (and up to five of its failures); True when it found nothing wrong."""
    print(f"{name}: {t.unit} {t.kills} ({t.interrupted} mid-operation), acknowledged writes "
          f"{len(t.acked)}, lost {len(t.lost)}, half-applied transactions {t.half_applied}, "
          f"unopenable stores {len(t.unopenable)}, audit problems {t.audit_problems}"
          + (f", writes refused (ENOSPC) {t.refused_writes}" if t.refused_writes else "")
          + "".join(f", {k} {v:g}" for k, v in t.extra.items()))  # fmt: skip
    for line in [*t.lost[:5], *t.unopenable[:5]]:
        print(f"  {line}")
    return not (t.lost or t.half_applied or t.unopenable or t.audit_problems)


def main() -> int:
    parser = argparse.ArgumentParser(description="the fault scenarios of bench/crash.py alone")
    parser.add_argument("--rounds", type=int, default=3, help="fault rounds (4 kills each)")
    parser.add_argument("--no-tmpfs", action="store_true", help="skip the disk-full run")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the store's expected "dropping N bytes" notes
    t0 = time.perf_counter()
    ok = True
    for name, t in run_all(args.rounds, tmpfs=not args.no_tmpfs).items():
        ok = print_tally(name, t) and ok
    print(f"time: {time.perf_counter() - t0:.1f} s for the fault scenarios")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
