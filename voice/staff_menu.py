"""The technicians' staff menu on the hotline (R3): staff id + PIN, an order, 1 到场 / 2 完工 /
3 需要配件 / 4 退回; every step goes through the core (desk.staff.login with its lockout,
desk.orders) and is audited with the technician's login."""

from __future__ import annotations

import logging
import tomllib
from typing import TYPE_CHECKING

from desk.errors import DeskError, LockedOut
from desk.records import Actor, Role
from desk.services.base import AuthError, NotFound
from desk.services.work_orders import ACTION_ZH
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH, TransitionRefused
from voice.menu import Menu, Option
from voice.prompts import PROMPTS_DIR

if TYPE_CHECKING:
    from voice.flows import InboundCall

log = logging.getLogger(__name__)

FILE = PROMPTS_DIR / "staff_menu.toml"
LOGIN_TRIES = 2
"""Tries per call; the core's lockout counts every failure across calls and terminals."""
MAY_ACT = (Role.STAFF, Role.SUPERVISOR)


def load() -> tuple[dict[str, str], dict[str, Menu]]:
    """The staff menu's prompts and menus (assets/prompts/staff_menu.toml)."""
    doc = tomllib.loads(FILE.read_text(encoding="utf-8"))
    menus = {}
    for name, t in doc["menus"].items():
        options = tuple(Option(str(o["key"]), str(o["next"]), tuple(o.get("words", ())))
                        for o in t["options"])  # fmt: skip
        menus[name] = Menu(name, t["prompt"], options, float(t.get("timeout_s", 6.0)),
                           int(t.get("retries", 3)), t.get("on_fail", "end"),
                           bool(t.get("emergency", True)))  # fmt: skip
    return dict(doc["prompts"]), menus


def _install(call: InboundCall) -> None:
    texts, menus = load()
    for key, text in texts.items():
        call.d.prompts.texts.setdefault(key, text)
    for name, menu in menus.items():
        call.d.menus.setdefault(name, menu)


def _login(call: InboundCall) -> Actor | None:
    desk, d = call.desk, call.d
    source = f"hotline:{call.ch.caller or 'unknown'}"
    for _ in range(LOGIN_TRIES):
        staff_id = d.digits("staff_id", max_len=12, timeout=call.digit_timeout_s)
        if not staff_id:
            return None
        pin = d.digits("staff_pin", max_len=12, timeout=call.digit_timeout_s)
        if not pin:
            return None
        try:
            actor = desk.staff.login(staff_id, pin, source=source)
        except LockedOut:
            d.say("staff_locked")
            return None
        except AuthError:
            d.say("staff_login_failed")
            continue
        if actor.role not in MAY_ACT:
            d.say("staff_not_allowed")
            return None
        return actor
    return None


def _act(call: InboundCall, actor: Actor, number: str, choice: str) -> None:
    orders, d = call.desk.orders, call.d
    done = {
        "arrive": lambda: orders.arrive(number, actor),
        "complete": lambda: orders.complete(number, actor, "维修人员电话报完工"),
        "need_parts": lambda: orders.need_parts(number, actor),
        "hand_back": lambda: orders.hand_back(number, actor, "维修人员电话退回"),
    }
    try:
        order = done[choice]()
    except TransitionRefused as exc:
        d.say("staff_price_unconfirmed" if "R6" in exc.reason else "staff_refused",
              action=ACTION_ZH[choice])  # fmt: skip
        return
    call.result.records.append(order.number)
    d.say("staff_done", action=ACTION_ZH[choice], status=STATUS_ZH.get(order.status, order.status))


def flow_staff(call: InboundCall) -> str | None:
    """Main-menu key 6: a technician reports arrival, completion, parts or hands back."""
    _install(call)
    call.result.purpose = "staff"
    call.d.state.path.append("STAFF")
    actor = _login(call)
    if actor is None:
        return "flow:goodbye"
    while True:
        number = call.d.digits("ask_order", max_len=11, timeout=call.digit_timeout_s)
        if not number:
            return "flow:goodbye"
        try:
            order = call.desk.orders.get(number)
        except (NotFound, DeskError):
            call.d.say("order_unknown")
            continue
        call.d.say("staff_order", number=order.number, place=unit_label_zh(order.location),
                   status=STATUS_ZH.get(order.status, order.status))  # fmt: skip
        choice = call.d.menu("staff_action")
        if choice == "end":
            return "flow:goodbye"
        if choice != "other":
            _act(call, actor, order.number, choice)
            if call.d.menu("staff_more") != "more":
                return "flow:goodbye"
