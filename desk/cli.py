"""The `reception` command: init, import-owners, status, verify, purge, restore (+ kiosk, hotline, sim, devices)."""

from __future__ import annotations

import argparse
import csv
import importlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from desk.config import ConfigError, Settings, load_settings
from desk.errors import DeskError
from desk.masking import install_log_masking, mask_phone
from desk.record_types import OWNER_ROLES, REQUEST_KINDS
from desk.records import format_number
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH

log = logging.getLogger(__name__)

PLUGINS = ("devices.cli", "kiosk.cli", "voice.cli")
"""Outer packages that add subcommands through ``register(subparsers)``."""


def _open_desk(settings: Settings):  # noqa: ANN202 - imported lazily to keep `--help` fast
    from desk.service import Desk

    return Desk.open(settings)


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    from desk.demo import install_demo

    desk = _open_desk(settings)
    try:
        added = install_demo(desk) if not args.empty else {"owners": 0}
        desk.store.compact()
    finally:
        desk.close()
    print(f"数据目录 {settings.store.data_dir.resolve()} 已就绪；演示住户 {added['owners']} 户。")
    return 0


def cmd_import_owners(args: argparse.Namespace, settings: Settings) -> int:
    """CSV columns: building,entrance,room,name,phone,role (role: owner/tenant/family)."""
    with open(args.file, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        if row.get("role") and row["role"] not in OWNER_ROLES:
            raise DeskError(f"role {row['role']!r}: 应为 {', '.join(OWNER_ROLES)}")
    desk = _open_desk(settings)
    try:
        owners = desk.import_owners(rows)
    finally:
        desk.close()
    print(f"已导入 {len(owners)} 位住户。")
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    desk = _open_desk(settings)
    try:
        stats = desk.store.stats()
        tree = desk.unit_tree()
        units = sum(len(rooms) for es in tree.values() for rooms in es.values())
        print(f"{settings.site.name}  ({settings.site.compound}，{len(tree)} 栋，{units} 户)")
        print(
            f"数据目录: {settings.store.data_dir.resolve()}  记录序号: {stats['seq']}  快照: {len(stats['snapshots'])} 个"
        )
        print(f"值班时间: {settings.hours.staffed_from:%H:%M}-{settings.hours.staffed_until:%H:%M}  "
              f"现在{'值班中' if desk.is_staffed() else '非值班时间（投诉、急修照常受理）'}")  # fmt: skip
        for line in _plugin_status(settings):
            print(line)
        for line in _check_reminders(desk, settings):
            print(line)
        open_counts = stats["open"]
        print("未完结: " + ("，".join(f"{k} {n}" for k, n in open_counts.items()) or "无"))
        report = desk.due_report()
        for state, title in (("overdue", "已超时"), ("due_soon", "即将到期"), ("ok", "跟进中")):
            items = [i for i in report if i.state == state]
            print(f"\n{title} ({len(items)}):")
            for item in items[: args.limit]:
                flag = "【急】" if item.urgent else ""
                print(
                    f"  {flag}{format_number(item.number)}  {item.what}期限 {item.due:%m-%d %H:%M}  {item.summary}"
                )
        waiting = desk.visits_waiting()
        if waiting:
            print(f"\n等待确认的访客 ({len(waiting)}):")
            for v in waiting:
                print(
                    f"  {format_number(v.number)} {unit_label_zh(v.host_unit)} {STATUS_ZH[v.status]}"
                )
        requests = desk.open_requests()
        if requests:
            print(f"\n等待安全员处理 ({len(requests)}):")
            for r in requests:
                where = unit_label_zh(r.unit) if r.unit else r.source
                print(f"  {format_number(r.number)} {REQUEST_KINDS[r.request_kind]} {where}")
        parcels = desk.parcels_waiting()
        print(f"\n待取快递: {len(parcels)} 件")
        callbacks = desk.callbacks()
        if callbacks:
            print(f"待回拨来电: {', '.join(mask_phone(c.caller) for c in callbacks)}")
    finally:
        desk.close()
    return 0


def _check_reminders(desk, settings: Settings) -> list[str]:  # noqa: ANN001
    """K4 stock-take from the 25th (an alert after the 27th), P5 evening parcel audit."""
    from desk.reports.parcel_audit import evening_audit_reminder
    from desk.reports.stocktake import stocktake_reminder

    now = desk.now()
    lines = []
    stocktake = stocktake_reminder(desk.store, now.date())
    if stocktake:
        level, text = stocktake
        lines.append(("【警告】" if level == "alert" else "提醒：") + text)
    parcels = evening_audit_reminder(desk.store, settings, now)
    if parcels:
        lines.append("提醒：" + parcels)
    return lines


def _plugin_status(settings: Settings) -> list[str]:
    lines = []
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        status = getattr(module, "status_lines", None)
        if status:
            try:
                lines.extend(status(settings))
            except Exception as exc:  # a broken plug-in must not hide the desk's status
                lines.append(f"{name}: {exc}")
    return lines


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    desk = _open_desk(settings)
    try:
        problems = desk.store.verify()
        stats = desk.store.stats()
    finally:
        desk.close()
    if problems:
        print(f"审计链校验失败，发现 {len(problems)} 处问题:")
        for problem in problems[:50]:
            print(f"  {problem}")
        return 1
    print(
        f"审计链完整：{stats['seq']} 条变更，{len(stats['log_files'])} 个日志文件，数据表与日志一致。"
    )
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    desk = _open_desk(settings)
    try:
        result = desk.purge()
    finally:
        desk.close()
    print(f"已匿名化 {result['visits']} 条访客记录（保留 {settings.retention.visitor_days} 天），"
          f"日志中 {result['log_entries']} 条已脱敏。")  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from desk.store import restore

    print(restore(settings.store.data_dir, args.snapshot, args.rebuild))
    desk = _open_desk(settings)
    try:
        problems = desk.store.verify()
    finally:
        desk.close()
    print(
        "校验通过。"
        if not problems
        else f"校验发现 {len(problems)} 处问题，请运行 reception verify。"
    )
    return 0 if not problems else 1


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Set up the demo data if needed, then run the kiosk (or, without it, show the status)."""
    if not (settings.store.data_dir / "manifest.json").exists():
        cmd_init(argparse.Namespace(empty=False), settings)
    parser = build_parser()
    if "kiosk" in parser._subparsers._group_actions[0].choices:  # noqa: SLF001
        kiosk_args = parser.parse_args(["kiosk"])
        return int(kiosk_args.func(kiosk_args, settings) or 0)
    return cmd_status(argparse.Namespace(limit=20), settings)


def add_report_command(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """`reception report --month YYYY-MM [--out DIR]` (S1, R5, C4, C5: the monthly figures)."""

    def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
        from desk.reports.monthly import write_month_report
        from desk.reports.summary import screen_text

        desk = _open_desk(settings)
        try:
            month = args.month or f"{desk.now():%Y-%m}"
            report = write_month_report(desk.store, settings, month, args.out, desk.now())
        except ValueError as exc:
            print(f"错误: {exc}", file=sys.stderr)
            return 2
        finally:
            desk.close()
        print(screen_text(report.figures))
        print(f"\n报表（请打印后签字）：{report.pdf}")
        print("表格数据：" + "，".join(str(p) for p in report.csv))
        return 0

    p = sub.add_parser("report", help="the monthly report: PDF to print and sign, CSV, on screen")
    p.add_argument("--month", help="YYYY-MM (default: this month so far)")
    p.add_argument("--out", type=Path, help="directory for the PDF and CSV (default: DATA/reports)")
    p.set_defaults(func=cmd_report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reception", description="物业客服中心接待终端 / reception terminal"
    )
    parser.add_argument("--config", type=Path, help="TOML settings file (default: demo settings)")
    parser.add_argument("--data", type=Path, help="data directory (overrides the config)")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="create the data dir and the demo compound")
    p.add_argument("--empty", action="store_true", help="no demo data")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("import-owners", help="import the owner register from CSV")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import_owners)
    p = sub.add_parser("status", help="the compound, what is due and what is overdue")
    p.add_argument("--limit", type=int, default=20)
    p.set_defaults(func=cmd_status)
    sub.add_parser("demo", help="set up the demo data and start the product").set_defaults(
        func=cmd_demo
    )
    sub.add_parser("verify", help="check the audit chain and the tables").set_defaults(
        func=cmd_verify
    )
    sub.add_parser(
        "purge", help="anonymise visitor data past its keeping period (X2)"
    ).set_defaults(func=cmd_purge)
    p = sub.add_parser(
        "restore", help="restore the tables from a daily snapshot and the change log"
    )
    p.add_argument("--snapshot", default="latest")
    p.add_argument(
        "--rebuild", action="store_true", help="rebuild the tables from the change log alone"
    )
    p.set_defaults(func=cmd_restore)
    add_report_command(sub)
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            log.debug("no %s: %s", name, exc)
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    install_log_masking()
    try:
        settings = load_settings(args.config, args.data)
        return int(args.func(args, settings) or 0)
    except (ConfigError, DeskError, OSError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
