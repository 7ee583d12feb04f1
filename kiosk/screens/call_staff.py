"""Call staff (呼叫客服): raises a request on the guard screen; every flow can end here."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.widgets.common import KioskScreen
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

EMERGENCY_KINDS = ("漏水爆管", "停电", "着火冒烟", "燃气泄漏", "电梯困人", "有人受伤", "其他")
"""E1: what the kiosk asks after the emergency is on record (one tap)."""


class CallStaffScreen(KioskScreen):
    """Tells staff someone needs help at this kiosk and says so to the visitor."""

    emergency = BooleanProperty(False)
    advice = StringProperty("")
    """E1: what the core says to tell the person (call 119/110/120), shown in red."""
    lines = ListProperty([])
    """What really happens (L1): staff called in hours; after them the guard on duty, the
    staffed hours and the duty phone (``backend.call_staff_lines``)."""
    after_hours = BooleanProperty(False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "已通知客服，请稍候"

    def prepare(self, **_: Any) -> None:
        backend = self.app.backend
        self.after_hours = not backend.staffed_now()
        self.lines = backend.call_staff_lines()
        self.prompt = self.lines[0]

    def on_enter(self, *_: Any) -> None:
        self.app.backend.call_staff()

    def raise_emergency(self) -> None:
        """E1: the core's emergency operation: listed first on the guard screen and the desk."""
        outcome = self.app.backend.emergency()  # recorded first (E1), then asked what
        self.advice = outcome.advice or ""
        self.emergency = True
        number = outcome.request.number

        def told(what: str) -> None:
            self.app.backend.emergency_details(number, what)

        options = [(w, w) for w in EMERGENCY_KINDS]
        ChoicePopup("发生了什么？", options, told, cols=3).open()

    def reset(self) -> None:
        self.emergency = False
        self.advice = ""
