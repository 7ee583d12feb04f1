# ruff: noqa: E402
"""Benchmark: parcel intake -> SMS-SUBMIT at the modem, and messages a minute, against the modem's pacing.

A desk on a temporary data dir takes in parcels at a steady pace (default 100 within a
minute) while the sender (Gammu's AT driver) hands the notices to the modem simulator on
a pty, whose network takes ``--network-s`` to accept each SMS-SUBMIT. Baseline, measured
in the same run: the bare AT exchange (AT+CMGS=<len>, "> ", PDU, Ctrl-Z, +CMGS) of one
pre-encoded PDU written straight to the pty, i.e. the modem's own pacing.
Prints the intake-to-modem latency (median, p95, max; target max <= 5 s), the messages
per minute achieved, and both as ratios to the baseline.
With ``--modems 1,2`` (default) it runs once with one modem and once with two sending from
the same queue ([notices] more_devices).
Usage: .venv/bin/python bench/notices.py [--parcels 100] [--seconds 60] [--network-s 0.05] [--modems 1,2]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import select
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

from desk.config import load_settings
from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import ParcelIn
from devices.notice_worker import NoticeWorker
from devices.sim.virtual_modem import ModemDevice, VirtualModem
from devices.sms_modem import SmsModem, gammu_config

TARGET_S = 5.0


def baseline(dev: ModemDevice, repeat: int) -> float:
    """Seconds of one bare AT+CMGS exchange on the pty (no Gammu, no store): the modem's pacing."""
    fd = os.open(dev.link, os.O_RDWR | os.O_NOCTTY)
    try:
        for command in (b"ATE0\r", b"AT+CMGF=0\r"):
            os.write(fd, command)
            _read_until(fd, b"OK\r\n")
        hexpdu = _submit_pdu("13812345678", "【幸福家园物业】您有一件顺丰快递已到，取件码123456。")
        tlen = len(hexpdu) // 2 - 1
        times = []
        for _ in range(repeat):
            t0 = time.monotonic()
            os.write(fd, f"AT+CMGS={tlen}\r".encode())
            _read_until(fd, b"> ")
            os.write(fd, hexpdu.encode() + b"\x1a")
            _read_until(fd, b"OK\r\n")
            times.append(time.monotonic() - t0)
    finally:
        os.close(fd)
    return statistics.median(times)


def _submit_pdu(number: str, text: str) -> str:
    """An SMS-SUBMIT for the baseline, built by hand (TS 23.040 9.2.2.2): default SMSC,
    TP-VPF relative, UCS-2."""
    digits = number + ("F" if len(number) % 2 else "")
    bcd = "".join(digits[i + 1] + digits[i] for i in range(0, len(digits), 2))
    ud = text.encode("utf-16-be")
    return f"001100{len(number):02X}81{bcd}0008AA{len(ud):02X}{ud.hex().upper()}"


def _read_until(fd: int, marker: bytes, timeout: float = 10.0) -> bytes:
    buf = b""
    deadline = time.monotonic() + timeout
    while marker not in buf:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise TimeoutError(f"no {marker!r} from the modem: {buf[-80:]!r}")
        buf += os.read(fd, 4096)
    return buf


def run(parcels: int, seconds: float, network_s: float, modems: int, tmp: Path) -> dict[str, float]:
    sims = [VirtualModem(send_delay=network_s) for _ in range(modems)]
    devs = [ModemDevice(tmp / f"ttyUSB{2 + 4 * i}", sim) for i, sim in enumerate(sims)]
    for dev in devs:
        dev.plug()
    base = baseline(devs[0], 10)
    sims[0].parts.clear()
    sims[0].inbox.clear()
    settings = load_settings(data_dir=tmp / "data")
    notices = dataclasses.replace(settings.notices, per_minute=1000, per_recipient_hour=1000,
                                  quiet_from=settings.notices.quiet_until)  # fmt: skip
    settings = dataclasses.replace(settings, notices=notices)
    desk = Desk.open(settings)
    desk.directory.import_owners([{"unit": f"{1 + i // 40}-1-{101 + i % 40}", "name": f"住户{i}",
                         "phone": f"139{i:08d}"} for i in range(parcels)])  # fmt: skip
    workers = []
    for i, dev in enumerate(devs):
        modem = SmsModem(gammu_config(str(dev.link)), delivery_reports=False)
        modem.connect()
        worker = NoticeWorker(desk, modem, poll_s=0.05, housekeeping=i == 0)
        worker.read_s = 3600.0
        workers.append(worker.start(recover=i == 0))
    guard = Actor(Role.GUARD, "guard", "bench")
    intake: dict[str, float] = {}
    t_start = time.monotonic()
    for i in range(parcels):
        due = t_start + i * seconds / parcels
        time.sleep(max(0.0, due - time.monotonic()))
        req = ParcelIn(unit=f"{1 + i // 40}-1-{101 + i % 40}", recipient_name=f"住户{i}",
                       courier="顺丰", tracking_no=f"SF{i:06d}", compartment=f"X-{i}")  # fmt: skip
        p = desk.parcels.receive(req, guard)
        intake[p.pickup_code] = time.monotonic()
        for worker in workers:
            worker.kick()
    deadline = time.monotonic() + 120
    inbox = lambda: [m for sim in sims for m in sim.inbox]  # noqa: E731
    while len(inbox()) < parcels and time.monotonic() < deadline:
        time.sleep(0.05)
    for worker in workers:
        worker.stop()
    desk.close()
    for dev in devs:
        dev.close()
    messages = inbox()
    latencies = []
    for msg in messages:  # a message counts when its last part reached the modem
        code = next(c for c in intake if c in msg.text)
        latencies.append(msg.at - intake[code])
    first = min(m.at for m in messages)
    last = max(m.at for m in messages)
    per_min = (len(messages) - 1) / (last - first) * 60 if last > first else float("nan")
    latencies.sort()
    return {
        "baseline_s": base,  # the simulated network's delay is inside the exchange
        "sent": len(messages),
        "median_s": statistics.median(latencies),
        "p95_s": latencies[int(0.95 * (len(latencies) - 1))],
        "max_s": latencies[-1],
        "per_min": per_min,
        "modem_per_min": 60 / base,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--parcels", type=int, default=100)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--network-s", type=float, default=0.05,
                    help="seconds the simulated network takes to accept one SMS-SUBMIT")  # fmt: skip
    ap.add_argument("--modems", default="1,2", help="runs with this many modems, e.g. 1,2")
    args = ap.parse_args()
    print(f"{args.parcels} parcels taken in within {args.seconds:.0f} s; network accepts a message in "
          f"{args.network_s * 1e3:.0f} ms")  # fmt: skip
    ok = True
    for modems in (int(m) for m in args.modems.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            r = run(args.parcels, args.seconds, args.network_s, modems, Path(tmp))
        ok &= report(r, modems, args.parcels)
    return 0 if ok else 1


def report(r: dict[str, float], modems: int, parcels: int) -> bool:
    ok = r["max_s"] <= TARGET_S and r["sent"] == parcels
    print(f"--- {modems} modem(s)")
    print(f"baseline (bare AT+CMGS exchange on the pty): {r['baseline_s'] * 1e3:.0f} ms a message, "
          f"{r['modem_per_min']:.0f} a minute")  # fmt: skip
    print(f"intake -> modem: median {r['median_s']:.2f} s, p95 {r['p95_s']:.2f} s, max {r['max_s']:.2f} s "
          f"(target max <= {TARGET_S:.0f} s; {r['max_s'] / r['baseline_s']:.1f}x baseline) "
          f"{'ok' if ok else 'MISSED'}")  # fmt: skip
    print(f"sent {r['sent']}/{parcels}; {r['per_min']:.0f} messages a minute while busy "
          f"= {r['per_min'] / (r['modem_per_min'] * modems):.2f}x the modems' own pacing")  # fmt: skip
    return ok


if __name__ == "__main__":
    raise SystemExit(main())
