"""Form screens: field rows that open the keyboard, number pad or a picker, with validation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from kiosk.widgets.common import FieldRow, KioskScreen
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup, UnitPicker

log = logging.getLogger(__name__)

Validator = Callable[[str], Any]


class FormScreen(KioskScreen):
    """A screen whose ``FieldRow`` ids are its fields; ``values`` holds what was entered."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.values: dict[str, str] = {}
        self.validators: dict[str, Validator] = {}
        self.masked: set[str] = set()
        """Fields shown masked (ID numbers, X1): the row shows ``mask_id(value)``."""

    # -- field access -----------------------------------------------------------
    def row(self, key: str) -> FieldRow:
        return self.ids[key]

    def set_value(self, key: str, value: str, display: str = "") -> bool:
        """Store ``value`` (validated when a validator is set); False and an error shown if invalid."""
        row = self.ids.get(key)
        value = value.strip()
        error = ""
        if value and key in self.validators:
            try:
                result = self.validators[key](value)
                if isinstance(result, str):
                    value = result
            except Exception as exc:  # ValidationError and friends: show the Chinese message
                error = getattr(exc, "message", str(exc))
        self.values[key] = value
        if key in self.masked and value and not display:
            from desk.masking import mask_id

            display = mask_id(value)
        if row is not None:
            row.value = value
            row.display = display
            row.error = error
        self.status = error  # a valid value clears the message (issue 18 item 1)
        self.on_value(key, value)
        return not error

    def on_value(self, key: str, value: str) -> None:
        """Hook: a field changed."""

    def errors(self) -> dict[str, str]:
        return {
            k: self.ids[k].error
            for k in self.ids
            if isinstance(self.ids[k], FieldRow) and self.ids[k].error
        }

    def missing(self, keys: Sequence[str]) -> list[str]:
        out = [k for k in keys if not self.values.get(k)]
        for k in out:
            if k in self.ids:
                self.ids[k].error = "必填"
        if out:
            labels = "、".join(self.ids[k].zh for k in out if k in self.ids)
            self.status = "请输入：" + labels
        return out

    def reset(self) -> None:
        self.values = {}
        self.status = ""
        for widget in self.ids.values():
            if isinstance(widget, FieldRow):
                widget.value = widget.display = widget.error = ""

    # -- editors ----------------------------------------------------------------
    def edit_text(
        self,
        key: str,
        title: str,
        mode: str = "zh",
        max_len: int = 100,
        mask_keep: int = -1,
        context: str = "",
    ) -> PinyinKeyboard:
        kb = PinyinKeyboard.ask(
            title,
            lambda text: self.set_value(key, text),
            self.values.get(key, ""),
            mode=mode,
            max_len=max_len,
            mask_keep=mask_keep,
            context=context,
        )
        return kb

    def edit_number(
        self,
        key: str,
        title: str,
        max_len: int = 18,
        extra: str = "",
        secret: bool = False,
        hint: str = "",
        mask_keep: int = -1,
    ) -> NumPad:
        """A number pad for ``key``; ``mask_keep`` masks what is typed (see ``NumPad.ask``)."""
        return NumPad.ask(
            title,
            lambda text: self.set_value(key, text),
            "" if secret else self.values.get(key, ""),
            max_len=max_len,
            extra=extra,
            secret=secret,
            hint=hint,
            mask_keep=mask_keep,
        )

    def edit_choice(
        self, key: str, title: str, options: Sequence[tuple[str, str]], cols: int = 3
    ) -> ChoicePopup:
        labels = dict(options)
        popup = ChoicePopup(
            title, options, lambda v: self.set_value(key, v, labels.get(v, v)), cols=cols
        )
        popup.open()
        return popup

    def edit_unit(self, key: str, tree: dict) -> UnitPicker:
        from desk.validate import format_unit_zh

        def done(unit: str) -> None:
            try:
                shown = format_unit_zh(unit)
            except Exception:
                shown = unit
            self.set_value(key, unit, shown)

        picker = UnitPicker(tree, done)
        picker.open()
        return picker
