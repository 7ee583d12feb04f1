"""Number pad popup for codes, phones, ID numbers and PINs; also takes scanner/keyboard input."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.app import App
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk import theme
from kiosk.widgets.common import BigButton, TypingPopup

log = logging.getLogger(__name__)


def _tr(zh: str) -> str:
    app = App.get_running_app()
    return app.tr(zh) if app else zh


class NumPad(TypingPopup):
    """Digits 0-9 (plus an optional extra key such as X), delete, clear, OK.

    Built once and reused: ``NumPad.ask(...)`` configures the shared pad and opens it (building
    its 15 buttons costs more than a whole screen change). A second pad is built only when the
    shared one is already open.
    """

    _shared: NumPad | None = None

    @classmethod
    def ask(
        cls,
        title: str,
        on_done: Callable[[str], None],
        text: str = "",
        max_len: int = 18,
        secret: bool = False,
        extra: str = "",
        hint: str = "",
        mask_keep: int = -1,
    ) -> NumPad:
        """The shared pad set up for this question and opened.

        ``mask_keep`` >= 0 masks what is typed but its last ``mask_keep`` characters (ID numbers,
        X1); a press-and-hold 按住显示 key shows it whole while held."""
        pad = cls.reusable()
        pad.configure(title, on_done, text, max_len, secret, extra, hint, mask_keep)
        pad.open()
        return pad

    def __init__(self, **kw: object) -> None:
        super().__init__(auto_dismiss=False, size_hint=(0.62, 0.96), **kw)
        self.title = ""
        self.on_done = None
        self.text = ""
        self.max_len = 18
        self.secret = False
        self.extra = ""
        self.mask_keep = -1
        self.hint_zh = ""
        self.revealed = False
        root = BoxLayout(orientation="vertical", padding=14, spacing=8)
        self.title_label = Label(
            font_size=theme.FONT, color=theme.MUTED, size_hint_y=None, height=56
        )
        root.add_widget(self.title_label)
        line = BoxLayout(size_hint_y=None, height=90, spacing=8)
        self.display = Label(font_size=theme.FONT_HUGE, color=theme.HIGHLIGHT)
        line.add_widget(self.display)
        self.reveal = BigButton(color_role="neutral", size_hint_x=None, width=0, opacity=0)
        self.reveal.bind(state=lambda _b, st: self._reveal(st == "down"))
        line.add_widget(self.reveal)
        root.add_widget(line)
        self.hint = Label(
            font_size=theme.FONT_SMALL, color=theme.MUTED, size_hint_y=None, height=44
        )
        root.add_widget(self.hint)
        grid = GridLayout(cols=3, spacing=8)
        self.buttons: dict[str, BigButton] = {}
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "清空", "0", "删除"):
            btn = BigButton(
                text=key,
                font_size=theme.FONT_TITLE,
                color_role="warning" if key in ("清空", "删除") else "panel",
            )
            btn.pad_key = key
            btn.bind(on_release=lambda b: self.press(b.pad_key))
            self.buttons[key] = btn
            grid.add_widget(btn)
        self._extra_button = self.buttons["清空"]
        root.add_widget(grid)
        row = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=8)
        self._cancel = BigButton(color_role="danger")
        self._cancel.bind(on_release=lambda *_: self.dismiss())
        ok = BigButton(color_role="success")
        ok.bind(on_release=lambda *_: self.ok())
        self.buttons["确定"] = ok
        row.add_widget(self._cancel)
        row.add_widget(ok)
        root.add_widget(row)
        self.add_widget(root)

    def configure(
        self,
        title: str,
        on_done: Callable[[str], None],
        text: str = "",
        max_len: int = 18,
        secret: bool = False,
        extra: str = "",
        hint: str = "",
        mask_keep: int = -1,
    ) -> None:
        """Set the question; texts follow the current language."""
        self.title = title
        self.on_done = on_done
        self.text = text
        self.max_len = max_len
        self.secret = secret
        self.extra = extra
        self.mask_keep = mask_keep
        self.revealed = False
        masking = mask_keep >= 0
        self.reveal.width = 200 if masking else 0
        self.reveal.opacity = 1 if masking else 0
        self.reveal.disabled = not masking
        self.hint_zh = hint
        # the key left of 0 is the extra key (X of an ID number) or 清空
        btn = self._extra_button
        self.buttons.pop(btn.pad_key, None)
        btn.pad_key = extra or "清空"
        btn.color_role = "panel" if extra else "warning"
        self.buttons[btn.pad_key] = btn
        self.retranslate()
        app = App.get_running_app()
        if app is not None:  # 长辈模式: larger type; the number pad's keys are large already
            self.title_label.font_size = self.hint.font_size = app.font_small
            self.display.font_size = app.font_huge
        self._render()

    def retranslate(self) -> None:
        """Texts in the current language (also while open: the language button works)."""
        self.title_label.text = _tr(self.title)
        self.hint.text = _tr(self.hint_zh) if self.hint_zh else ""
        self.reveal.text = _tr("按住显示")
        self._extra_button.text = self.extra or _tr("清空")
        self.buttons["删除"].text = _tr("删除")
        self._cancel.text = _tr("取消")
        self.buttons["确定"].text = _tr("确定")

    def place(self, app: object) -> None:
        """Portrait stands: the pad across the bottom half, within reach; else centred."""
        if getattr(app, "portrait", False):
            self.size_hint = (1, 0.52)
            self.pos_hint = {"x": 0, "y": 0}
        else:
            self.size_hint = (0.62, 0.96)
            self.pos_hint = {}

    def press(self, key: str) -> None:
        if key == "删除":
            self.text = self.text[:-1]
        elif key == "清空":
            self.text = ""
        elif len(self.text) < self.max_len:
            self.text += key
            self._read_back(key)
        self._render()

    def _read_back(self, key: str) -> None:
        """长辈模式: each digit is read back as it is pressed (never a PIN or an ID number)."""
        app = App.get_running_app()
        if app is not None and app.elder and not self.secret and self.mask_keep < 0:
            app.say(key)

    def _reveal(self, held: bool) -> None:
        self.revealed = held
        self._render()

    def shown(self) -> str:
        """What the display shows: PINs as dots, ID numbers masked but the last digits (X1)."""
        if self.secret:
            return "●" * len(self.text)
        if self.mask_keep >= 0 and not self.revealed:
            hidden = max(0, len(self.text) - self.mask_keep)
            return "*" * hidden + self.text[hidden:]
        return self.text

    def _render(self) -> None:
        self.display.text = self.shown() + "_"

    def ok(self) -> None:
        self.dismiss()
        done, self.on_done = self.on_done, None
        text, self.text = self.text, ""
        self.revealed = False
        self._render()
        if done is not None:
            done(text)

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
