# ruff: noqa: E402
"""Benchmark: receipt job -> last byte at the printer, and a lock open round trip, against wire time.

Runs through the simulator on ptys with wire speed emulated (10 bits a byte). Prints each
figure, its wire time, a raw-write baseline measured in the same run, and the ratios.
Usage: .venv/bin/python bench/devices.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

# this file is called devices.py: keep its folder off sys.path so `devices` is the package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]
# the simulator harness is test support, not product: tests/support/sim_harness.py
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))

from sim_harness import locks_on, printer_on, sample_records, start_sim

from desk.config import load_settings
from desk.config_devices import default_compartments
from devices.compartments import CompartmentMap
from devices.links import SerialLink
from devices.receipts import receipt_for
from devices.sim.host import SimHost

ANSWER_S = 0.005
"""The virtual board's own answer time."""


def _wait_rx(host: SimHost, total: int, timeout: float = 30.0) -> float:
    """When the simulator had received ``total`` bytes (over the emulated wire)."""
    dev = host.printer_dev
    deadline = time.monotonic() + timeout
    while dev.rx_bytes < total:
        if time.monotonic() > deadline:
            raise TimeoutError("simulator did not receive everything")
        time.sleep(0.0005)
    assert dev.rx_log is not None
    return next(t for n, t in dev.rx_log if n >= total)


def bench_printer(baud: int, repeat: int, data: bytes, tmp: Path) -> dict[str, float]:
    host = start_sim(tmp / f"p{baud}", printer_baud=baud)
    try:
        printer = printer_on(host, baud, status_timeout=0.5)
        host.printer_dev.rx_log = []
        host.printer.on_receipt = None  # no PNG rendering in the timed loop
        printer.status()
        raw = SerialLink.open(host.printer_path, baud)
        base, drv = [], []
        for _ in range(repeat):
            start_rx = host.printer_dev.rx_bytes
            t0 = time.monotonic()
            raw.write(data)
            base.append(_wait_rx(host, start_rx + len(data)) - t0)
            start_rx = host.printer_dev.rx_bytes
            t0 = time.monotonic()
            result = printer.print_bytes(data)
            assert result.ok, result.error
            # the 3 status queries before, then the job's last byte
            drv.append(_wait_rx(host, start_rx + 9 + len(data)) - t0)
            _wait_rx(host, start_rx + 18 + len(data))  # status after, before the next round
        raw.close()
        printer.close()
    finally:
        host.stop()
    wire = len(data) * 10 / baud
    return {"wire": wire, "baseline": statistics.median(base), "driver": statistics.median(drv)}


def bench_lock(
    repeat: int, tmp: Path, baud: int = 19200, protocol: str = "kerong"
) -> dict[str, float]:
    host = start_sim(
        tmp / f"locks-{protocol}",
        CompartmentMap(default_compartments(protocol)),
        lock_baud=baud,
        lock_answer_delay=ANSWER_S,
        lock_protocol=protocol,
    )
    cm = host.compartments
    try:
        boards = locks_on(host, protocol, baud, timeout=0.3)
        proto = boards.protocol
        boards.connect()
        base, drv = [], []
        for i in range(repeat):
            name = f"A-{i % 16 + 1:02d}"
            c = cm[name]
            host.locks.close(c.board, c.lock)
            with boards._bus:
                t0 = time.monotonic()
                boards.transact(proto.query_frame(c.board, c.lock), proto.reply_length(), 1.0)
                base.append(time.monotonic() - t0)
            t0 = time.monotonic()
            result = boards.open(name)
            drv.append(time.monotonic() - t0)
            assert result.confirmed
        boards.close()
    finally:
        host.stop()
    # Kerong: unlock, query, 9-byte status; 8A: unlock and its 5-byte answer (the result)
    wire = ((5 + 5 + 9) if protocol == "kerong" else (5 + 5)) * 10 / baud
    return {"wire": wire, "baseline": statistics.median(base), "driver": statistics.median(drv)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    settings = load_settings()
    _, data = receipt_for(sample_records()["work_order"], settings)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        print(
            f"receipt: work-order customer copy, {len(data)} bytes, native QR, median of {args.repeat}"
        )
        print(
            f"{'baud':>7} {'wire ms':>8} {'raw ms':>8} {'driver ms':>9} {'drv/wire':>8} {'drv/raw':>8}  target <=1.2x wire"
        )
        for baud in (9600, 115200):
            r = bench_printer(baud, args.repeat, data, Path(tmp))
            ratio = r["driver"] / r["wire"]
            ok &= ratio <= 1.2
            print(
                f"{baud:>7} {r['wire'] * 1e3:8.1f} {r['baseline'] * 1e3:8.1f} {r['driver'] * 1e3:9.1f} "
                f"{ratio:8.2f} {r['driver'] / r['baseline']:8.2f}  {'ok' if ratio <= 1.2 else 'MISSED'}"
            )
        for protocol, label, baud in (("kerong", "KR-CU", 19200), ("8a", "8A", 9600)):
            r = bench_lock(max(args.repeat, 10), Path(tmp), baud, protocol)
            budget = 2 * r["wire"] + ANSWER_S
            print(
                f"lock open confirmed ({label}, {baud} baud, board answer {ANSWER_S * 1e3:.0f} ms): "
                f"wire {r['wire'] * 1e3:.1f} ms, query baseline {r['baseline'] * 1e3:.1f} ms, "
                f"open {r['driver'] * 1e3:.1f} ms ({r['driver'] / r['wire']:.2f}x wire), "
                f"budget 2x wire + answer = {budget * 1e3:.1f} ms "
                f"({r['driver'] / budget:.2f}x budget) {'ok' if r['driver'] <= budget else 'MISSED'}"
            )
            ok &= r["driver"] <= budget
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
