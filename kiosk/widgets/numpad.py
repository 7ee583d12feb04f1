"""Number pad popup for codes, phones, ID numbers and PINs; also takes scanner/keyboard input."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.app import App
from kivy.core.window import Window
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk import theme
from kiosk.widgets.common import BigButton, KioskPopup

log = logging.getLogger(__name__)


def _tr(zh: str) -> str:
    app = App.get_running_app()
    return app.tr(zh) if app else zh


class NumPad(KioskPopup):
    """Digits 0-9 (plus an optional extra key such as X), delete, clear, OK."""

    def __init__(
        self,
        title: str,
        on_done: Callable[[str], None],
        text: str = "",
        max_len: int = 18,
        secret: bool = False,
        extra: str = "",
        hint: str = "",
        **kw: object,
    ) -> None:
        super().__init__(auto_dismiss=False, size_hint=(0.62, 0.96), **kw)
        self.title = title
        self.on_done = on_done
        self.text = text
        self.max_len = max_len
        self.secret = secret
        self.extra = extra
        root = BoxLayout(orientation="vertical", padding=14, spacing=8)
        root.add_widget(
            Label(
                text=_tr(title),
                font_size=theme.FONT,
                color=theme.MUTED,
                size_hint_y=None,
                height=56,
            )
        )
        self.display = Label(
            font_size=theme.FONT_HUGE, color=theme.HIGHLIGHT, size_hint_y=None, height=90
        )
        root.add_widget(self.display)
        self.hint = Label(
            text=hint, font_size=theme.FONT_SMALL, color=theme.MUTED, size_hint_y=None, height=44
        )
        root.add_widget(self.hint)
        grid = GridLayout(cols=3, spacing=8)
        self.buttons: dict[str, BigButton] = {}
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", extra or "清空", "0", "删除"):
            label = _tr(key) if key in ("清空", "删除") else key
            btn = BigButton(
                text=label,
                font_size=theme.FONT_TITLE,
                color_role="warning" if key in ("清空", "删除") else "panel",
            )
            btn.bind(on_release=lambda _b, k=key: self.press(k))
            self.buttons[key] = btn
            grid.add_widget(btn)
        root.add_widget(grid)
        row = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=8)
        cancel = BigButton(text=_tr("取消"), color_role="danger")
        cancel.bind(on_release=lambda *_: self.dismiss())
        ok = BigButton(text=_tr("确定"), color_role="success")
        ok.bind(on_release=lambda *_: self.ok())
        self.buttons["确定"] = ok
        row.add_widget(cancel)
        row.add_widget(ok)
        root.add_widget(row)
        self.add_widget(root)
        self._render()
        Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)

    def press(self, key: str) -> None:
        if key == "删除":
            self.text = self.text[:-1]
        elif key == "清空":
            self.text = ""
        elif len(self.text) < self.max_len:
            self.text += key
        self._render()

    def _render(self) -> None:
        shown = "●" * len(self.text) if self.secret else self.text
        self.display.text = shown + "_"

    def ok(self) -> None:
        self.dismiss()
        self.on_done(self.text)

    def on_dismiss(self) -> None:
        Window.unbind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        super().on_dismiss()

    def _on_textinput(self, _window: object, text: str) -> bool:
        for ch in text:
            if ch.isdigit() or (self.extra and ch.upper() == self.extra):
                self.press(ch.upper())
        return True

    def _on_key_down(self, _window: object, key: int, *_args: object) -> bool:
        if key in (13, 271):
            self.ok()
            return True
        if key == 8:
            self.press("删除")
            return True
        return False
