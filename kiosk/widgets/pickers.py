"""Choice grid popup and the building → unit → room picker (never free text for a host)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from kivy.app import App
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from kiosk import theme
from kiosk.widgets.common import BigButton, KioskPopup

log = logging.getLogger(__name__)

UnitTree = dict[str, dict[str, list[str]]]
"""{building: {unit: [room, ...]}}; the unit key is "building-unit-room"."""


def _tr(zh: str) -> str:
    app = App.get_running_app()
    return app.tr(zh) if app else zh


class ChoicePopup(KioskPopup):
    """A grid of big buttons; tapping one calls ``on_done(value)``."""

    def __init__(
        self,
        title: str,
        options: Sequence[tuple[str, str]],
        on_done: Callable[[str], None],
        cols: int = 3,
        **kw: object,
    ) -> None:
        super().__init__(auto_dismiss=False, size_hint=(0.9, 0.9), **kw)
        self.on_done = on_done
        self.title_zh = title
        app = App.get_running_app()
        self.target = getattr(app, "target", theme.TARGET)
        self.title_label = Label(
            text=_tr(title),
            font_size=getattr(app, "font_title", theme.FONT_TITLE),
            size_hint_y=None,
            height=70,
        )
        self.grid = GridLayout(
            cols=cols,
            spacing=10,
            size_hint_y=None,
            row_default_height=self.target,
            row_force_default=True,
        )
        self.grid.bind(minimum_height=self.grid.setter("height"))
        self.buttons: dict[str, BigButton] = {}
        root = BoxLayout(orientation="vertical", padding=14, spacing=10)
        root.add_widget(self.title_label)
        scroll = ScrollView(do_scroll_x=False)
        scroll.add_widget(self.grid)
        root.add_widget(scroll)
        self.bottom = BoxLayout(size_hint_y=None, height=self.target, spacing=10)
        cancel = BigButton(zh="取消", text=_tr("取消"), color_role="danger")
        cancel.bind(on_release=lambda *_: self.dismiss())
        self.bottom.add_widget(cancel)
        root.add_widget(self.bottom)
        self.add_widget(root)
        self.set_options(options)

    def set_options(self, options: Sequence[tuple[str, str]]) -> None:
        self.grid.clear_widgets()
        self.buttons = {}
        for value, label in options:
            btn = BigButton(zh=label, text=_tr(label), color_role="panel")
            btn.bind(on_release=lambda _b, v=value: self.pick(v))
            self.buttons[value] = btn
            self.grid.add_widget(btn)

    def pick(self, value: str) -> None:
        self.dismiss()
        self.on_done(value)

    def retranslate(self) -> None:
        """Texts in the current language (also while open: the language button works)."""
        self.title_label.text = _tr(self.title_zh)
        for btn in [*self.grid.children, *self.bottom.children]:
            if btn.zh:
                btn.text = _tr(btn.zh)

    def place(self, app: object) -> None:
        """Portrait stands: the choices across the lower part of the screen, within reach."""
        if getattr(app, "portrait", False):
            self.size_hint = (1, 0.6)
            self.pos_hint = {"x": 0, "y": 0}


class UnitPicker(ChoicePopup):
    """Three steps: 楼栋, 单元, 房号; ``on_done("3-2-501")``."""

    def __init__(self, tree: UnitTree, on_done: Callable[[str], None], **kw: object) -> None:
        self.tree = tree
        self.path: list[str] = []
        super().__init__("楼栋", [], on_done, cols=4, **kw)
        back = BigButton(zh="上一步", text=_tr("上一步"), color_role="neutral")
        back.bind(on_release=lambda *_: self.back())
        self.bottom.add_widget(back)
        self._show()

    def _show(self) -> None:
        if not self.path:
            self.title_label.text = _tr("请选择") + " " + _tr("楼栋")
            opts = [(b, f"{b} 栋") for b in sorted(self.tree, key=_natural)]
        elif len(self.path) == 1:
            self.title_label.text = f"{self.path[0]} 栋 · " + _tr("单元")
            opts = [(u, f"{u} 单元") for u in sorted(self.tree[self.path[0]], key=_natural)]
        else:
            self.title_label.text = f"{self.path[0]} 栋 {self.path[1]} 单元 · " + _tr("房号")
            rooms = self.tree[self.path[0]][self.path[1]]
            opts = [(r, r) for r in sorted(rooms, key=_natural)]
        self.set_options(opts)

    def pick(self, value: str) -> None:
        self.path.append(value)
        if len(self.path) == 3:
            self.dismiss()
            self.on_done("-".join(self.path))
            return
        self._show()

    def retranslate(self) -> None:
        super().retranslate()
        self._show()

    def back(self) -> None:
        if self.path:
            self.path.pop()
            self._show()
        else:
            self.dismiss()


def _natural(text: str) -> tuple:
    return (len(text), text) if text.isdigit() else (99, text)
