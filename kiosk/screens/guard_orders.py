"""Staff mode, work orders (R2-R6): scan a 派工单 (the USB scanner types its number + Enter) or
key it in, see the order and offer its next steps; the open orders with the ones at risk first."""

from __future__ import annotations

import logging
from typing import Any

from kivy.core.window import Window

from desk.masking import mask_name, mask_phone
from desk.records import format_number
from desk.validate import unit_label_zh
from desk.workflow import STATUS_ZH
from kiosk import theme
from kiosk.widgets.common import BigButton
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

SCAN_HINT = "请扫描派工单二维码，或按“输入单号”"
PRICE_VIA = (("signed", "派工单签字"), ("kiosk", "终端确认"), ("desk", "电话确认"))
TEXT_COLORS = {"overdue": theme.DANGER, "due_soon": theme.WARNING, "ok": theme.TEXT}


class OrdersMixin:
    """``self.scan`` holds what the scanner typed so far; ``self.order_no`` the order shown."""

    scan: str = ""
    order_no: str = ""

    def bind_scanner(self) -> None:
        """The scanner is a keyboard: its keys reach this section while no popup is open."""
        Window.bind(on_textinput=self._scan_text, on_key_down=self._scan_key)

    def _scanning(self) -> bool:
        app = self.app
        return (
            self.section == "board"
            and app.staff is not None
            and not app.popups
            and self.manager is not None
            and self.manager.current == self.name
        )

    def _scan_text(self, _window: Any, text: str) -> bool:
        if not self._scanning():
            return False
        self.scan = (self.scan + "".join(c for c in text if c.isdigit() or c == "-"))[-20:]
        field = getattr(self, "scan_field", None)
        if field is not None:
            field.text = self.scan or self.tr(SCAN_HINT)
        return True

    def _scan_key(self, _window: Any, key: int, *_: Any) -> bool:
        if not self._scanning() or key not in (13, 271):
            return False
        text, self.scan = self.scan, ""
        self._open_order(text)
        return True

    def _open_order(self, text: str) -> None:
        if not text:
            return
        order = self.app.backend.scanned_order(text)
        if order is None:
            self.notice = f"{self.tr('未找到该工单')}：{text}"
            self.order_no = ""
        else:
            self.notice = ""
            self.order_no = order.number
        self.show("board")
        self.ids.scroll.scroll_y = 1  # the opened order and its steps are at the top

    # -- the section --------------------------------------------------------------
    def _show_board(self) -> None:
        """The scan field, the scanned order with its steps, then every promised time (R4,
        C3, R5, P4, E1) most pressing first, each work order with its actions."""
        b = self.app.backend
        self.scan_field = self._text(self.scan or self.tr(SCAN_HINT), theme.HIGHLIGHT)
        self._bar([
            ("输入单号", "primary", lambda: NumPad.ask("工单号", self._open_order, max_len=11)),
            ("登记投诉", "neutral", lambda: self.app.go("complaint", staff=True)),  # C1
            (f"{self.tr('回拨来电')}（{len(b.callback_list())}）", "warning",
             lambda: self.show("callbacks")),  # T3
        ])  # fmt: skip
        self._collective_banner()  # C2
        if self.order_no:
            self._show_one(b.get(self.order_no))
        items = b.due_report()
        if not items:
            self._text("没有待办时限", theme.MUTED)
        for item in items[:40]:
            flag = {"overdue": " 已超时", "due_soon": " 即将超时", "ok": ""}[item.state]
            self._text(f"{format_number(item.number)}  {item.what} {item.due:%m-%d %H:%M}{flag}  "
                       f"{item.summary}", TEXT_COLORS[item.state])  # fmt: skip
            if str(item.kind) not in ("complaint", "work_order"):
                continue
            grid = self._grid(cols=3)
            if str(item.kind) == "complaint":
                btn = BigButton(text=self.tr("办理"), color_role="neutral")
                btn.bind(on_release=lambda _b, n=item.number: self._complaint_menu(n))
                grid.add_widget(btn)
                continue
            actions = [("办理", "neutral", lambda n=item.number: self._open_order(n))]
            if item.state != "ok" and item.what in ("派工", "到场"):
                actions.append(("告知业主", "warning", lambda n=item.number: b.tell_late(n)))
                actions.append(("上报主管", "danger", lambda n=item.number: b.escalate(n)))
            for zh, role, fn in actions:
                btn = BigButton(text=self.tr(zh), color_role=role)
                btn.bind(on_release=lambda _b, fn=fn: self._run(fn))
                grid.add_widget(btn)

    def _show_one(self, order: Any) -> None:
        b = self.app.backend
        lines = [
            f"{format_number(order.number)}  {STATUS_ZH.get(order.status, order.status)}"
            + ("  【急修】" if order.urgent else ""),
            f"{unit_label_zh(order.location)}  {order.description}",
            f"{self.tr('联系人')} {mask_name(order.contact_name)} {mask_phone(order.contact_phone)}",
        ]
        who = "、".join(x for x in (order.team, order.assignee) if x)
        if who:
            lines.append(f"{self.tr('派给')} {who}")
        if order.on_site_by:
            lines.append(f"{self.tr('到场时限')} {order.on_site_by:%m-%d %H:%M}")
        if order.paid:
            state = "已确认" if order.price_confirmed else "待业主确认"
            lines.append(f"{self.tr('有偿服务')} ¥{order.price_yuan:.2f} {self.tr(state)}")
        self._text("\n".join(lines))
        actions = b.order_actions(order)
        if order.audio_path:  # a spoken repair note (hotline or kiosk)
            self._bar([("播放录音", "neutral", lambda: b.play(order.number))])
        if not actions:
            self._text("此工单当前没有可办理的操作", theme.MUTED)
            return
        grid = self._grid(cols=4)
        for action, zh in actions:
            role = {"cancel": "danger", "hand_back": "warning", "complete": "success"}.get(
                action, "primary"
            )
            btn = BigButton(text=self.tr(zh), color_role=role)
            btn.bind(on_release=lambda _b, a=action: self._order_step(order.number, a))
            grid.add_widget(btn)

    def _order_step(self, number: str, action: str) -> None:
        b = self.app.backend

        def run(**kw: Any) -> None:
            self._run(lambda: b.order_step(number, action, **kw))

        if action == "dispatch":
            names = [(n, n) for n in b.technicians()]
            ChoicePopup("派给维修人员", names, lambda n: run(assignee=n), cols=3).open()
        elif action == "complete":

            def cost(done: str) -> None:
                NumPad.ask("费用（元，无则直接确定）",
                           lambda c: run(work_done=done, cost_yuan=int(c) if c else 0), max_len=6)  # fmt: skip

            PinyinKeyboard.ask("完成内容", cost, mode="zh", max_len=200)
        elif action in ("need_parts", "hand_back", "cancel"):
            key = "parts" if action == "need_parts" else "reason"
            title = {"need_parts": "需要的配件", "hand_back": "退回原因", "cancel": "取消原因"}[
                action
            ]
            PinyinKeyboard.ask(title, lambda t: run(**{key: t}), mode="zh", max_len=200)
        elif action == "confirm_price":
            ChoicePopup("业主如何确认价格", PRICE_VIA, lambda v: run(via=v), cols=3).open()
        else:
            run()
