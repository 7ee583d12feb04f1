"""On-screen keyboard with pinyin input (Kivy has no Chinese input method) and a physical-keyboard path."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk import theme
from kiosk.pinyin_ime import Composer
from kiosk.widgets.common import BigButton, TypingPopup

log = logging.getLogger(__name__)

ROWS = ("qwertyuiop", "asdfghjkl'", "zxcvbnm-.")
DIGIT_ROWS = ("1234567890", "@#/()-_:,.", "")


def _tr(zh: str) -> str:
    app = App.get_running_app()
    return app.tr(zh) if app else zh


class PinyinKeyboard(TypingPopup):
    """Full-screen text entry: candidate bar, QWERTY keys, 拼音/英文/数字 modes, OK."""

    title = StringProperty("")
    shown = StringProperty("")

    _shared: PinyinKeyboard | None = None

    @classmethod
    def ask(
        cls,
        title: str,
        on_done: Callable[[str], None],
        text: str = "",
        mode: str = "zh",
        max_len: int = 200,
        mask_keep: int = -1,
        context: str = "",
    ) -> PinyinKeyboard:
        """The shared keyboard set up for this question and opened (built once: ~40 buttons).

        ``mask_keep`` >= 0 shows the text masked but its last ``mask_keep`` characters (X1).
        ``context`` "name" or "repair" ranks candidates for that kind of field."""
        kb = cls.reusable()
        kb.configure(title, on_done, text, mode, max_len, mask_keep, context)
        kb.open()
        return kb

    def __init__(self, **kw: object) -> None:
        super().__init__(auto_dismiss=False, size_hint=(1, 1), **kw)
        self.on_done = None
        self.composer = Composer("", "zh", 200)
        self._rows: tuple[str, ...] = ()
        self._upper = False
        self.mask_keep = -1
        self._back: BigButton | None = None
        self.cand_buttons: list[BigButton] = []
        self.letter_buttons: dict[str, BigButton] = {}
        self._build()

    def configure(
        self,
        title: str,
        on_done: Callable[[str], None],
        text: str = "",
        mode: str = "zh",
        max_len: int = 200,
        mask_keep: int = -1,
        context: str = "",
    ) -> None:
        """Set the question; texts follow the current language."""
        self.mask_keep = mask_keep
        self.title = title
        self.on_done = on_done
        self.composer = Composer(text, mode, max_len, context=context)
        self.retranslate()
        self._build_keys()
        self._render()

    def retranslate(self) -> None:
        """Texts in the current language (also while open: the language button works)."""
        app = App.get_running_app()
        if app is not None:  # 长辈模式: larger type
            self.title_label.font_size = app.font
        self.title_label.text = _tr(self.title)
        for btn in self._translated:
            btn.text = _tr(btn.zh)
        if self._back is not None:
            self._back.text = _tr("删除")

    def place(self, app: object) -> None:
        """Portrait stands: the keyboard across the bottom, within reach; else the whole window."""
        if getattr(app, "portrait", False):
            self.size_hint = (1, 0.5)
            self.pos_hint = {"x": 0, "y": 0}
        else:
            self.size_hint = (1, 1)
            self.pos_hint = {}

    # -- layout -----------------------------------------------------------------
    def _build(self) -> None:
        root = BoxLayout(orientation="vertical", padding=12, spacing=8)
        top = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=8)
        self.title_label = Label(
            font_size=theme.FONT,
            size_hint_x=0.25,
            color=theme.MUTED,
            halign="left",
        )
        top.add_widget(self.title_label)
        self.text_label = Label(
            font_size=theme.FONT_TITLE,
            color=theme.TEXT,
            markup=True,
            halign="left",
            valign="middle",
            shorten=True,
        )
        self.text_label.bind(size=lambda w, s: setattr(w, "text_size", s))
        top.add_widget(self.text_label)
        root.add_widget(top)
        cands = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=6)
        self.prev_btn = BigButton(text="‹", size_hint_x=None, width=80, color_role="neutral")
        self.prev_btn.bind(on_release=lambda *_: self._page(-1))
        cands.add_widget(self.prev_btn)
        for i in range(self.composer.page_size):
            btn = BigButton(text="", font_size=theme.FONT_TITLE, color_role="panel")
            btn.bind(on_release=lambda _b, i=i: self.choose(i))
            self.cand_buttons.append(btn)
            cands.add_widget(btn)
        self.next_btn = BigButton(text="›", size_hint_x=None, width=80, color_role="neutral")
        self.next_btn.bind(on_release=lambda *_: self._page(1))
        cands.add_widget(self.next_btn)
        root.add_widget(cands)
        self.keys = GridLayout(cols=1, spacing=6)
        root.add_widget(self.keys)
        bottom = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=6)
        self.mode_buttons = {}
        self._translated: list[BigButton] = []
        for mode, zh in (("zh", "拼音"), ("en", "英文"), ("digits", "数字")):
            btn = BigButton(zh=zh, text=_tr(zh), size_hint_x=0.12, color_role="neutral")
            btn.bind(on_release=lambda _b, m=mode: self.set_mode(m))
            self.mode_buttons[mode] = btn
            self._translated.append(btn)
            bottom.add_widget(btn)
        space = BigButton(zh="空格", text=_tr("空格"), size_hint_x=0.26, color_role="neutral")
        space.bind(on_release=lambda *_: self._act(self.composer.space))
        self._translated.append(space)
        bottom.add_widget(space)
        for zh, role, fn in (
            ("清空", "neutral", lambda: self._act(self.composer.clear)),
            ("取消", "danger", self.cancel),
            ("确定", "success", self.ok),
        ):
            btn = BigButton(zh=zh, text=_tr(zh), size_hint_x=0.12, color_role=role)
            btn.bind(on_release=lambda _b, fn=fn: fn())
            self._translated.append(btn)
            bottom.add_widget(btn)
        root.add_widget(bottom)
        self.add_widget(root)

    def _build_keys(self) -> None:
        """Key rows for the mode; rebuilt only when the rows or their case change."""
        rows = DIGIT_ROWS if self.composer.mode == "digits" else ROWS
        upper = self.composer.mode == "en"
        if rows == self._rows:
            if upper != self._upper:
                for ch, btn in self.letter_buttons.items():
                    btn.text = ch.upper() if upper else ch
                self._upper = upper
            if self._back is not None:
                self._back.text = _tr("删除")
            return
        self.keys.clear_widgets()
        self.letter_buttons = {}
        self._back = None
        for r, row in enumerate(rows):
            line = BoxLayout(spacing=6, padding=(r * 30, 0, 0, 0))
            for ch in row:
                btn = BigButton(
                    text=ch.upper() if upper else ch,
                    font_size=theme.FONT_TITLE,
                    color_role="panel",
                )
                btn.bind(on_release=lambda _b, ch=ch: self.type(ch))
                self.letter_buttons[ch] = btn
                line.add_widget(btn)
            if r == len(rows) - 1:
                back = BigButton(zh="删除", text=_tr("删除"), size_hint_x=2, color_role="warning")
                back.bind(on_release=lambda *_: self._act(self.composer.backspace))
                self._back = back
                line.add_widget(back)
            self.keys.add_widget(line)
        self._rows = rows
        self._upper = upper

    # -- actions ----------------------------------------------------------------
    def _act(self, fn: Callable[[], None]) -> None:
        fn()
        self._render()

    def type(self, key: str) -> None:
        if self.composer.mode == "en" and key.isalpha():
            key = key.upper() if self.title and "车牌" in self.title else key
        self.composer.type(key)
        self._render()

    def choose(self, index: int) -> None:
        self.composer.choose(index)
        self._render()

    def _page(self, step: int) -> None:
        (self.composer.next_page if step > 0 else self.composer.prev_page)()
        self._render()

    def set_mode(self, mode: str) -> None:
        self.composer.set_mode(mode)
        self._build_keys()
        self._render()

    def _render(self) -> None:
        c = self.composer
        buf = f"[u][color=ffd633]{c.buffer}[/color][/u]" if c.buffer else ""
        text = c.text
        if self.mask_keep >= 0:
            hidden = max(0, len(text) - self.mask_keep)
            text = "*" * hidden + text[hidden:]
        safe = text.replace("[", "&bl;").replace("]", "&br;")
        self.shown = c.text
        self.text_label.text = f"{safe}{buf}[color=ffd633]|[/color]"
        page = c.page_candidates()
        for i, btn in enumerate(self.cand_buttons):
            btn.text = page[i].text if i < len(page) else ""
            # whole names (王秀英) fit their button on one line: 44 px up to 2 characters
            small = getattr(App.get_running_app(), "font_small", theme.FONT_SMALL)
            btn.font_size = max(small, min(theme.FONT_TITLE, 110 // max(1, len(btn.text))))
            btn.disabled = i >= len(page)
        for mode, btn in self.mode_buttons.items():
            btn.color_role = "primary" if mode == c.mode else "neutral"

    def candidate_texts(self) -> list[str]:
        return [c.text for c in self.composer.page_candidates()]

    def ok(self) -> None:
        text = self.composer.finish().strip()
        self.dismiss()
        done, self.on_done = self.on_done, None
        if done is not None:
            done(text)

    def cancel(self) -> None:
        self.dismiss()

    # -- physical keyboard and USB barcode scanners (they type like a keyboard) --
    def _on_textinput(self, _window: object, text: str) -> bool:
        for ch in text:
            self.composer.type(ch)
        self._render()
        return True

    def _on_key_down(self, _window: object, key: int, *_args: object) -> bool:
        if key in (13, 271):  # Enter: scanners end a code with it
            if self.composer.buffer:
                self.composer.choose(0)
                self._render()
            else:
                self.ok()
            return True
        if key == 8:
            self._act(self.composer.backspace)
            return True
        return False
