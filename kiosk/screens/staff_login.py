"""Staff login: pick the name, key in the PIN; the role comes from the core. On first login
(a one-time setup code from `reception staff add`) the person chooses a PIN, twice."""

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
        names = self.app.backend.staff_logins()
        if names == self.names and self.ids.names.children:
            return  # the buttons of the last visit still fit
        self.names = names
        grid = self.ids.names
        grid.clear_widgets()
        from kiosk.widgets.common import BigButton

        for label, login in self.names:
            btn = BigButton(text=label, color_role="panel", size_hint_y=None, height=96)
            btn.bind(on_release=lambda _b, n=login, t=label: self.ask_pin(n, t))
            grid.add_widget(btn)

    def ask_pin(self, login: str, label: str = "") -> NumPad:
        return NumPad.ask(
            f"{label or login} · {self.tr('密码')}",
            lambda pin: self.login(login, pin, label),
            max_len=12,
            secret=True,
        )

    def login(self, login: str, pin: str, label: str = "") -> None:
        actor, message, setup = self.app.backend.staff_login(login, pin)
        if setup:
            self.message = self.tr(message)
            self.choose_pin(login, pin, label)
            return
        self.enter(actor, message or "密码错误")

    def choose_pin(self, login: str, code: str, label: str) -> NumPad:
        """First login: the new PIN twice; the core checks it and stores only its hash."""

        def again(first: str) -> None:
            NumPad.ask(f"{label or login} · {self.tr('再次输入新密码')}",
                       lambda second: confirmed(first, second), max_len=12, secret=True)  # fmt: skip

        def confirmed(first: str, second: str) -> None:
            if first != second:
                self.message = self.tr("两次输入的密码不一致，请重新设置")
                self.choose_pin(login, code, label)
                return
            actor, message, retry = self.app.backend.set_first_pin(login, code, first)
            if retry:
                self.message = self.tr(message)  # a PIN too simple: choose another
                self.choose_pin(login, code, label)
                return
            self.enter(actor, message)

        return NumPad.ask(f"{label or login} · {self.tr('设置新密码（6位数字）')}", again,
                          max_len=12, secret=True)  # fmt: skip

    def enter(self, actor: Any, message: str) -> None:
        if actor is None:
            self.message = self.tr(message)
            return
        self.message = ""
        self.app.staff = actor
        self.app.go("guard")

    def reset(self) -> None:
        self.message = ""
