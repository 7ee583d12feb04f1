"""`reception staff add|list|disable|reset-pin`: the staff register; each person chooses their own PIN."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import unicodedata
from typing import Any

from desk.clock import parse
from desk.config import Settings
from desk.record_types import STAFF_ROLES
from desk.records import Actor, Role
from desk.services.requests import NewStaff

log = logging.getLogger(__name__)


def cli_actor(by: str | None) -> Actor:
    """Who did it, for the audit trail (L2): ``--by NAME`` and the OS user running the command."""
    user = getpass.getuser()
    name = (by or user).strip()
    return Actor(Role.SYSTEM, name, f"reception staff (OS user {user})")


def _setup_note(code: str, until: str) -> str:
    return (f"一次性设置码：{code}（{parse(until):%m-%d %H:%M} 前有效，只显示这一次）\n"
            "请当面交给本人：本人在终端“工作人员登录”选自己的名字，输入此码，"
            "再两次输入自己选的6位密码。密码不会在任何地方显示。")  # fmt: skip


def cmd_staff(args: argparse.Namespace, settings: Settings) -> int:
    from desk.cli import _open_desk

    if args.action == "add":
        for option in ("name", "role", "number"):
            if not (getattr(args, option) or "").strip():
                print(f"错误: staff add 需要 --{option}", file=sys.stderr)
                return 2
    elif args.action in ("disable", "reset-pin") and not args.number:
        print(f"错误: staff {args.action} 需要工号（reception staff list 查看）", file=sys.stderr)
        return 2
    actor = cli_actor(args.by)
    desk = _open_desk(settings, existing=args.action != "add")
    try:
        if args.action == "add":
            account, code = desk.staff.enrol(
                NewStaff(args.name, args.role, staff_no=args.number.strip()), actor
            )
            print(f"已建立账号 {account.staff_no} {account.name}（{STAFF_ROLES[account.role]}）。")
            print(_setup_note(code, account.setup_until))
        elif args.action == "list":
            print(listing(desk.staff.accounts(), desk.staff.demo_accounts(), settings.site.demo))
        elif args.action == "disable":
            account = desk.staff.disable(args.number, actor)
            print(f"已停用账号 {account.login_id} {account.name}：不能再登录，记录保留供审计。")
        else:
            account, code = desk.staff.reset_pin(args.number, actor)
            print(f"已清除 {account.login_id} {account.name} 的密码。")
            print(_setup_note(code, account.setup_until))
    finally:
        desk.close()
    return 0


def listing(accounts: list[Any], demo: list[str], demo_mode: bool) -> str:
    """One line per account: number, name, role, state (never a PIN or code)."""
    if not accounts:
        return "没有员工账号（reception staff add 建立）。"
    lines = [f"{_pad('工号', 12)}{_pad('姓名', 12)}{_pad('角色', 6)}状态"]
    for a in sorted(accounts, key=lambda a: (a.status != "active", a.login_id)):
        if a.status != "active":
            state = "已停用（保留供审计）"
        elif a.login_id in demo:
            state = "演示账号" + ("" if demo_mode else "（真实设置下拒绝登录）")
        elif a.setup_hash:
            state = f"待本人设置密码（设置码 {parse(a.setup_until):%m-%d %H:%M} 前有效）"
        else:
            state = "在用"
        role = STAFF_ROLES.get(a.role, a.role)
        lines.append(f"{_pad(a.login_id, 12)}{_pad(a.name, 12)}{_pad(role, 6)}{state}")
    return "\n".join(lines)


def _pad(text: str, width: int) -> str:
    """Pad to ``width`` terminal columns (a Chinese character takes two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(1, width - used)


def add_staff_command(sub: Any) -> None:
    p = sub.add_parser(
        "staff", help="staff accounts: add|list|disable|reset-pin (each person sets their own PIN)"
    )
    p.add_argument("action", choices=["add", "list", "disable", "reset-pin"])
    p.add_argument("number", nargs="?", help="disable / reset-pin: the staff number (工号)")
    p.add_argument("--name", help="add: the person's name")
    p.add_argument("--role", help="add: 保安 / 客服 / 维修 / 主管")
    p.add_argument("--number", dest="number_opt", help="add: the staff number (工号, unique)")
    p.add_argument("--by", help="who is doing this, for the audit trail (default: the OS user)")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "add":
        if args.number and not args.number_opt:
            args.number_opt = args.number
        args.number = args.number_opt
    return cmd_staff(args, settings)
