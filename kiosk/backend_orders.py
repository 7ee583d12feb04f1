"""The staff screens' work orders (R2-R6): a scanned 派工单, next steps, dispatch with the slip."""

from __future__ import annotations

import logging
from typing import Any

from desk.errors import DeskError
from desk.records import format_number
from desk.services.work_orders import ACTION_ZH, TECHNICIAN_ACTIONS

log = logging.getLogger(__name__)


class OrdersMixin:
    """Mixed into ``KioskBackend`` (which provides ``desk``, ``devices``, ``settings``)."""

    desk: Any
    devices: Any
    settings: Any
    app: Any

    def _login(self) -> Any:
        staff = getattr(self.app, "staff", None)
        if staff is None:
            raise DeskError("请先登录")
        return staff

    def open_orders(self) -> list[Any]:
        """Open work orders, the ones at risk (R4) first, then by number."""
        risky = {r.order.number: i for i, r in enumerate(self.desk.orders.at_risk())}
        orders = self.desk.repairs.open()
        return sorted(orders, key=lambda o: (risky.get(o.number, len(risky)), o.number))

    def at_risk_numbers(self) -> dict[str, str]:
        return {r.order.number: r.state for r in self.desk.orders.at_risk()}

    def scanned_order(self, text: str) -> Any | None:
        """The order of a scanned (digits) or typed (2-261123-0007) number; None if not one."""
        digits = "".join(c for c in text if c.isdigit())
        if len(digits) != 11 or not digits.startswith("2"):
            return None
        try:
            return self.desk.orders.get(digits)
        except DeskError:
            return None

    def order_actions(self, order: Any) -> list[tuple[str, str]]:
        """(action, label): the technician's steps by the slip, then the desk's own."""
        login = self._login()
        steps = self.desk.orders.next_actions(order, self.desk.orders.slip_actor(order, login))
        steps = [a for a in steps if a in TECHNICIAN_ACTIONS]
        if login.role.value in ("staff", "supervisor"):
            desk_steps = self.desk.orders.next_actions(order, login)
            steps += [a for a in desk_steps if a not in TECHNICIAN_ACTIONS and a not in steps]
        return [(a, ACTION_ZH[a]) for a in steps]

    def tell_late(self, number: str) -> str:
        """R4: the owner is to be told a promised time will be missed (the notice hook)."""
        order = self.desk.orders.tell_late(number, self._login())
        return f"已登记致歉通知 {format_number(order.number)}，请电话告知业主"

    def escalate(self, number: str) -> str:
        """R4: the at-risk order passed up to the supervisor."""
        order = self.desk.orders.escalate(number, self._login())
        return f"已上报主管 {format_number(order.number)}"

    def periodic_alerts(self) -> list[str]:
        """R4, K2: run every minute by the app (each alert once, in the core)."""
        try:
            return self.desk.reports.alert()
        except DeskError:
            log.exception("periodic alerts failed")
            return []

    def technicians(self) -> list[str]:
        return self.desk.staff.names("staff")

    def order_step(self, number: str, action: str, **kw: Any) -> str:
        """Do one step; what to tell the person at the screen."""
        orders, login = self.desk.orders, self._login()
        order = orders.get(number)
        actor = orders.slip_actor(order, login) if action in TECHNICIAN_ACTIONS else login
        if action == "dispatch":
            order = orders.dispatch(number, actor, kw.get("assignee", ""), kw.get("team", ""))
            return "已派工，" + self.print_dispatch_slip(order)
        if action == "complete":
            order = orders.complete(number, actor, kw.get("work_done", ""), kw.get("materials", ""),
                                    float(kw.get("cost_yuan") or 0))  # fmt: skip
        elif action == "need_parts":
            order = orders.need_parts(number, actor, kw.get("parts", ""))
        elif action == "hand_back":
            order = orders.hand_back(number, actor, kw.get("reason", ""))
        elif action == "cancel":
            order = orders.cancel(number, actor, kw.get("reason", ""))
        elif action == "confirm_price":
            order = orders.confirm_price(number, actor, kw.get("via", "kiosk"))
        else:
            order = getattr(orders, action)(number, actor)
        return f"{ACTION_ZH[action]}：{order.history[-1].note}"

    def print_dispatch_slip(self, order: Any) -> str:
        """R3: the 派工单 into the print queue (printed once the printer confirms it)."""
        from devices.receipts import DISPATCH_SLIP, dispatch_slip

        payload = dispatch_slip(order, self.settings)
        if self.devices is None:  # the desk's PC: the lobby's print queue prints it
            self.desk.printing.enqueue(DISPATCH_SLIP, order.number, payload)
            return "派工单已送往大堂打印机"
        self.devices.print(DISPATCH_SLIP, order.number, payload)
        return "派工单已送打印"
