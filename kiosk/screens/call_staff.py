"""Call staff (呼叫客服): raises a request on the guard screen; every flow can end here."""

from __future__ import annotations

import logging
from typing import Any

from kiosk.widgets.common import KioskScreen

log = logging.getLogger(__name__)


class CallStaffScreen(KioskScreen):
    """Tells staff someone needs help at this kiosk and says so to the visitor."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "已通知客服，请稍候"

    def on_enter(self, *_: Any) -> None:
        self.app.backend.call_staff()
