"""`reception blocklist|renovations|on-site`: the visitor desk for the administrator and scripts."""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from datetime import date, time
from typing import Any

from desk.config import Settings
from desk.errors import DeskError
from desk.masking import mask_name
from desk.records import Actor, Role
from desk.validate import unit_label_zh

log = logging.getLogger(__name__)


def _actor(args: argparse.Namespace) -> Actor:
    """Access to the data directory is the gate; the audit names the OS user and --by."""
    user = os.environ.get("USER") or getpass.getuser()
    return Actor(Role.STAFF, args.by or user, f"cli:{user}")


def _read_id() -> str:
    """The ID number, typed at a hidden prompt or piped in: never an argument (ps, history)."""
    if sys.stdin.isatty():
        return getpass.getpass("证件号码（输入时不显示）: ").strip()
    return sys.stdin.readline().strip()


def _open(settings: Settings) -> Any:
    from desk.service import Desk

    return Desk.open(settings)


def cmd_blocklist(args: argparse.Namespace, settings: Settings) -> int:
    from desk.services.requests import BlockRequest

    desk = _open(settings)
    try:
        if args.action == "add":
            if not (args.name and args.reason and args.decided_by):
                raise DeskError("add 需要 --name、--reason 和 --decided-by")
            entry = desk.blocklist.add(
                BlockRequest(_read_id(), args.name, args.reason, args.decided_by,
                             id_type=args.id_type, until=args.until),
                _actor(args),
            )  # fmt: skip
            print(f"已加入黑名单: {entry.number} {mask_name(entry.name)}"
                  f"（至 {entry.until or '长期'}，决定人 {entry.decided_by}）")  # fmt: skip
        elif args.action == "remove":
            if not args.entry:
                raise DeskError("remove 需要黑名单编号（见 reception blocklist list）")
            entry = desk.blocklist.remove(args.entry, _actor(args), args.reason or "移出黑名单")
            print(f"已移出黑名单: {entry.number} {mask_name(entry.name)}")
        else:
            entries = desk.blocklist.entries(include_ended=args.all)
            for e in entries:
                state = "有效" if e.blocks(desk.now().date()) else "已结束"
                print(f"{e.number}  {mask_name(e.name)}  {state}  至 {e.until or '长期'}  "
                      f"决定人 {e.decided_by}  原因: {e.reason}")  # fmt: skip
            print(f"共 {len(entries)} 条。")
    finally:
        desk.close()
    return 0


def cmd_renovations(args: argparse.Namespace, settings: Settings) -> int:
    from desk.services.requests import RenovationRequest

    desk = _open(settings)
    try:
        if args.action == "add":
            flags = {"unit": "--unit", "company": "--company", "permit": "--permit",
                     "first_day": "--from", "last_day": "--to"}  # fmt: skip
            missing = [flag for name, flag in flags.items() if not getattr(args, name)]
            if missing:
                raise DeskError("add 需要 " + "、".join(missing))
            reno = desk.renovations.add(
                RenovationRequest(args.unit, args.company, args.permit, args.first_day,
                                  args.last_day, args.hours_from, args.hours_until,
                                  tuple(w for w in args.workers.split(",") if w.strip()),
                                  not args.weekends, args.phone),
                _actor(args),
            )  # fmt: skip
            print("已登记装修: " + desk.renovations.describe(reno))
        else:
            found = desk.renovations.listing(include_ended=args.all)
            for r in found:
                workers = "、".join(mask_name(w) for w in r.workers) or "—"
                print(desk.renovations.describe(r) + f"  工人 {workers}")
            print(f"共 {len(found)} 项。")
    finally:
        desk.close()
    return 0


def cmd_on_site(args: argparse.Namespace, settings: Settings) -> int:
    """Everyone signed in and not out, for an evacuation roll call (names masked, X1)."""
    from desk.record_types import VISITOR_KINDS

    desk = _open(settings)
    try:
        desk.visits.tick()
        inside = desk.visits.on_site()
        print(f"在场人员 {desk.now():%Y-%m-%d %H:%M}: {len(inside)} 批，"
              f"共 {sum(v.party_size for v in inside)} 人")  # fmt: skip
        for v in inside:
            since = (v.time_in or v.created_at).strftime("%H:%M")
            print(f"  {mask_name(v.visitor_name)}  {VISITOR_KINDS.get(v.visitor_kind, '')}  "
                  f"{v.party_size}人  拜访 {unit_label_zh(v.host_unit)}  {since} 入场"
                  + (f"  {v.plate}" if v.plate else ""))  # fmt: skip
    finally:
        desk.close()
    return 0


def _clock(text: str) -> time:
    return time.fromisoformat(text)


def register(sub: Any) -> None:
    """Add the visitor desk's commands to `reception`'s parser (desk/cli.py)."""
    from desk.cli import _lazy

    p = sub.add_parser("blocklist", help="黑名单: blocklist add|list|remove (ID read from stdin)")
    p.add_argument("action", choices=["add", "list", "remove"])
    p.add_argument("entry", nargs="?", help="remove: the entry number (B...)")
    p.add_argument("--name")
    p.add_argument("--reason", help="add: why (staff only; never shown at the kiosk)")
    p.add_argument("--decided-by", help="add: who decided")
    p.add_argument("--until", type=date.fromisoformat, help="add: last day (YYYY-MM-DD)")
    p.add_argument("--id-type", default="resident_id")
    p.add_argument("--all", action="store_true", help="list: also ended and removed entries")
    p.add_argument("--by", help="your name for the audit (default: the OS user)")
    p.set_defaults(func=_lazy("desk.cli_visitors", "cmd_blocklist"))

    p = sub.add_parser("renovations", help="装修登记 (V4): renovations add|list")
    p.add_argument("action", choices=["add", "list"])
    p.add_argument("--unit", help="1-1-101")
    p.add_argument("--company")
    p.add_argument("--permit", help="the permit number workers key in")
    p.add_argument("--from", dest="first_day", type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="last_day", type=date.fromisoformat, metavar="YYYY-MM-DD")
    p.add_argument("--hours-from", type=_clock, default=time(8, 0), metavar="HH:MM")
    p.add_argument("--hours-until", type=_clock, default=time(18, 0), metavar="HH:MM")
    p.add_argument("--workers", default="", help="names, comma separated")
    p.add_argument("--phone", default="", help="the company's contact phone")
    p.add_argument("--weekends", action="store_true", help="work allowed on rest days too")
    p.add_argument("--all", action="store_true", help="list: also ended renovations")
    p.add_argument("--by", help="your name for the audit (default: the OS user)")
    p.set_defaults(func=_lazy("desk.cli_visitors", "cmd_renovations"))

    p = sub.add_parser("on-site", help="在场人员: everyone signed in and not out (evacuation)")
    p.set_defaults(func=_lazy("desk.cli_visitors", "cmd_on_site"))


__all__ = ["register"]
