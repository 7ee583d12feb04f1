"""CLI: ``reception sim`` (virtual printer and lock boards), ``reception devices`` (port tests), ``reception notices``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add the ``sim`` and ``devices`` subcommands."""
    sim = subparsers.add_parser("sim", help="virtual printer and lock boards on pseudo-terminals")
    sim.add_argument(
        "--ctl",
        metavar="COMMAND",
        help='send a command to a running sim ("paper out", "jam A-07", "help")',
    )
    sim.add_argument(
        "--printer-baud", type=int, default=None, help="emulate this printer line speed"
    )
    sim.add_argument("--lock-baud", type=int, default=None, help="emulate this lock bus speed")
    sim.add_argument(
        "--seconds", type=float, default=None, help="stop after this long (demo, tests)"
    )
    sim.set_defaults(func=cmd_sim)

    dev = subparsers.add_parser(
        "devices", help="list ports, test the printer, query and open locks"
    )
    dev.add_argument(
        "action",
        choices=["ports", "status", "test-page", "query", "open"],
        nargs="?",
        default="status",
    )
    dev.add_argument("name", nargs="?", help="compartment for query/open (e.g. A-07)")
    dev.add_argument("--printer", help="printer port to test instead of the configured one")
    dev.add_argument("--locks", help="lock bus port to test instead of the configured one")
    dev.add_argument("--protocol", choices=["kerong", "8a"], help="lock protocol to test")
    dev.set_defaults(func=cmd_devices)
    register_notices(subparsers)


def register_notices(subparsers: Any) -> None:
    """``reception notices`` / ``reception notices test PHONE [--modem PORT]`` (SMS, issue 13)."""
    from devices.notices_cli import register_notices as add

    add(subparsers)


def cmd_sim(args: argparse.Namespace, settings: Any) -> int:
    """Run the simulator in the foreground (or send one control command to a running one)."""
    from devices.compartments import CompartmentMap
    from devices.manager import sim_dir
    from devices.sim.host import HELP, SimHost, send_control

    directory = sim_dir(settings)
    if args.ctl:
        answer = send_control(directory, args.ctl)
        if answer is None:
            print(f"没有正在运行的模拟器 (no sim running in {directory})", file=sys.stderr)
            return 1
        print(answer)
        return 0 if not answer.startswith("error") else 1
    if send_control(directory, "ping") == "pong":
        print(f"a simulator is already running in {directory}", file=sys.stderr)
        return 1
    dev = settings.devices
    host = SimHost(
        directory,
        CompartmentMap(dev.compartments),
        encoding=dev.printer_encoding,
        paper_mm=dev.paper_width_mm,
        lock_protocol=dev.lock_protocol,
        printer_baud=args.printer_baud,
        lock_baud=args.lock_baud,
        lock_answer_delay=dev.sim_lock_answer_ms / 1000,
    ).start()
    print(f"virtual printer : {host.printer_path}")
    print(f"virtual locks   : {host.locks_path} ({dev.lock_protocol})")
    print(f"receipts        : {host.receipt_dir}")
    print(f"control         : reception sim --ctl 'COMMAND'\n{HELP}")
    sys.stdout.flush()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: host.stopped.set())
    try:
        if sys.stdin.isatty() and args.seconds is None:
            for line in sys.stdin:
                print(host.control(line))
                if host.stopped.is_set():
                    break
        else:
            host.stopped.wait(args.seconds)
    except KeyboardInterrupt:
        pass
    finally:
        host.stop()
    return 0


def _settings_for(args: argparse.Namespace, settings: Any) -> Any:
    changes = {}
    if args.printer:
        changes["printer_url"] = args.printer
    if args.locks:
        changes["lock_bus_url"] = args.locks
    if args.protocol:
        changes["lock_protocol"] = args.protocol
    if not changes:
        return settings
    return dataclasses.replace(settings, devices=dataclasses.replace(settings.devices, **changes))


def list_ports() -> list[str]:
    """Serial ports, stable names first (``/dev/serial/by-id``, udev ``/dev/reception-*``)."""
    from pathlib import Path

    from serial.tools import list_ports as lp

    out = []
    for pattern in ("/dev/serial/by-id/*", "/dev/reception-*"):
        for p in sorted(Path("/").glob(pattern.lstrip("/"))):
            out.append(f"{p} -> {p.resolve()}")
    for port in lp.comports():
        out.append(f"{port.device}  {port.description}  {port.hwid}")
    return out


def cmd_devices(args: argparse.Namespace, settings: Any) -> int:
    """Test the configured (or given) ports before saving them to the config."""
    if args.action == "ports":
        ports = list_ports()
        print("\n".join(ports) if ports else "没有找到串口 (no serial ports found)")
        return 0
    from devices.manager import Devices
    from devices.receipts import test_page

    settings = _settings_for(args, settings)
    devs = Devices(settings)
    try:
        if args.action == "status":
            st = devs.printer.status()
            print(f"printer {devs.printer_url}: {st.state.value}  {st}")
            for board in devs.compartments.boards():
                states = devs.locks.board_states(board)
                if states is None:
                    print(
                        f"lock board {board} on {devs.locks_url}: no answer ({devs.locks.state_value.value})"
                    )
                    continue
                opened = [
                    c.name
                    for c in devs.compartments
                    if c.board == board and not states[c.lock].closed
                ]
                print(f"lock board {board}: answering; open: {opened or 'none'}")
            return 0 if st.answered else 1
        if args.action == "test-page":
            result = devs.printer.print_bytes(test_page(settings))
            print("测试页已打印" if result.ok else f"打印失败: {result.error}")
            return 0 if result.ok else 1
        if not args.name:
            print("give a compartment name, e.g. A-07", file=sys.stderr)
            return 2
        if args.action == "query":
            st = devs.locks.state(args.name)
            print(
                f"{args.name}: "
                + (
                    "no answer"
                    if st is None
                    else f"{'closed' if st.closed else 'OPEN'}, item={st.item}"
                )
            )
            return 0 if st is not None else 1
        t0 = time.monotonic()
        res = devs.locks.open(args.name)
        print(
            f"{args.name}: "
            + ("opened, confirmed" if res.confirmed else f"FAILED: {res.error}")
            + f" ({res.attempts} attempt(s), {(time.monotonic() - t0) * 1000:.0f} ms)"
        )
        return 0 if res.confirmed else 1
    finally:
        devs.stop()
