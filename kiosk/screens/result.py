"""Result: the end of every flow — a number, what was printed, what happens next."""

from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.widgets.common import BigButton, KioskScreen

log = logging.getLogger(__name__)


class ResultScreen(KioskScreen):
    """Shows a title, a few lines and the record number; 完成 goes home."""

    heading = StringProperty("")
    body = StringProperty("")
    number = StringProperty("")
    ok = BooleanProperty(True)
    actions = ListProperty([])
    """(label, screen) buttons besides 完成: a refusal is never a dead end (再试一次, 呼叫客服)."""

    def prepare(
        self,
        title: str = "",
        lines: list[str] | None = None,
        ok: bool = True,
        number: str = "",
        actions: list[tuple[str, str]] | None = None,
        **_: object,
    ) -> None:
        self.heading = title
        self.body = "\n".join(lines or [])
        self.number = number
        self.ok = ok
        self.prompt = title
        self.actions = list(actions or [])

    def on_actions(self, *_: object) -> None:
        box = self.ids.get("actions")
        if box is None:
            return
        for btn in [w for w in box.children if getattr(w, "screen_name", "")]:
            box.remove_widget(btn)
        for label, screen in reversed(self.actions):
            btn = WayOnButton(zh=label, screen_name=screen)
            btn.color_role = "danger" if screen == "call_staff" else "primary"
            btn.bind(on_release=lambda b: self.app.go(b.screen_name))
            box.add_widget(btn, index=len(box.children))

    def reset(self) -> None:
        self.heading = self.body = self.number = ""
        self.actions = []


class WayOnButton(BigButton):
    """A result screen's way on (再试一次 → the same screen, 呼叫客服 → call staff)."""

    screen_name = StringProperty("")
