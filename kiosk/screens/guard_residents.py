"""Guard mode, residents: the phone PIN a resident sets at the desk (X1: caller ID is a hint)."""

from __future__ import annotations

import logging
from typing import Any

from desk.masking import mask_name, mask_phone
from desk.validate import format_unit_zh
from kiosk import theme
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup, UnitPicker

log = logging.getLogger(__name__)


class ResidentsMixin:
    """The 电话查询密码 section of ``GuardScreen``: the resident, in person, keys a PIN twice."""

    pin_form: dict[str, Any]

    def _show_residents(self) -> None:
        form = getattr(self, "pin_form", None) or {}
        self.pin_form = form
        self._text(
            self.tr("业主本人到场、核对证件后设置：热线查询取件码或预约访客时须输入此密码"),
            theme.MUTED,
        )
        unit = form.get("unit", "")
        owner = form.get("owner")
        who = (
            f"{format_unit_zh(unit)}  {mask_name(owner.name)} {mask_phone(owner.phone)}"
            if owner
            else ""
        )
        self._row(f"{self.tr('业主')}：{who}", [("选择", "neutral", self._pick_pin_unit)])
        self._bar([("设置密码", "success", self._ask_pin)])

    def _pick_pin_unit(self) -> None:
        def unit_chosen(unit: str) -> None:
            residents = self.app.backend.residents_of(unit)
            options = [(r.number, f"{mask_name(r.name)} {mask_phone(r.phone)}") for r in residents]

            def chosen(number: str) -> None:
                self.pin_form = {
                    "unit": unit,
                    "owner": next(r for r in residents if r.number == number),
                }
                self.show("residents")

            ChoicePopup("业主", options, chosen, cols=2).open()

        UnitPicker(self.app.backend.unit_tree(), unit_chosen).open()

    def _ask_pin(self) -> str | None:
        owner = self.pin_form.get("owner")
        if owner is None:
            return "请先选择业主"
        digits = self.app.settings.policy.second_factor_digits

        def first(pin: str) -> None:
            NumPad.ask(
                self.tr("请再输入一次"),
                lambda again: self._set_pin(pin, again),
                max_len=digits,
                secret=True,
            )

        NumPad.ask(self.tr(f"请业主输入{digits}位查询密码"), first, max_len=digits, secret=True)
        return None

    def _set_pin(self, pin: str, again: str) -> None:
        owner = self.pin_form["owner"]
        if pin != again:
            self.notice = self.tr("两次输入不一致，请重新设置")
            return
        try:
            self.app.backend.set_phone_pin(owner.unit, owner.phone, pin)
        except Exception as exc:  # noqa: BLE001 - a ValidationError's message for the guard
            self.notice = self.tr(getattr(exc, "message", None) or str(exc))
            return
        self.pin_form = {}
        self.show("residents")
        self.notice = self.tr("查询密码已设置")
