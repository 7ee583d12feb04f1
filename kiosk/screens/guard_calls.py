"""Staff mode, calls (T3, L1): the callback list, overnight calls first (waiting at 07:30), each
with its voicemail to play, a call-back by the hotline's dialer, or the result of calling by hand."""

from __future__ import annotations

import logging

from desk.masking import mask_phone
from kiosk import theme
from kiosk.widgets.common import BigButton
from kiosk.widgets.keyboard import PinyinKeyboard

log = logging.getLogger(__name__)

STATUS = {"missed": "未接来电", "abandoned": "中途挂断", "voicemail": "留言"}


class CallsMixin:
    """The hidden section ``callbacks`` (reached from the board's 回拨来电 button)."""

    def _show_callbacks(self) -> None:
        b = self.app.backend
        calls = b.callback_list()
        overnight = b.overnight_numbers()
        self._bar([("返回看板", "neutral", lambda: self.show("board"))])
        if not calls:
            self._text("没有待回拨的来电", theme.MUTED)
        shown_night = False
        for c in calls:
            if c.number in overnight and not shown_night:
                self._text(self.tr("夜间来电（待上班处理）"), theme.HIGHLIGHT)
                shown_night = True
            text = f"{c.created_at:%m-%d %H:%M}  {mask_phone(c.caller) or '未知号码'}  {self.tr(STATUS.get(c.status, c.status))}"
            if c.callback_result:
                text += f"  {c.callback_result}"
            self._text(text)
            grid = self._grid(cols=3)
            buttons = [("热线回拨", "primary", lambda n=c.number: b.request_callback(n)),
                       ("已回电", "success", lambda n=c.number: self._called_back(n))]  # fmt: skip
            if c.audio_path:
                buttons.insert(0, ("播放留言", "neutral", lambda n=c.number: b.play(n)))
            for zh, role, fn in buttons:
                btn = BigButton(text=self.tr(zh), color_role=role)
                btn.bind(on_release=lambda _b, fn=fn: self._run(fn))
                grid.add_widget(btn)

    def _called_back(self, number: str) -> None:
        PinyinKeyboard.ask(
            "回电结果",
            lambda t: t and self._run(lambda: self.app.backend.called_back(number, t)),
            mode="zh",
            max_len=200,
        )
