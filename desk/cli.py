"""The `reception` command: init, import-owners, status, verify, purge, restore (+ kiosk, hotline, sim, devices)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from desk.config import ConfigError, Settings, load_settings
from desk.errors import DeskError
from desk.masking import for_terminal, install_log_masking, mask_phone
from desk.record_types import OWNER_ROLES, REQUEST_KINDS
from desk.records import format_number
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH

log = logging.getLogger(__name__)

HEALTH_ZH = {
    "compaction": "整理数据失败（磁盘满？），写入仍安全，将自动重试",
    "compaction_behind": "数据整理滞后",
    "disk": "磁盘空间不足",
    "audit_key": "缺少审计密钥",
}

PLUGINS = ("devices.cli", "kiosk.cli", "voice.cli")
"""Outer packages that add subcommands through ``register(subparsers)``."""


def _open_desk(settings: Settings, existing: bool = False):  # noqa: ANN202 - lazy import
    """The desk on the configured store; ``existing``: refuse to create one (read-only use)."""
    from desk.service import Desk
    from desk.store import store_exists

    if existing and not store_exists(settings.store.data_dir):
        raise DeskError(
            f"数据目录 {settings.store.data_dir.absolute()} 中没有数据（请检查 --data，"
            "或先运行 reception init）; no store there, nothing was created."
        )
    return Desk.open(settings)


def _show(text: object, limit: int | None = None) -> str:
    """Stored text for the terminal: masked (X1), no control or escape characters."""
    return for_terminal(str(text), limit)


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
    from desk.owner_import import read_owner_rows

    rows, duplicates = read_owner_rows(Path(args.file))
    for row in rows:
        if row.get("role") and row["role"] not in OWNER_ROLES:
            raise DeskError(f"role {row['role']!r}: 应为 {', '.join(OWNER_ROLES)}")
    desk = _open_desk(settings)
    try:
        owners = desk.import_owners(rows)
    finally:
        desk.close()
    for line_no, first in duplicates:
        print(f"第{line_no}行与第{first}行是同一住户（同一房号和电话），只导入一次。")
    print(
        f"已导入 {len(owners)} 位住户" + (f"（{len(duplicates)} 行重复）。" if duplicates else "。")
    )
    return 0


def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    desk = _open_desk(settings, existing=True)
    try:
        stats = desk.store.stats()
        tree = desk.unit_tree()
        units = sum(len(rooms) for es in tree.values() for rooms in es.values())
        print(f"{settings.site.name}  ({settings.site.compound}，{len(tree)} 栋，{units} 户)")
        print(
            f"数据目录: {settings.store.data_dir.resolve()}  记录序号: {stats['seq']}  快照: {len(stats['snapshots'])} 个"
        )
        print(f"审计锚点（交接班单）: {desk.store.anchor()}")
        for flag, problem in desk.store.health().items():
            print(f"【存储告警】{HEALTH_ZH.get(flag, flag)}: {_show(problem)}")
        print(f"值班时间: {settings.hours.staffed_from:%H:%M}-{settings.hours.staffed_until:%H:%M}  "
              f"现在{'值班中' if desk.is_staffed() else '非值班时间（投诉、急修照常受理）'}")  # fmt: skip
        for line in _plugin_status(settings):
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
                    f"  {flag}{format_number(item.number)}  {item.what}期限 {item.due:%m-%d %H:%M}  {_show(item.summary, 40)}"
                )
        waiting = desk.visits_waiting()
        if waiting:
            print(f"\n等待确认的访客 ({len(waiting)}):")
            for v in waiting:
                print(
                    f"  {format_number(v.number)} {_show(unit_label_zh(v.host_unit), 40)} {STATUS_ZH[v.status]}"
                )
        requests = desk.open_requests()
        if requests:
            print(f"\n等待安全员处理 ({len(requests)}):")
            for r in requests:
                where = unit_label_zh(r.unit) if r.unit else r.source
                print(
                    f"  {format_number(r.number)} {REQUEST_KINDS[r.request_kind]} {_show(where, 40)}"
                )
        parcels = desk.parcels_waiting()
        print(f"\n待取快递: {len(parcels)} 件")
        callbacks = desk.callbacks()
        if callbacks:
            print(f"待回拨来电: {', '.join(_show(mask_phone(c.caller), 20) for c in callbacks)}")
    finally:
        desk.close()
    return 0


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
                lines.extend(_show(line) for line in status(settings))
            except Exception as exc:  # a broken plug-in must not hide the desk's status
                lines.append(_show(f"{name}: {exc}"))
    return lines


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """L2: the keyed chain, the tables against it, and every anchor given or in the duty log."""
    from desk.anchors import anchors_in_duty_log
    from desk.audit import Anchor

    try:
        given = [Anchor.parse(a) for a in getattr(args, "anchor", None) or ()]
    except ValueError as exc:
        raise DeskError(str(exc)) from exc
    desk = _open_desk(settings, existing=True)
    try:
        anchors = [*given, *anchors_in_duty_log(desk.store)]
        problems = desk.store.verify(anchors)
        stats = desk.store.stats()
        head = desk.store.anchor()
    finally:
        desk.close()
    if problems:
        print(f"审计链校验失败，发现 {len(problems)} 处问题:")
        for problem in problems[:50]:
            print(f"  {_show(problem)}")
        return 1
    print(
        f"审计链完整：{stats['seq']} 条变更，{len(stats['log_files'])} 个日志文件，数据表与日志一致；"
        f"核对锚点 {len(anchors)} 个。当前锚点: {head}"
    )
    return 0


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    desk = _open_desk(settings, existing=True)
    try:
        result = desk.purge()
    finally:
        desk.close()
    print(f"已匿名化 {result['visits']} 条访客记录（保留 {settings.retention.visitor_days} 天）"
          f"及其他 {result['records'] - result['visits']} 条到期记录（钥匙借用、代领、小票），"
          f"日志中 {result['log_entries']} 条已脱敏，删除录音 {result['audio']} 个。")  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from desk.store import restore

    problems: list = []

    def check() -> None:  # open the restored store, write its tables; failing undoes it all
        desk = _open_desk(settings, existing=True)
        try:
            desk.store.compact()
            problems.extend(desk.store.verify())
        finally:
            desk.close()

    if not (settings.store.data_dir / "log").is_dir():
        raise DeskError(f"{settings.store.data_dir.absolute()}: 没有数据可恢复 (no store here)")
    print(restore(settings.store.data_dir, args.snapshot, args.rebuild, check))
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
    p = sub.add_parser("verify", help="check the audit chain and the tables")
    p.add_argument("--anchor", action="append", help="chain head SEQ:HEAD from a handover slip")
    p.set_defaults(func=cmd_verify)
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
    os.umask(0o077)  # every file the product writes is private: 0600 files, 0700 folders
    try:
        settings = load_settings(args.config, args.data)
        return int(args.func(args, settings) or 0)
    except (ConfigError, DeskError, OSError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
