"""Staff login: pick the name, key in the PIN; the role comes from the core."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import ListProperty, StringProperty

from kiosk.widgets.common import KioskScreen
from kiosk.widgets.numpad import NumPad

log = logging.getLogger(__name__)


class StaffLoginScreen(KioskScreen):
    """Names as buttons (no typing), then a masked PIN pad."""

    names = ListProperty([])
    message = StringProperty("")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "工作人员登录"

    def prepare(self, **_: Any) -> None:
        names = self.app.backend.staff_names()
        if names == self.names and self.ids.names.children:
            return  # the buttons of the last visit still fit
        self.names = names
        grid = self.ids.names
        grid.clear_widgets()
        from kiosk.widgets.common import BigButton

        for name in self.names:
            btn = BigButton(text=name, color_role="panel", size_hint_y=None, height=96)
            btn.bind(on_release=lambda _b, n=name: self.ask_pin(n))
            grid.add_widget(btn)

    def ask_pin(self, name: str) -> NumPad:
        pad = NumPad.ask(
            f"{name} · {self.tr('密码')}",
            lambda pin: self.login(name, pin),
            max_len=12,
            secret=True,
        )
        return pad

    def login(self, name: str, pin: str) -> None:
        actor = self.app.backend.login(name, pin)
        if actor is None:
            self.message = self.tr("密码错误")
            return
        self.message = ""
        self.app.staff = actor
        self.app.go("guard")

    def reset(self) -> None:
        self.message = ""
