"""The `reception` command: init, import-owners, status, verify, purge, restore (+ the front ends' own)."""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from desk import golive
from desk.config import ConfigError, Settings, load_settings
from desk.errors import DeskError
from desk.frontends import load_frontends, register_all
from desk.masking import for_terminal, install_log_masking, mask_phone
from desk.orders_cli import add_orders_command
from desk.record_types import OWNER_ROLES, REQUEST_KINDS
from desk.records import format_number
from desk.staff_cli import add_staff_command
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

HEALTH_ZH = {
    "compaction": "整理数据失败（磁盘满？），写入仍安全，将自动重试",
    "compaction_behind": "数据整理滞后",
    "disk": "磁盘空间不足",
    "audit_key": "缺少审计密钥",
}


def _open_desk(settings: Settings, existing: bool = False) -> Desk:
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
        owners = desk.directory.import_owners(rows)
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
        tree = desk.directory.unit_tree()
        units = sum(len(rooms) for es in tree.values() for rooms in es.values())
        print(f"{settings.site.name}  ({settings.site.compound}，{len(tree)} 栋，{units} 户)")
        print(
            f"数据目录: {settings.store.data_dir.resolve()}  记录序号: {stats['seq']}  快照: {len(stats['snapshots'])} 个"
        )
        if warning := golive.disk_warning(settings):
            print(warning)
        print(f"审计锚点（交接班单）: {desk.store.anchor()}")
        for flag, problem in desk.store.health().items():
            print(f"【存储告警】{HEALTH_ZH.get(flag, flag)}: {_show(problem)}")
        print(f"值班时间: {settings.hours.staffed_from:%H:%M}-{settings.hours.staffed_until:%H:%M}  "
              f"现在{'值班中' if desk.is_staffed() else '非值班时间（投诉、急修照常受理）'}")  # fmt: skip
        for line in _plugin_status(settings):
            print(line)
        for line in _check_reminders(desk, settings):
            print(line)
        open_counts = stats["open"]
        print("未完结: " + ("，".join(f"{k} {n}" for k, n in open_counts.items()) or "无"))
        report = desk.reports.due()
        for state, title in (("overdue", "已超时"), ("due_soon", "即将到期"), ("ok", "跟进中")):
            items = [i for i in report if i.state == state]
            print(f"\n{title} ({len(items)}):")
            for item in items[: args.limit]:
                flag = "【急】" if item.urgent else ""
                print(
                    f"  {flag}{format_number(item.number)}  {item.what}期限 {item.due:%m-%d %H:%M}  {_show(item.summary, 40)}"
                )
        waiting = desk.visits.waiting()
        if waiting:
            print(f"\n等待确认的访客 ({len(waiting)}):")
            for v in waiting:
                print(
                    f"  {format_number(v.number)} {_show(unit_label_zh(v.host_unit), 40)} {STATUS_ZH[v.status]}"
                )
        requests = desk.guard.pending()
        if requests:
            print(f"\n等待安全员处理 ({len(requests)}):")
            for r in requests:
                where = unit_label_zh(r.unit) if r.unit else r.source
                print(
                    f"  {format_number(r.number)} {REQUEST_KINDS[r.request_kind]} {_show(where, 40)}"
                )
        parcels = desk.parcels.waiting()
        print(f"\n待取快递: {len(parcels)} 件")
        callbacks = [c for c in desk.calls.callbacks() if c.status != "visitor_message"]
        if callbacks:
            print(f"待回拨来电: {', '.join(_show(mask_phone(c.caller), 20) for c in callbacks)}")
        messages = [c for c in desk.calls.callbacks() if c.status == "visitor_message"]
        if messages:  # V2: a visitor's message waits for staff to phone the host
            print("待转告访客留言: " + ", ".join(
                f"{_show(mask_phone(c.callee), 20)}（{format_number(c.records[0]) if c.records else ''}）"
                for c in messages))  # fmt: skip
        unverified = desk.repairs.unverified()
        if unverified:
            print(
                f"待核实报修（回拨登记电话）: {', '.join(format_number(w.number) for w in unverified)}"
            )
        for line in desk_actions(desk):  # issue 12: nothing stuck without an owner
            print(line)
        failed = desk.staff.failed_logins()
        if failed:  # X1: for the supervisor
            print("登录失败: " + "，".join(
                f"{key} {n}次" + (f"（限制至 {until[11:19]}）" if until else "") for key, n, until in failed
            ))  # fmt: skip
    finally:
        desk.close()
    return 0


def desk_actions(desk: Desk) -> list[str]:
    """R4, C2, K2, R5: what staff must act on that has no deadline row of its own."""
    lines: list[str] = []
    notices = desk.notices.pending()
    if notices:
        lines.append(f"待通知（未能发短信，请电话告知）: {len(notices)} 条，见值班日志【待通知】")
    queued = [p for p in desk.notices.recorded() if p not in notices]
    if queued:
        lines.append(f"通知短信已排队: {len(queued)} 条（发送结果见 reception notices）")
    collective = desk.complaints.collective()
    if collective:
        lines.append(
            "集体投诉（已上报主任）: " + "，".join(format_number(c.number) for c in collective[:5])
        )
    overdue = desk.keys.overdue()
    if overdue:
        lines.append(
            "逾期未还钥匙: "
            + "，".join(f"{k.key_id}（应还 {k.due_back:%m-%d %H:%M}）" for k in overdue)
        )
    unassigned = [w for w in desk.repairs.open() if w.status in ("received", "reopened")]
    if unassigned:
        lines.append("待派工工单: " + "，".join(format_number(w.number) for w in unassigned[:10]))
    return lines


def _check_reminders(desk: Desk, settings: Settings) -> list[str]:
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
    lines: list[str] = []
    for frontend in load_frontends():
        if frontend.status_lines:
            try:
                lines.extend(_show(line) for line in frontend.status_lines(settings))
            except Exception as exc:  # a broken front end must not hide the desk's status
                lines.append(_show(f"{frontend.name}: {exc}"))
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
        result = desk.reports.purge()
    finally:
        desk.close()
    print(f"已匿名化 {result['visits']} 条访客记录（保留 {settings.retention.visitor_days} 天）"
          f"及其他 {result['records'] - result['visits']} 条到期记录（钥匙借用、代领、小票），"
          f"日志中 {result['log_entries']} 条已脱敏，删除录音 {result['audio']} 个。")  # fmt: skip
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    from desk.store import restore

    if args.backup:
        from desk.backup import cmd_restore_backup

        return cmd_restore_backup(args, settings)

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
    """Set up the demo data if needed, then start the whole product (desk/launch.py): simulated
    devices, the hotline on 127.0.0.1 with softphone instructions, the kiosk. An install with
    none of those runs the demo() of another front end (desk/frontends.py), else the status."""
    if not (settings.store.data_dir / "manifest.json").exists():
        cmd_init(argparse.Namespace(empty=False), settings)
    from desk.launch import run_demo

    commands = subcommands()
    if not commands & {"kiosk", "hotline", "sim"}:
        # an install without the standard parts: the front ends' own demos (desk.frontends)
        demos = [f.demo for f in load_frontends() if f.demo is not None]
        if demos:
            return max(demo(settings) for demo in demos)
        return cmd_status(argparse.Namespace(limit=20), settings)
    return run_demo(settings, commands)


def _lazy(module: str, name: str) -> Callable[[argparse.Namespace, Settings], int]:
    """A command whose module is imported only when it runs (keeps `--help` fast)."""

    def run(args: argparse.Namespace, settings: Settings) -> int:
        return int(getattr(importlib.import_module(module), name)(args, settings))

    return run


def subcommands() -> set[str]:
    """The subcommands this install offers (a front end that is not installed adds none)."""
    return set(build_parser().get_default("_subcommands"))


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
    parser.set_defaults(_subcommands=sub.choices)

    p = sub.add_parser("init", help="create the data dir and the demo compound")
    p.add_argument("--empty", action="store_true", help="no demo data")
    p.set_defaults(func=cmd_init)
    p = sub.add_parser("import-owners", help="import the owner register from CSV")
    p.add_argument("file", type=Path)
    p.set_defaults(func=cmd_import_owners)
    p = sub.add_parser("keys", help="the key register (K1): keys import FILE.csv")
    p.add_argument("action", choices=["import"])
    p.add_argument("file", type=Path, help="CSV: key_id,place,kind,slot,authorisation[,label]")
    p.set_defaults(func=_lazy("desk.keys_import", "cmd_keys"))
    add_staff_command(sub)
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
    p.add_argument(
        "--from",
        dest="backup",
        type=Path,
        metavar="BACKUP",
        help="bring the office back from an encrypted backup (reception backup)",
    )
    p.add_argument("--force", action="store_true", help="with --from: replace a non-empty data dir")
    p.add_argument("--passphrase-file", type=Path, help="with --from: the backup passphrase file")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser(
        "backup", help="write an encrypted, verified backup to DEST (USB drive, mount)"
    )
    p.add_argument(
        "dest", nargs="?", type=Path, help="directory (default: [operations] backup_dest)"
    )
    p.add_argument(
        "--passphrase-file", type=Path, help="default: [operations] backup_passphrase_file"
    )
    p.set_defaults(func=_lazy("desk.backup", "cmd_backup"))
    p = sub.add_parser("check", help="is everything ready to go live? (✓/✗ with the fix)")
    p.set_defaults(func=golive.cmd_check)
    add_report_command(sub)
    from desk.cli_visitors import register as register_visitor_desk

    register_visitor_desk(sub)
    add_orders_command(sub)
    register_all(sub, load_frontends())
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
        try:
            settings = load_settings(args.config, args.data)
        except ConfigError as exc:
            if args.command == "check":
                return golive.settings_failed(exc)
            raise
        return int(args.func(args, settings) or 0)
    except (ConfigError, DeskError, OSError) as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
