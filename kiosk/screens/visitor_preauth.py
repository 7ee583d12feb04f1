"""V5 at the kiosk: a resident (phone + phone PIN, or a staff member) books a visitor's code."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from desk import validate
from kiosk.widgets.form import FormScreen

log = logging.getLogger(__name__)

HOURS = [f"{h:02d}:00" for h in range(6, 24)]


class VisitorPreauthScreen(FormScreen):
    """住户预约访客: a one-time code for a named visitor and a time window today (V5)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "住户预约访客：请输入房号、登记手机和电话查询密码"
        self.masked = {"pin"}
        self.validators = {"phone": lambda v: validate.mobile(v)}

    def prepare(self, **_: Any) -> None:
        if not self.values.get("valid_from"):
            now = self.app.backend.desk.now()
            start = f"{min(max(now.hour, 6), 22):02d}:00"
            end = f"{min(max(now.hour, 6) + 2, 23):02d}:00"
            self.set_value("valid_from", start)
            self.set_value("valid_until", end)
        if not self.values.get("party_size"):
            self.set_value("party_size", "1")
        self.ids.phone.opacity = self.ids.pin.opacity = 0 if self.app.staff else 1
        self.ids.phone.disabled = self.ids.pin.disabled = bool(self.app.staff)

    def on_value(self, key: str, value: str) -> None:
        if key == "phone" and value and not self.ids.phone.error:  # X1: masked on screen
            from desk.masking import mask_phone

            self.ids.phone.display = mask_phone(value)

    def edit(self, key: str) -> Any:
        if key == "unit":
            return self.edit_unit(key, self.app.backend.unit_tree())
        if key == "phone":
            return self.edit_number(key, "登记手机", 11, hint="在物业登记的手机号码")
        if key == "pin":
            digits = self.app.settings.policy.second_factor_digits
            return self.edit_number(key, "电话查询密码", digits, secret=True,
                                    hint="在前台设置的电话查询密码")  # fmt: skip
        if key == "visitor_name":
            return self.edit_text(key, "访客姓名", "zh", 40, context="name")
        if key in ("valid_from", "valid_until"):
            return self.edit_choice(key, "时间", [(h, h) for h in HOURS], cols=6)
        if key == "party_size":
            return self.edit_choice(key, "来访人数", [(str(n), f"{n} 人") for n in range(1, 11)],
                                    cols=5)  # fmt: skip
        return None

    def submit(self) -> None:
        needed = (
            ("unit", "visitor_name") if self.app.staff else ("unit", "phone", "pin", "visitor_name")
        )
        if self.missing(needed) or self.errors():
            return
        v = self.values
        start, end = time.fromisoformat(v["valid_from"]), time.fromisoformat(v["valid_until"])
        if end <= start:
            self.ids.valid_until.error = "须晚于开始时间"
            self.status = self.tr("结束时间须晚于开始时间")
            return
        try:
            visit = self.app.backend.preauthorise(v, v.get("phone", ""), v.get("pin", ""),
                                                  self.app.staff)  # fmt: skip
        except Exception as exc:  # refused (not verified), locked out: the core's words
            self.set_value("pin", "")
            self.status = self.tr(getattr(exc, "message", "") or str(exc))
            log.info("kiosk pre-authorisation refused: %s", exc)
            return
        from desk.masking import mask_name

        lines = [
            f"{self.tr('预约码')}  {visit.preauth_code}",
            f"{mask_name(visit.visitor_name)}  {self.tr('今天')} {v['valid_from']}–{v['valid_until']}",
            self.tr("请把预约码告诉访客；只能使用一次，访客在自助机点“我有预约码”输入"),
        ]
        self.app.show_result("预约成功", lines, number=visit.number)
