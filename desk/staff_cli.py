"""`reception staff add|list|disable`: staff, guard, supervisor and technician logins (X1); the PIN
is read without echo (never an argument: it would stay in the shell's history) and stored hashed."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys

from desk.config import Settings
from desk.errors import DeskError
from desk.records import Actor, Role
from desk.services.requests import NewStaff

log = logging.getLogger(__name__)


def _read_pin() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().strip()
    pin = getpass.getpass("PIN（6-12位数字）：")
    if getpass.getpass("再输入一次：") != pin:
        raise DeskError("两次输入的 PIN 不一致")
    return pin


def cmd_staff(args: argparse.Namespace, settings: Settings) -> int:
    from desk.service import Desk

    desk = Desk.open(settings)
    try:
        actor = Actor(Role.SUPERVISOR, getpass.getuser(), f"cli:{getpass.getuser()}")
        if args.action == "list":
            for a in sorted(desk.staff.accounts(), key=lambda a: a.name):
                print(f"{a.name}\t{a.role}\t{'启用' if a.status == 'active' else '停用'}")
            return 0
        if not args.name:
            print("错误: 请给出工号（登录名）", file=sys.stderr)
            return 2
        if args.action == "add":
            desk.staff.add(NewStaff(args.name, args.role, _read_pin()), actor)
            print(f"已建立账号 {args.name}（{args.role}）。")
        else:
            account = next((a for a in desk.staff.accounts() if a.name == args.name), None)
            if account is None:
                print(f"错误: 没有账号 {args.name}", file=sys.stderr)
                return 2
            desk.core.put_directory(account.replace(status="disabled"), actor)
            print(f"已停用账号 {args.name}。")
        return 0
    finally:
        desk.close()


def add_staff_command(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register `reception staff` on the main parser (desk/cli.py)."""
    p = sub.add_parser(
        "staff", help="logins: staff add NAME --role ROLE (PIN asked), list, disable NAME"
    )
    p.add_argument("action", choices=("add", "list", "disable"))
    p.add_argument(
        "name", nargs="?", help="the login (digits for technicians: the hotline's staff menu)"
    )
    p.add_argument("--role", default="staff", choices=("staff", "guard", "supervisor"))
    p.set_defaults(func=cmd_staff)
