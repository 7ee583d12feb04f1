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

from devices import audit_cli

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
        choices=[
            "ports",
            "status",
            "scan",
            "confirm-doors",
            "test-page",
            "query",
            "open",
            "read-id",
            "emergency-open",
        ],
        nargs="?",
        default="status",
    )
    dev.add_argument("name", nargs="?", help="compartment for query/open (e.g. A-07)")
    dev.add_argument("--printer", help="printer port to test instead of the configured one")
    dev.add_argument("--locks", help="lock bus port to test instead of the configured one")
    dev.add_argument(
        "--protocol", choices=["kerong", "8a", "8a-inverted"], help="lock protocol to test"
    )
    dev.add_argument(
        "--save",
        action="store_true",
        help="scan: save the boards found as the compartment map (first run)",
    )
    dev.add_argument(
        "--keys",
        default="",
        metavar="ADDR[,ADDR]",
        help="scan: board addresses that are key cabinets (the others are parcel lockers)",
    )
    dev.add_argument(
        "--sizes",
        metavar="ROW=SIZE,...",
        help="confirm-doors: sizes of the parcel rows, e.g. A=中,B=大 (小/中/大); asked if not given",
    )
    dev.add_argument("--reader", help="ID card reader port to read instead of the configured one")
    audit_cli.emergency_args(dev)
    dev.set_defaults(func=cmd_devices)
    audit_cli.register(subparsers)
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
        person_s=dev.sim_person_s,
    ).start()
    print(f"virtual printer : {host.printer_path}")
    print(f"virtual locks   : {host.locks_path} ({dev.lock_protocol})")
    print(f"virtual idreader: {host.idreader_path}")
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
        from desk.config_devices import default_compartments

        changes["lock_protocol"] = args.protocol
        dev = settings.devices
        if dict(dev.compartments) == default_compartments(dev.lock_protocol):
            changes["compartments"] = default_compartments(args.protocol)
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
    if args.action == "read-id":
        return cmd_read_id(args.reader, settings)
    if args.action == "emergency-open":
        return audit_cli.cmd_emergency_open(args, _settings_for(args, settings))
    if args.action == "ports":
        ports = list_ports()
        print("\n".join(ports) if ports else "没有找到串口 (no serial ports found)")
        return 0
    from devices.events import lock_problem_zh
    from devices.manager import Devices
    from devices.receipts import test_page

    settings = _settings_for(args, settings)
    if args.action == "scan":
        return cmd_scan(args, settings)
    if args.action == "confirm-doors":
        from devices.confirm_doors import cmd_confirm_doors

        return cmd_confirm_doors(args, settings)
    devs = Devices(settings)
    try:
        if args.action == "status":
            st = devs.printer.status()
            print(f"printer {devs.printer_url}: {st.state.value}  {st}")
            answering: list[int] = []
            silent: list[int] = []
            for board in devs.compartments.boards():
                states = devs.locks.board_states(board)
                if states is None:
                    state = devs.locks.state_value
                    (silent if state.value == "no_answer" else []).append(board)
                    print(
                        f"lock board {board} on {devs.locks_url}: {state.value}  "
                        f"{lock_problem_zh(state)}"
                    )
                    continue
                answering.append(board)
                opened = [
                    c.name
                    for c in devs.compartments
                    if c.board == board and not states[c.lock].closed
                ]
                print(f"lock board {board}: answering; open: {opened or 'none'}")
            if answering and silent:
                print(
                    f"boards {', '.join(map(str, silent))} do not answer while "
                    f"{', '.join(map(str, answering))} do: if no board is set to that address, "
                    "run 'reception devices scan --save' to use the boards that are there"
                )
            print(idreader_status(settings))
            return 0 if st.answered else 1
        if args.action == "test-page":
            result = devs.printer.print_bytes(test_page(settings))
            print("测试页已打印" if result.ok else f"打印失败: {result.error}")
            return 0 if result.ok else 1
        if not args.name:
            print("give a compartment name, e.g. A-07", file=sys.stderr)
            return 2
        if args.action == "query":
            lock = devs.locks.state(args.name)
            print(
                f"{args.name}: "
                + (
                    "no answer"
                    if lock is None
                    else f"{'closed' if lock.closed else 'OPEN'}, item={lock.item}"
                )
            )
            return 0 if lock is not None else 1
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


def cmd_scan(args: argparse.Namespace, settings: Any) -> int:
    """``reception devices scan``: which addresses answer, with which protocol and speed."""
    from devices.links import SerialLink
    from devices.manager import resolve_urls
    from devices.scan import best_bus, map_from_scan, save_scan, scan_bus

    _, url = resolve_urls(settings)
    protocols = [args.protocol] if args.protocol else ["kerong", "8a"]
    print(f"scanning {url} for {', '.join(protocols)} boards ...")
    try:
        found = scan_bus(lambda baud: SerialLink.open(url, baud), protocols)
    except OSError as exc:
        print(f"锁控板未连接: {exc}", file=sys.stderr)
        return 1
    for f in found:
        what = "answers" if f.answer == "ok" else "answers garbage (baud rate/protocol?)"
        print(f"  {f.protocol:11s} {f.baud:6d} baud  address {f.address:2d}  {what}")
    best = best_bus(found)
    if best is None:
        print(
            "没有锁控板应答 (no board answered): check wiring, power and A/B"
            if not found
            else "锁控板应答异常 (only garbage): check the baud rate and the protocol"
        )
        return 1
    protocol, baud, addresses = best
    keys = [int(a) for a in args.keys.split(",") if a.strip()]
    mapping = map_from_scan(addresses, protocol, keys)
    rows: dict[int, list[str]] = {}
    for name, spec in mapping.items():
        rows.setdefault(int(spec.split(":")[0]), []).append(name)
    print(f"protocol {protocol}, {baud} baud; compartment map:")
    for address, names in sorted(rows.items()):
        print(f"  board address {address:2d}: {names[0]} .. {names[-1]}")
    if args.save:
        path = save_scan(settings.store.data_dir, protocol, baud, mapping)
        print(f"saved to {path}; used while the config file sets no [devices] compartments")
    else:
        print("run again with --save to use this map (--keys ADDR marks key cabinets)")
    return 0


def checks(settings: Any) -> list[Any]:
    """Lines of `reception check` (printer, lock boards, SMS modem); imported only when checking."""
    from devices.confirm_doors import check_doors_confirmed
    from devices.golive import checks as devices_checks

    return devices_checks(settings) + check_doors_confirmed(settings)


def idreader_url(settings: Any, reader: str | None = None) -> str:
    """The ID card reader's port: ``reader``, else ``[devices] id_reader_url`` ("sim" resolved)."""
    url = reader or settings.devices.id_reader_url
    if url == "sim":
        from devices.compartments import CompartmentMap
        from devices.manager import sim_dir
        from devices.sim.host import idreader_path

        return idreader_path(sim_dir(settings), CompartmentMap(settings.devices.compartments))
    return url


def cmd_read_id(reader: str | None, settings: Any) -> int:
    """Read the card on the reader and print its fields masked (X1); 0 only when a card was read."""
    from desk.identity_card import check_card
    from devices.idcard import IdCardReader
    from devices.idcard_protocol import ReaderError

    url = idreader_url(settings, reader)
    if not url:
        print("没有配置身份证读卡器 (set [devices] id_reader_url or --reader)", file=sys.stderr)
        return 2
    with IdCardReader(url, settings.devices.id_reader_baud) as rd:
        try:
            card = rd.read_card()
        except ReaderError as exc:
            print(f"读卡失败: {exc.fault.message} [{exc.fault.name}] {exc.detail}".rstrip())
            return 1
    for label, value in card.masked().items():
        print(f"{label}: {value}")
    check = check_card(card)
    print("证件有效" if check.ok else check.message)
    return 0


def idreader_status(settings: Any) -> str:
    """One line on the ID card reader: its security module answers, or why not."""
    from devices.idcard import IdCardReader
    from devices.idcard_protocol import ReaderError

    url = idreader_url(settings)
    if not url:
        return "id card reader: none configured"
    with IdCardReader(url, settings.devices.id_reader_baud) as rd:
        try:
            ok = rd.sam_ok()
        except ReaderError as exc:
            return f"id card reader {url}: {exc.fault.message} [{exc.fault.name}]"
    return f"id card reader {url}: " + ("ready" if ok else "安全模块自检失败 [SAM]")
