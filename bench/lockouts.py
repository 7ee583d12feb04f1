"""Guesses an attacker gets per hour through the core's lockouts (staff PINs, pickup codes, phone PINs).

Drives the real Desk on a temporary store with a simulated clock: the attacker tries as fast as
the core lets them (one try a second, jumping to the end of each lockout) for ``--hours`` hours,
and the tries the core actually checked are counted. Each figure is set against the same
attacker with no lockout at all (3600 tries an hour), measured in the same run.
Usage: .venv/bin/python bench/lockouts.py [--hours N]
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from desk.clock import local
from desk.config import load_settings
from desk.errors import DeskError, LockedOut
from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import NewStaff, ParcelIn

STAFF = Actor(Role.STAFF, "staff", "bench")


class Clock:
    def __init__(self) -> None:
        self.now = local(2026, 11, 23, 9, 0)

    def __call__(self) -> datetime:
        return self.now


def attack(clock: Clock, hours: float, guess: Callable[[int], None]) -> int:
    """Tries checked by the core in ``hours``: a try a second, waiting out each lockout."""
    end = clock.now + timedelta(hours=hours)
    checked = i = 0
    while clock.now < end:
        i += 1
        try:
            guess(i)
            checked += 1
        except LockedOut as exc:
            clock.now = max(clock.now, exc.until)
            continue
        except DeskError:
            checked += 1
        clock.now += timedelta(seconds=1)
    return checked


def run(hours: float) -> dict[str, int]:
    out: dict[str, int] = {}
    scenarios: dict[str, Callable[[Desk], Callable[[int], None]]] = {
        "staff PIN, one account, one terminal": lambda d: (
            lambda i: d.staff.login("guard", f"{i:06d}", "kiosk-1")
        ),
        "staff PIN, one account, a new terminal each try": lambda d: (
            lambda i: d.staff.login("guard", f"{i:06d}", f"t{i}")
        ),
        "pickup code, one source": lambda d: lambda i: d.parcels.for_code(f"{i:06d}", "kiosk-1"),
        "pickup code, a new caller number each try": lambda d: (
            lambda i: d.parcels.for_code(f"{i:06d}", f"139{i:08d}")
        ),
        "phone PIN of one unit (hotline)": lambda d: (
            lambda i: d.directory.check_phone_pin("3-2-501", f"{i:06d}")
        ),
    }
    for name, make in scenarios.items():
        with tempfile.TemporaryDirectory() as tmp:
            clock = Clock()
            desk = Desk.open(load_settings(data_dir=Path(tmp) / "data"), clock=clock)
            try:
                desk.directory.import_owners(
                    [{"unit": "3-2-501", "name": "张三", "phone": "13812345678"}]
                )
                desk.directory.set_phone_pin("3-2-501", "13812345678", "999999", STAFF)
                desk.staff.add(NewStaff("guard", "guard", "999999"))
                desk.parcels.receive(
                    ParcelIn("张三", "3-2-501", courier="顺丰速运", tracking_no="SF1"), STAFF
                )
                out[name] = attack(clock, hours, make(desk))
            finally:
                desk.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hours", type=float, default=1.0)
    args = p.parse_args()
    baseline = int(args.hours * 3600)
    print(f"{'scenario':<52} {'tries/hour':>10} {'vs no lockout':>14}")
    for name, n in run(args.hours).items():
        per_hour = n / args.hours
        print(f"{name:<52} {per_hour:>10.0f} {per_hour / (baseline / args.hours):>13.2%}")
    print(f"{'(baseline: no lockout, one try a second)':<52} {3600:>10}")


if __name__ == "__main__":
    main()
