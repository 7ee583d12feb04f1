"""Commands of the desk's checks: stock-take (K4), parcel audit (P5), settle, daily sheet (L3), emergency open."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from datetime import date
from typing import Any

log = logging.getLogger(__name__)


def register(subparsers: Any) -> None:
    """Add ``stocktake``, ``parcel-audit``, ``settle`` and ``daily-sheet``."""
    p = subparsers.add_parser("stocktake", help="key stock-take against the cabinet (K4)")
    _login_args(p)
    p.add_argument("--tick", action="append", default=[], metavar="KEY_ID",
                   help="a key found by eye outside the sensed slots (repeat)")  # fmt: skip
    p.add_argument("--no-print", action="store_true", help="do not print the signed report")
    p.set_defaults(func=cmd_stocktake)
    p = subparsers.add_parser("parcel-audit", help="every stored parcel accounted for (P5)")
    _login_args(p)
    p.add_argument("--tick", action="append", default=[], metavar="NUMBER",
                   help="a parcel found at the counter or in an unsensed compartment (repeat)")  # fmt: skip
    p.add_argument("--no-print", action="store_true", help="do not print the signed report")
    p.set_defaults(func=cmd_parcel_audit)
    p = subparsers.add_parser("settle", help="settle the differences of a stock-take or audit")
    p.add_argument("number", help="the audit's number (printed on its report)")
    p.add_argument("--note", required=True, help="how the differences were settled")
    _login_args(p)
    p.set_defaults(func=cmd_settle)
    p = subparsers.add_parser("daily-sheet", help="print the handover sheet (L3)")
    p.add_argument("--day", type=date.fromisoformat, help="YYYY-MM-DD (default today)")
    p.set_defaults(func=cmd_daily_sheet)


def emergency_args(p: argparse.ArgumentParser) -> None:
    """Options of ``reception devices emergency-open``."""
    p.add_argument("--doors", action="append", default=[],
                   help='emergency-open: "all", "keys", "parcels", names or ranges "A-01..A-08"')  # fmt: skip
    p.add_argument("--reason", default="", help="emergency-open: why (recorded and printed)")
    p.add_argument("--user", help="staff number (工号) to log in as (the PIN is asked)")


def _login_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--user", required=True, help="staff number (工号) to log in as (the PIN is asked)"
    )


def _login(desk: Any, name: str) -> Any:
    pin = getpass.getpass(f"{name} 的密码 (PIN): ")
    return desk.staff.login(name, pin, source="cli")


def _tick_interactively(items: list[tuple[str, str]]) -> list[str]:
    """Ask the guard about each item without a sensor reading (only on a terminal)."""
    if not sys.stdin.isatty():
        return []
    found = []
    for item_id, label in items:
        answer = input(f"{label} 在吗？[y/n] ").strip().lower()
        if answer in ("y", "yes", "是", "在"):
            found.append(item_id)
    return found


def _open(settings: Any) -> tuple[Any, Any]:
    from desk.service import Desk
    from devices.manager import Devices

    desk = Desk.open(settings)
    return desk, Devices(settings, desk.printing)


def _print_audit(devs: Any, desk: Any, audit: Any, settings: Any) -> None:
    from devices.audit_receipts import audit_receipt
    from devices.audit_run import print_confirmed

    kind, payload = audit_receipt(audit, settings)
    printed, why = print_confirmed(devs, desk, kind, audit.number, payload)
    print("报告已打印，请签字。" if printed else f"报告未打印：{why}")


def _show(audit: Any) -> int:
    from desk.record_types import FINDINGS

    print(
        f"{audit.number}：清点 {audit.checked} 件，传感器核对 {audit.sensed} 件，人工清点 {len(audit.ticked)} 件"
    )
    if not audit.findings:
        print("账实相符，无差异。")
        return 0
    print(
        f"差异 {len(audit.findings)} 项（须由具名人员处理：reception settle {audit.number} --note ...）："
    )
    for f in audit.findings:
        print(f"  [{FINDINGS[f['problem']]}] {f['item']}  {f['place']}  {f['detail']}")
    return 1


def _check(settings: Any, args: argparse.Namespace, which: str) -> int:
    from desk.record_types import Key
    from desk.reports.parcel_audit import COUNTER, STORED, parcel_audit
    from desk.reports.stocktake import key_stocktake
    from devices.audit_run import read_slots
    from devices.compartments import normalise_name

    desk, devs = _open(settings)
    try:
        actor = _login(desk, args.user)
        readings = read_slots(devs, "key" if which == "keys" else "parcel")
        ticked = list(args.tick)
        sensed = {normalise_name(name): value for name, value in readings.items()}
        if not ticked:
            if which == "keys":
                unsensed = [(k.number, f"钥匙 {k.number} {k.label}（{k.slot}）") for k in map(Key.from_doc, desk.store.all_docs("key"))
                            if sensed.get(normalise_name(k.slot)) is None and k.status == "in"]  # fmt: skip
            else:
                unsensed = [(d["number"], f"快递 {d['number']}（{'前台' if d['compartment'] in COUNTER else d['compartment']}）")
                            for d in desk.store.open_docs("parcel") if d["status"] in STORED
                            and sensed.get(normalise_name(d["compartment"] or "counter")) is None]  # fmt: skip
            ticked = _tick_interactively(unsensed)
        run = key_stocktake if which == "keys" else parcel_audit
        audit = run(desk.store, actor, desk.now(), readings, ticked, normalise_name)
        code = _show(audit)
        if not args.no_print:
            _print_audit(devs, desk, audit, settings)
        return code
    finally:
        devs.stop()
        desk.close()


def cmd_stocktake(args: argparse.Namespace, settings: Any) -> int:
    return _check(settings, args, "keys")


def cmd_parcel_audit(args: argparse.Namespace, settings: Any) -> int:
    return _check(settings, args, "parcels")


def cmd_settle(args: argparse.Namespace, settings: Any) -> int:
    from desk.reports.audits import settle

    desk, devs = _open(settings)
    try:
        actor = _login(desk, args.user)
        audit = settle(desk.store, args.number, actor, args.note, desk.now())
        print(f"{audit.number} 的差异已由 {audit.settled_by} 处理登记。")
        _print_audit(devs, desk, audit, settings)
        return 0
    finally:
        devs.stop()
        desk.close()


def cmd_daily_sheet(args: argparse.Namespace, settings: Any) -> int:
    from desk.reports.daily_sheet import daily_sheet
    from devices.audit_receipts import daily_sheet_receipt
    from devices.audit_run import print_confirmed

    desk, devs = _open(settings)
    try:
        now = desk.now()
        sheet = daily_sheet(desk.store, args.day or now.date(), now, desk.reports.due())
        kind, payload = daily_sheet_receipt(sheet, settings)
        printed, why = print_confirmed(devs, desk, kind, sheet.day.isoformat(), payload)
        print(f"{sheet.day} 交接班日报：受理 {sum(sheet.received.values())}，办结 {sum(sheet.done.values())}，"
              f"超时 {len(sheet.overdue)} 项；审计链头 {sheet.chain_head[:16]}…")  # fmt: skip
        print("日报已打印，请交接双方签字。" if printed else f"日报未打印：{why}")
        return 0 if printed else 1
    finally:
        devs.stop()
        desk.close()


def cmd_emergency_open(args: argparse.Namespace, settings: Any) -> int:
    """``reception devices emergency-open``: a supervisor opens doors; all is recorded and printed."""
    from desk.reports.emergency import begin_emergency_open, finish_emergency_open
    from devices.audit_run import expand_doors, open_and_read_back

    if not args.user:
        print("请用 --user 指定主管姓名", file=sys.stderr)
        return 2
    desk, devs = _open(settings)
    try:
        actor = _login(desk, args.user)
        spec = [*args.doors, *([args.name] if args.name else [])]
        doors = expand_doors(devs.compartments, (p for s in spec for p in s.split(",")))
        audit = begin_emergency_open(desk.store, actor, desk.now(), args.reason, doors)
        results = open_and_read_back(devs, doors)
        audit = finish_emergency_open(desk.store, audit, actor, desk.now(), results)
        for r in results:
            state = {True: "门关", False: "门开", None: "无读数"}[r["closed"]]
            print(
                f"  {r['item']}: {'已确认打开' if r['opened'] else '未能打开 ' + r['detail']}，回读 {state}"
            )
        print(f"{audit.number}：{audit.sensed}/{audit.checked} 个柜门已确认打开，原因已记录。")
        _print_audit(devs, desk, audit, settings)
        return 0 if audit.sensed == audit.checked else 1
    finally:
        devs.stop()
        desk.close()
