"""Guard mode, parcel intake: the checks P1 asks for (courier's name, registered mail, condition, what is wrong)."""

from __future__ import annotations

import logging
from typing import Any

from desk.masking import mask_name
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)


class IntakeChecksMixin:
    """Rows of the intake form kept in ``self.intake`` (strings, as the form's other fields)."""

    intake: dict[str, str]

    def _intake_check_fields(self) -> tuple[tuple[str, str, Any], ...]:
        """P1: who handed it over, registered mail, the condition and (not 完好) what is wrong."""
        i = self.intake

        def text(key: str, title: str, max_len: int) -> Any:
            return lambda: PinyinKeyboard.ask(
                title,
                lambda t: self._set(key, t.strip()),
                i.get(key, ""),
                mode="zh",
                max_len=max_len,
            )

        def choose(key: str, title: str, options: list[tuple[str, str]]) -> Any:
            return lambda: ChoicePopup(title, options, lambda v: self._set(key, v), cols=3).open()

        conditions = [(c, c) for c in self.app.backend.parcel_conditions()]
        rows: list[tuple[str, str, Any]] = [
            ("courier_person", "快递员姓名", text("courier_person", "快递员姓名", 20)),
            ("registered_mail", "挂号信", choose("registered_mail", "挂号信", [("", "否"), ("1", "是")])),
            ("condition", "包裹状况", choose("condition", "包裹状况", conditions)),
        ]  # fmt: skip
        if i.get("condition", "完好") != "完好":
            rows.append(
                ("condition_note", "破损/受潮情况", text("condition_note", "破损/受潮情况", 200))
            )
        return tuple(rows)

    def _intake_shown(self, key: str, shown: str) -> str:
        """How a P1 field reads in its row (the courier's name masked, X1)."""
        if key == "courier_person" and shown:
            return mask_name(shown)
        if key == "condition":
            return shown or "完好"
        if key == "registered_mail":
            return "是" if shown else "否"
        return shown
