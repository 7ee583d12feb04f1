"""Order status by number (工单查询): work orders, complaints, visits, parcels."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import StringProperty

from kiosk.widgets.common import KioskScreen
from kiosk.widgets.numpad import NumPad

log = logging.getLogger(__name__)


class StatusScreen(KioskScreen):
    """Key in the 11-digit number from a receipt; shows its status history without personal data."""

    number = StringProperty("")
    body = StringProperty("")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请输入工单号"

    def on_enter(self, *_: Any) -> None:
        if not self.number:
            self.open_pad()

    def open_pad(self) -> NumPad:
        return NumPad.ask("请输入工单号", self.lookup, max_len=11, hint="凭条上的11位单号")

    def lookup(self, number: str) -> None:
        self.number = number
        lines = self.app.backend.status_lines(number)
        if lines:  # the number is shown large above: not repeated as body text (issue 18 item 3)
            lines[0] = lines[0].split("·", 1)[-1].strip()
        self.body = "\n".join(lines)
        self.status = "" if lines else "未找到该单号，请核对后重试"

    def reset(self) -> None:
        self.number = self.body = self.status = ""
