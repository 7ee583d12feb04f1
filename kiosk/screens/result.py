"""Result: the end of every flow — a number, what was printed, what happens next."""

from __future__ import annotations

import logging

from kivy.properties import BooleanProperty, StringProperty

from kiosk.widgets.common import KioskScreen

log = logging.getLogger(__name__)


class ResultScreen(KioskScreen):
    """Shows a title, a few lines and the record number; 完成 goes home."""

    heading = StringProperty("")
    body = StringProperty("")
    number = StringProperty("")
    ok = BooleanProperty(True)

    def prepare(
        self,
        title: str = "",
        lines: list[str] | None = None,
        ok: bool = True,
        number: str = "",
        **_: object,
    ) -> None:
        self.heading = title
        self.body = "\n".join(lines or [])
        self.number = number
        self.ok = ok
        self.prompt = title

    def reset(self) -> None:
        self.heading = self.body = self.number = ""
