"""Visitor check-out by the pass code, keyed in or scanned (V1: time out)."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.widgets.common import KioskScreen
from kiosk.widgets.numpad import NumPad

log = logging.getLogger(__name__)


class CheckoutScreen(KioskScreen):
    """A number pad for the pass code; a scanner types it with Enter."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请输入或扫描访客凭条上的通行码"
        self.pad: NumPad | None = None

    def on_enter(self, *_: Any) -> None:
        self.open_pad()

    def open_pad(self) -> NumPad:
        self.pad = NumPad.ask("请输入或扫描访客凭条上的通行码", self.done, max_len=12)
        return self.pad

    def done(self, code: str) -> None:
        if not code:
            return
        try:
            visit = self.app.backend.check_out(code)
        except Exception as exc:
            # never a dead end: try the code again, or call staff (issue 18 item 2)
            log.info("check-out refused: %s", exc)
            self.app.show_result(
                "通行码不正确",
                ["请核对凭条上的通行码后再试一次，或呼叫客服"],
                ok=False,
                actions=[("再试一次", "checkout"), ("呼叫客服", "call_staff")],
            )
            return
        self.app.show_result("已登记离开，谢谢，再见", [], number=visit.number)
