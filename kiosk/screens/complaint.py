"""Complaints and suggestions (C1): a visitor-facing form at the kiosk; in staff mode the same
form takes letters, e-mails and walk-ins at the desk (the channel asked, the login recorded)."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import BooleanProperty

from desk import validate
from desk.vocabulary import COMPLAINT_CATEGORIES
from kiosk.widgets.form import FormScreen

log = logging.getLogger(__name__)

STAFF_CHANNELS = (("desk", "前台来访"), ("letter", "信函"), ("email", "邮件"), ("hotline", "电话"))


class ComplaintScreen(FormScreen):
    """Content and category required; unit, phone and what the person wants are optional."""

    staff_mode = BooleanProperty(False)

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请选择投诉类别并说明情况"
        self.validators = {"phone": lambda v: validate.phone(v)}

    def prepare(self, staff: bool = False, **_: Any) -> None:
        self.reset()
        self.staff_mode = bool(staff and self.app.staff is not None)
        if self.staff_mode:
            self.set_value("channel", "desk", self.tr("前台来访"))

    def edit(self, key: str) -> Any:
        if key == "category":
            return self.edit_choice(
                "category", "投诉类别", list(COMPLAINT_CATEGORIES.items()), cols=4
            )
        if key == "channel":
            return self.edit_choice("channel", "投诉渠道", STAFF_CHANNELS, cols=4)
        if key == "unit":
            return self.edit_unit("unit", self.app.backend.unit_tree())
        if key == "phone":
            return self.edit_number("phone", "联系电话", max_len=12)
        titles = {"content": "投诉内容", "wants": "您的诉求", "name": "姓名"}
        return self.edit_text(key, titles[key], max_len=500 if key != "name" else 20)

    def submit(self) -> None:
        if self.missing(["category", "content"]) or self.errors():
            return
        try:
            complaint = self.app.backend.file_complaint(dict(self.values), staff=self.staff_mode)
        except Exception as exc:
            self.status = getattr(exc, "message", None) or str(exc)
            log.warning("complaint refused: %s", exc)
            return
        lines = [self.tr("我们将在答复期限前与您联系")]
        if complaint.reply_by:
            lines.append(f"{self.tr('答复期限')} {complaint.reply_by:%m-%d %H:%M}")
        if complaint.collective:
            lines.append(self.tr("同一问题已有多户反映，已上报客服中心主任"))
        if self.staff_mode:
            self.app.go("guard")
            self.app.screen("guard").notice = f"已登记投诉 {complaint.number}"
            return
        self.app.show_result("投诉已受理，谢谢您的监督", lines, number=complaint.number)
