"""Cost of the visitor desk's checks at registration (blocklist + known visitor, by the ID hash).

Registers visitors on a temporary store with an empty history and again after ``--history``
earlier visits (a site's months of visitors, ``--returning`` of them by the same people), in the
same run: the time of ``desk.visits.register`` (which hashes the ID, checks the blocklist and
counts earlier visits) and of ``desk.visits.known`` per call, and the ratio history / empty.
Usage: .venv/bin/python bench/visitors.py [--history 3000] [--rounds 200]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from desk.clock import local
from desk.config import load_settings
from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import BlockRequest, VisitRequest
from desk.validate import id_check_char

VISITOR = Actor(Role.VISITOR, "", "bench")
STAFF = Actor(Role.STAFF, "staff", "bench")


class Clock:
    def __init__(self) -> None:
        self.now = local(2026, 6, 1, 9, 0)

    def __call__(self) -> datetime:
        return self.now


def an_id(n: int) -> str:
    born = date(1960, 1, 1) + timedelta(days=n // 1000)
    first17 = f"110105{born:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_char(first17)


def timed(desk: Desk, clock: Clock, rounds: int, start: int) -> tuple[float, float]:
    """Median ms of register and of known, over ``rounds`` visitors (IDs from ``start``)."""
    reg, known = [], []
    for i in range(rounds):
        number = an_id(start + i % 50)  # returning visitors among them
        req = VisitRequest(host_unit="1-1-101", visitor_name="赵六", id_number=number)
        t0 = time.perf_counter()
        desk.visits.register(req, VISITOR)
        t1 = time.perf_counter()
        desk.visits.known("resident_id", number, from_card=True)
        t2 = time.perf_counter()
        reg.append(t1 - t0)
        known.append(t2 - t1)
        clock.now += timedelta(seconds=30)
    return statistics.median(reg) * 1000, statistics.median(known) * 1000


def run(history: int, rounds: int) -> dict[str, float]:
    out: dict[str, float] = {}
    for label, earlier in (("empty", 0), ("history", history)):
        with tempfile.TemporaryDirectory() as tmp:
            clock = Clock()
            desk = Desk.open(load_settings(data_dir=Path(tmp) / "data"), clock=clock)
            try:
                desk.blocklist.add(BlockRequest(an_id(999_999), "钱八", "测试", "主管"), STAFF)
                for i in range(earlier):
                    req = VisitRequest(host_unit=f"{1 + i % 3}-1-101", visitor_name="孙七",
                                       id_number=an_id(i % max(1, earlier // 4)))  # fmt: skip
                    desk.visits.register(req, VISITOR)
                    clock.now += timedelta(minutes=10)
                desk.store.compact()
                out[f"{label} register ms"], out[f"{label} known ms"] = timed(
                    desk, clock, rounds, 0
                )
            finally:
                desk.close()
    out["register ratio"] = out["history register ms"] / out["empty register ms"]
    out["known ratio"] = out["history known ms"] / out["empty known ms"]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--history", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=200)
    args = ap.parse_args()
    for key, value in run(args.history, args.rounds).items():
        print(f"{key:24s} {value:8.2f}")


if __name__ == "__main__":
    main()
