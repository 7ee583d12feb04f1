"""Staff mode, complaints (C1-C4): register one (letters, e-mails, walk-ins), the collective
alert (C2), and each complaint's next step from the board: classify, contact, handle, reply, resolve."""

from __future__ import annotations

import logging
from typing import Any

from desk.records import format_number
from desk.vocabulary import COMPLAINT_SEVERITIES
from kiosk import theme
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

VALIDITY = (("valid", "有效"), ("assist", "协助"), ("invalid", "无效"))
NOTE_TITLES = {"contact": "联系情况（约定答复时间）", "handle": "处理情况", "reply": "答复内容",
               "resolve": "处理结果"}  # fmt: skip


class ComplaintStepsMixin:
    """Used by the board (guard_orders) for complaint rows."""

    def _collective_banner(self) -> None:
        """C2: each open collective event on top of the board, in red, with its households."""
        events: dict[str, list[Any]] = {}
        for c in self.app.backend.collective_complaints():
            events.setdefault(c.event_key or c.number, []).append(c)
        for same in list(events.values())[:3]:
            first = min(same, key=lambda c: c.number)
            self._text(f"{self.tr('集体投诉，已上报主任')}（{len(same)}户）\n{format_number(first.number)}  "
                       f"{first.content[:20]}", theme.DANGER)  # fmt: skip

    def _complaint_menu(self, number: str) -> None:
        b = self.app.backend
        steps = b.complaint_steps(number)
        if not steps:
            self.notice = self.tr("此投诉当前没有可办理的操作")
            return
        ChoicePopup(f"投诉 {format_number(number)}", steps, lambda a: self._complaint_step(number, a),
                    cols=3).open()  # fmt: skip

    def _complaint_step(self, number: str, action: str) -> None:
        b = self.app.backend

        def run(**kw: Any) -> None:
            self._run(lambda: b.complaint_step(number, action, **kw))

        if action == "classify":

            def severity(validity: str) -> None:
                def reason(sev: str) -> None:
                    PinyinKeyboard.ask("分类理由", lambda r: run(validity=validity, severity=sev, reason=r),
                                       mode="zh", max_len=200)  # fmt: skip

                ChoicePopup("严重程度", list(COMPLAINT_SEVERITIES.items()), reason, cols=3).open()

            ChoicePopup("投诉分类", VALIDITY, severity, cols=3).open()
            return
        PinyinKeyboard.ask(NOTE_TITLES[action], lambda t: run(note=t), mode="zh", max_len=300)
