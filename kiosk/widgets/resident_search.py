"""Find a resident by the pinyin initials of the name ("zs" for 张三); shows masked names and units."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from kivy.app import App
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

from desk.masking import mask_name
from desk.validate import format_unit_zh
from kiosk import theme
from kiosk.widgets.common import BigButton, KioskPopup

log = logging.getLogger(__name__)

LETTERS = "abcdefghijklmnopqrstuvwxyz"
MAX_RESULTS = 12


def _tr(zh: str) -> str:
    app = App.get_running_app()
    return app.tr(zh) if app else zh


def resident_label(owner: Any) -> str:
    """ "张*  1栋1单元101室": never the full name or the phone (X1)."""
    try:
        unit = format_unit_zh(owner.unit)
    except Exception:  # noqa: BLE001 - an odd unit is shown as stored
        unit = owner.unit
    return f"{mask_name(owner.name)}  {unit}"


class ResidentSearch(KioskPopup):
    """Letter keys a-z; after each letter the matching residents as buttons (up to 12).

    ``search(initials) -> list[Owner]`` is ``Desk.search_residents``; ``on_done(owner)`` gets
    the chosen resident. Built once and reused (``ResidentSearch.ask``).
    """

    _shared: ResidentSearch | None = None

    @classmethod
    def ask(
        cls,
        search: Callable[[str], Sequence[Any]],
        on_done: Callable[[Any], None],
        title: str = "按姓名首字母查找住户",
    ) -> ResidentSearch:
        popup = cls.reusable()
        popup.configure(search, on_done, title)
        popup.open()
        return popup

    def __init__(self, **kw: Any) -> None:
        super().__init__(auto_dismiss=False, size_hint=(1, 1), **kw)
        self.search = None
        self.on_done = None
        self.initials = ""
        self.results: list[Any] = []
        root = BoxLayout(orientation="vertical", padding=12, spacing=8)
        top = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=8)
        self.title_label = Label(font_size=theme.FONT, color=theme.MUTED, size_hint_x=0.45)
        top.add_widget(self.title_label)
        self.display = Label(font_size=theme.FONT_TITLE, color=theme.HIGHLIGHT)
        top.add_widget(self.display)
        root.add_widget(top)
        self.hint = Label(
            font_size=theme.FONT_SMALL, color=theme.MUTED, size_hint_y=None, height=44
        )
        root.add_widget(self.hint)
        self.result_grid = GridLayout(
            cols=3, spacing=8, size_hint_y=None, row_default_height=theme.TARGET,
            row_force_default=True,
        )  # fmt: skip
        self.result_grid.bind(minimum_height=self.result_grid.setter("height"))
        scroll = ScrollView(do_scroll_x=False)
        scroll.add_widget(self.result_grid)
        root.add_widget(scroll)
        keys = GridLayout(cols=10, spacing=6, size_hint_y=None, height=3 * theme.TARGET + 12)
        self.letter_buttons: dict[str, BigButton] = {}
        for ch in LETTERS:
            btn = BigButton(text=ch.upper(), font_size=theme.FONT_TITLE, color_role="panel")
            btn.bind(on_release=lambda _b, ch=ch: self.type(ch))
            self.letter_buttons[ch] = btn
            keys.add_widget(btn)
        self._back = BigButton(color_role="warning")
        self._back.bind(on_release=lambda *_: self.type(""))
        keys.add_widget(self._back)
        root.add_widget(keys)
        bottom = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=8)
        self._cancel = BigButton(color_role="danger")
        self._cancel.bind(on_release=lambda *_: self.dismiss())
        bottom.add_widget(self._cancel)
        root.add_widget(bottom)
        self.add_widget(root)

    def configure(
        self, search: Callable[[str], Sequence[Any]], on_done: Callable[[Any], None], title: str
    ) -> None:
        self.search = search
        self.on_done = on_done
        self.initials = ""
        self.title_label.text = _tr(title)
        self._back.text = _tr("删除")
        self._cancel.text = _tr("取消")
        self._refresh()

    def type(self, ch: str) -> None:
        """A letter, or "" to delete the last one."""
        self.initials = self.initials + ch if ch else self.initials[:-1]
        self._refresh()

    def _refresh(self) -> None:
        self.display.text = self.initials.upper() + "_"
        self.result_grid.clear_widgets()
        self.results = list(self.search(self.initials))[:MAX_RESULTS] if self.initials else []
        if not self.initials:
            self.hint.text = _tr("例如 张三 请按 Z S")
        elif not self.results:
            self.hint.text = _tr("没有找到，请换个字母或用楼栋选择")
        else:
            self.hint.text = _tr("请选择住户")
        for owner in self.results:
            btn = BigButton(text=resident_label(owner), color_role="panel")
            btn.bind(on_release=lambda _b, o=owner: self.pick(o))
            self.result_grid.add_widget(btn)

    def result_texts(self) -> list[str]:
        return [resident_label(o) for o in self.results]

    def pick(self, owner: Any) -> None:
        self.dismiss()
        done, self.on_done = self.on_done, None
        if done is not None:
            done(owner)
