"""The wait for the host's answer or a guard's approval (V2, V3): countdown, pass printed by itself."""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty

from kiosk.widgets.common import KioskScreen
from kiosk.widgets.keyboard import PinyinKeyboard

log = logging.getLogger(__name__)

WAITING = ("waiting_host", "waiting_guard")
PROMPTS = {
    "waiting_host": "请稍等，我帮您联系住户",
    "waiting_guard": "无证件来访需安全员批准",
    "admitted": "住户已确认，欢迎来访",
    "declined": "住户暂时无法接待",
    "no_answer": "住户暂未应答",
}


class VisitorWaitScreen(KioskScreen):
    """Issue 12: exempt from the idle reset while waiting, with a countdown and what happens
    next; when the host (or a guard) answers, the pass prints by itself (V6)."""

    number = StringProperty("")
    state = StringProperty("")
    """waiting_host, waiting_guard, admitted, declined, no_answer."""
    seconds_left = NumericProperty(0)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = PROMPTS["waiting_host"]
        self._poll: Any = None
        self._waited = 0
        self._needs_guard = False

    @property
    def keeps_awake(self) -> bool:
        """The app's idle reset leaves a visitor who is waiting alone (issue 12)."""
        return self.state in WAITING

    def prepare(self, number: str = "", **_: Any) -> None:
        self.number = number
        self.state = ""
        self._waited = 0
        self.seconds_left = self.app.backend.wait_seconds()
        self.refresh()
        if self._poll is None:
            self._poll = Clock.schedule_interval(lambda _dt: self.refresh(), 1.0)

    def _stop(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def reset(self) -> None:
        """Home: the visit stays on the guard's list (a guard may still admit the visitor at
        the gate); the core closes it after visit_wait_minutes if nobody does (issue 12)."""
        self._stop()
        self.number = self.state = ""

    def on_leave(self, *_: Any) -> None:
        self._stop()

    def next_step(self) -> str:
        """What happens next, in words (issue 12)."""
        if self.state == "waiting_host" and self._needs_guard:  # V2 + V3, either first
            return "住户同意且安全员核实后将自动打印通行凭条"
        return {
            "waiting_host": "住户同意后将自动打印通行凭条；若住户未应答，可给住户留言或呼叫客服",
            "waiting_guard": "安全员核实后将自动打印通行凭条",
            "declined": "您可以给住户留言，或联系前台工作人员",
            "no_answer": "您可以给住户留言，或联系前台工作人员",
        }.get(self.state, "")

    def countdown(self) -> str:
        if self.state not in WAITING:
            return ""
        left = max(0, int(self.seconds_left))
        return f"{left // 60}:{left % 60:02d}"

    def refresh(self) -> None:
        if not self.number:
            return
        self._waited += 1
        state = self.app.backend.visit_state(self.number)
        limit = self.app.backend.wait_seconds()
        if state == "waiting_host" and self._waited > limit:
            state = "no_answer"  # the kiosk stops waiting; the guard still sees the visit
        self.seconds_left = max(0, limit - self._waited)
        if state != self.state:
            visit = self.app.backend.get(self.number)
            self._needs_guard = visit is not None and self.app.backend.needs_guard(visit)
            self.state = state
            self.prompt = PROMPTS.get(state, "")
            if self.app.voice is not None and self.prompt:
                self.app.voice.say(self.tr(self.prompt))
        if state == "admitted":
            self._admit()
        elif state in ("declined", "no_answer"):
            self._stop()

    def _admit(self) -> None:
        self._stop()
        number = self.number
        self.app.run_device(
            "正在打印…",
            lambda: self.app.backend.print_visit_pass(number),
            lambda printed: self._admitted(number, printed),
        )

    def _admitted(self, number: str, printed: Any) -> None:
        lines = [self.tr("请取走您的访客凭条" if printed.ok else printed.message())]
        visit = self.app.backend.get(number)
        if visit is not None and getattr(visit, "valid_until", None):
            lines.append(f"{self.tr('有效期至')} {visit.valid_until:%m-%d %H:%M}")
        self.number = ""
        self.app.show_result("住户已确认，欢迎来访", lines, number=number)

    def leave_message(self) -> None:
        """V2: the core says whether the message reached someone; the visitor is told that."""

        def done(text: str) -> None:
            number = self.number
            outcome = self.app.backend.leave_message(number, text)
            self.number = ""
            self.app.show_result(outcome.title, [self.tr(outcome.line)], ok=outcome.delivered,
                                 number=number)  # fmt: skip

        PinyinKeyboard.ask("留言给住户", done, mode="zh", max_len=200)
