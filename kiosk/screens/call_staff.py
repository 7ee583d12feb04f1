"""Call staff (呼叫客服): raises a request on the guard screen; every flow can end here."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import BooleanProperty

from kiosk.widgets.common import KioskScreen

log = logging.getLogger(__name__)


class CallStaffScreen(KioskScreen):
    """Tells staff someone needs help at this kiosk and says so to the visitor."""

    emergency = BooleanProperty(False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "已通知客服，请稍候"

    def on_enter(self, *_: Any) -> None:
        self.app.backend.call_staff()

    def raise_emergency(self) -> None:
        """E1: an emergency request, listed first on the guard screen."""
        self.app.backend.emergency()
        self.emergency = True

    def reset(self) -> None:
        self.emergency = False
