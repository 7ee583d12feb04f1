"""`reception orders list|show|dispatch|accept|arrive|complete|cancel`: the work-order steps (R2-R6)
for the local administrator and scripts; access to the data directory is the gate, and each
step is audited with the OS user and the name given with ``--by``."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import Any

from desk.config import Settings
from desk.errors import DeskError
from desk.masking import mask_name, mask_phone
from desk.records import Actor, Role, format_number
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH

log = logging.getLogger(__name__)

DISPATCH_SLIP = "dispatch_slip"
"""The receipt kind of the 派工单 (devices.receipts.DISPATCH_SLIP)."""
STEPS = ("dispatch", "accept", "arrive", "complete", "cancel")


def cli_actor(by: str) -> Actor:
    """The staff actor of a command: the name given with --by, the OS user as the source."""
    try:
        os_user = getpass.getuser()
    except (KeyError, OSError):
        os_user = "unknown"
    return Actor(Role.STAFF, (by or os_user).strip(), f"cli:{os_user}")


def _line(order: Any) -> str:
    flag = "【急】" if order.urgent else ""
    who = "、".join(x for x in (order.team, order.assignee) if x)
    return (
        f"{flag}{format_number(order.number)}  {STATUS_ZH.get(order.status, order.status)}  "
        f"{unit_label_zh(order.location)}  {order.description[:20]}" + (f"  → {who}" if who else "")
    )


def _show(desk: Any, order: Any) -> None:
    print(_line(order))
    print(f"  联系人 {mask_name(order.contact_name)} {mask_phone(order.contact_phone)}")
    for name, label in (("dispatch_by", "派工时限"), ("on_site_by", "到场时限"),
                        ("arrived_at", "到场时间"), ("follow_up_by", "回访时限")):  # fmt: skip
        value = getattr(order, name)
        if value is not None:
            print(f"  {label} {value:%Y-%m-%d %H:%M}")
    if order.paid:
        state = f"已确认（{order.price_confirmed_via}）" if order.price_confirmed else "待业主确认"
        print(f"  有偿服务 ¥{order.price_yuan:.2f} {state}")
    if order.work_done or order.materials or order.cost_yuan:
        print(f"  完成内容 {order.work_done}  材料 {order.materials}  费用 ¥{order.cost_yuan:.2f}")
    if order.cancel_reason:
        print(f"  取消原因 {order.cancel_reason}")
    print("  记录:")
    for h in order.history:
        print(f"    {h.at:%m-%d %H:%M} {STATUS_ZH.get(h.status, h.status)} {h.actor.name} {h.note}")


def queue_dispatch_slip(desk: Any, order: Any) -> str:
    """R3: the 派工单 asked of the lobby printer's process (it lays it out and confirms it)."""
    job = desk.printing.request(DISPATCH_SLIP, order.number)
    return str(job.number)


def cmd_orders(args: argparse.Namespace, settings: Settings) -> int:
    from desk.service import Desk

    desk = Desk.open(settings)
    try:
        if args.step == "list":
            open_orders = desk.repairs.open()
            if args.status:
                open_orders = [o for o in open_orders if o.status == args.status]
            for order in sorted(open_orders, key=lambda o: o.number):
                print(_line(order))
            print(f"共 {len(open_orders)} 张未结工单。")
            return 0
        if not args.number:
            print("错误: 请给出工单号", file=sys.stderr)
            return 2
        number = args.number.replace("-", "")
        if args.step == "show":
            _show(desk, desk.orders.get(number))
            return 0
        actor = cli_actor(args.by)
        orders = desk.orders
        if args.step == "dispatch":
            order = orders.dispatch(number, actor, args.to or "", args.team or "")
            if not args.no_print:
                job = queue_dispatch_slip(desk, order)
                print(f"派工单已加入打印队列（打印任务 {job}，由接待终端的打印机打印）。")
        elif args.step == "accept":
            order = orders.accept(number, actor)
        elif args.step == "arrive":
            order = orders.arrive(number, actor)
        elif args.step == "complete":
            if args.price_confirmed_by:
                orders.confirm_price(number, actor, args.price_confirmed_by)
            order = orders.complete(number, actor, args.done or "", args.materials or "",
                                    args.cost, args.large)  # fmt: skip
        else:
            order = orders.cancel(number, actor, args.reason or "")
        print(_line(order))
        print(f"  {order.history[-1].note}（{actor.name}，{actor.source}）")
        return 0
    except DeskError as exc:
        print(f"错误: {exc}", file=sys.stderr)
        return 2
    finally:
        desk.close()


def add_orders_command(sub: argparse._SubParsersAction) -> None:  # noqa: SLF001
    """Register `reception orders` on the main parser (desk/cli.py)."""
    p = sub.add_parser(
        "orders", help="work orders: list, show, dispatch, accept, arrive, complete, cancel"
    )
    p.add_argument("step", choices=("list", "show", *STEPS))
    p.add_argument(
        "number", nargs="?", help="the order number (2-261123-0007 or the scanned digits)"
    )
    p.add_argument("--by", default="", help="who does it (default: the OS user); audited")
    p.add_argument("--to", help="dispatch: the technician's name")
    p.add_argument("--team", help="dispatch: the team (水电组, 土建组...)")
    p.add_argument("--no-print", action="store_true", help="dispatch: do not queue the 派工单")
    p.add_argument("--done", help="complete: what was done")
    p.add_argument("--materials", help="complete: materials used")
    p.add_argument("--cost", type=float, default=0.0, help="complete: cost to the owner, yuan")
    p.add_argument(
        "--large", action="store_true", help="complete: a large project (R5: 30-day follow-up)"
    )
    p.add_argument("--price-confirmed-by", choices=("phone", "kiosk", "signed", "desk"),
                   help="complete: R6, how the owner confirmed the price")  # fmt: skip
    p.add_argument("--reason", help="cancel: why (required, R3)")
    p.add_argument("--status", help="list: only this status (received, dispatched...)")
    p.set_defaults(func=cmd_orders)
