"""Repair request (R1, R2): location, category grid, description or spoken note, urgency, slot, phone."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import BooleanProperty, StringProperty

from desk import validate
from desk.record_types import REPAIR_CATEGORIES
from kiosk.widgets.common import BigButton, MessagePopup
from kiosk.widgets.form import FormScreen
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

ICONS = {
    "water": "水",
    "electric": "电",
    "door_window": "窗",
    "pipe": "管",
    "public": "公",
    "lift": "梯",
    "gas": "气",
    "other": "他",
}
PUBLIC_AREAS = ("大堂", "电梯", "楼道", "地下车库", "小区道路", "绿化", "门禁", "路灯", "其他")


class CategoryTile(BigButton):
    """A repair category with its icon character."""

    key = StringProperty("")
    icon = StringProperty("")
    name = StringProperty("")


class RepairScreen(FormScreen):
    """Submitting asks to confirm a proposed urgency, then prints the customer copy."""

    category = StringProperty("")
    urgent = BooleanProperty(False)
    audio_path = StringProperty("")
    recording = BooleanProperty(False)
    can_record = BooleanProperty(False)
    """A microphone works here (speech.recording.available): only then 语音留言 is offered."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请选择报修位置和类别，并描述问题"
        self.validators = {"contact_phone": lambda v: validate.mobile(v)}
        self.recorder = None

    def prepare(self, **_: Any) -> None:
        from speech.recording import available

        self.can_record = available()

    def reset(self) -> None:
        super().reset()
        self.category = ""
        if "categories" in self.ids:
            self._mark_category()
        self.urgent = False
        self.audio_path = ""
        if self.recorder is not None:
            self.recorder.cancel()
            self.recorder = None
        self.recording = False

    def choose_category(self, key: str) -> None:
        self.category = key
        self.values["category"] = key
        self._mark_category()
        if "category" in self.ids:
            self.ids.category.value = key
            self.ids.category.display = REPAIR_CATEGORIES.get(key, key)
            self.ids.category.error = ""
        if self.status == "请选择报修类别":
            self.status = ""

    def _mark_category(self) -> None:
        """The chosen tile in green, the others blue."""
        for tile in self.ids.categories.children:
            tile.color_role = "success" if tile.key == self.category else "primary"

    def edit(self, key: str) -> Any:
        if key == "location":
            popup = ChoicePopup(
                "报修位置", [("unit", "户内"), ("public", "公共区域")], self._location_kind, cols=2
            )
            popup.open()
            return popup
        if key == "category":
            popup = ChoicePopup(
                "报修类别", list(REPAIR_CATEGORIES.items()), self.choose_category, cols=2
            )
            popup.open()
            return popup
        if key == "description":
            return self.edit_text(key, "问题描述", "zh", 200, context="repair")
        if key == "urgency":
            return self.edit_choice(
                key, "紧急程度", [("urgent", "紧急"), ("ordinary", "普通")], cols=2
            )
        if key == "slot":
            return self.edit_choice(key, "预约时段", self.app.backend.appointment_slots(), cols=3)
        if key == "contact_name":
            return self.edit_text(key, "联系人", "zh", 40, context="name")
        if key == "contact_phone":
            return self.edit_number(key, "联系电话", 11, hint="11位手机号码")
        return None

    def _location_kind(self, kind: str) -> None:
        if kind == "unit":
            self.edit_unit("location", self.app.backend.unit_tree())
        else:
            self.edit_choice(
                "location", "公共区域", [(f"public:{a}", a) for a in PUBLIC_AREAS], cols=3
            )

    def on_value(self, key: str, value: str) -> None:
        if key == "urgency":
            self.urgent = value == "urgent"

    # -- spoken note ------------------------------------------------------------
    def toggle_recording(self) -> None:
        from kiosk.recorder import Recorder, RecorderUnavailable

        if self.recording and self.recorder is not None:
            path = self.recorder.stop()
            self.recorder = None
            self.recording = False
            if path:
                self.audio_path = str(path)
                self.ids.description.display = "已录音"
                self.status = ""
            return
        try:
            self.recorder = Recorder(self.app.settings)
            self.recorder.start()
            self.recording = True
        except RecorderUnavailable as exc:
            self.recorder = None
            self.status = "录音设备不可用，请用键盘输入"
            self.can_record = False
            log.info("no recording: %s", exc)

    # -- submit ------------------------------------------------------------------
    def submit(self) -> None:
        if not self.category:
            self.status = "请选择报修类别"
            return
        if self.missing(("location", "contact_name", "contact_phone")):
            return
        if not (self.values.get("description") or self.audio_path):
            self.missing(("description",))
            return
        if self.errors():
            self.status = "请更正标红的项目"
            return
        text = self.values.get("description", "")
        if "urgency" not in self.values and self.app.backend.suggests_urgent(self.category, text):
            popup = MessagePopup(
                "这可能是紧急报修，是否按紧急处理？",
                on_ok=lambda: self._confirmed(True),
                ok_text="是，紧急",
                cancel_text="否，普通",
                on_cancel=lambda: self._confirmed(False),
            )
            popup.open()
            return
        self._send()

    def _confirmed(self, urgent: bool) -> None:
        self.set_value("urgency", "urgent" if urgent else "ordinary", "紧急" if urgent else "普通")
        self._send()

    def _send(self) -> None:
        fields: dict[str, Any] = {
            "location": self.values["location"],
            "category": self.category,
            "description": self.values.get("description", "") or "（语音留言）",
            "urgent": self.values.get("urgency") == "urgent",
            "contact_name": self.values.get("contact_name", ""),
            "contact_phone": self.values["contact_phone"],
        }
        if self.audio_path:
            fields["audio_path"] = self.audio_path
            from kiosk.recorder import transcribe

            fields["transcript"] = transcribe(self.audio_path, self.app.settings.kiosk.speech_model)
        if self.values.get("slot"):
            fields["appointment_start"] = self.values["slot"]
        try:
            order = self.app.backend.create_work_order(fields)
        except Exception as exc:
            self.status = getattr(exc, "message", None) or str(exc)
            log.info("repair refused: %s", exc)
            return
        self.app.run_device(
            "正在打印…",
            lambda: self.app.backend.print_record(order.number),
            lambda printed: self._done(order, printed),
        )

    def _done(self, order: Any, printed: Any) -> None:
        self.app.show_result("报修已受理", result_lines(order, printed), number=order.number)


def result_lines(order: Any, printed: Any) -> list[str]:
    """One promise, the one that applies (R1, R2): an urgent repair's on-site time, an ordinary
    repair's chosen slot (with its weekday), else its dispatch deadline; kept in Chinese, shown
    in the current language by the result screen."""
    from kiosk.words import WEEKDAYS_ZH, slot_zh

    lines = []
    if order.urgent and order.on_site_by:
        at = order.on_site_by
        lines.append(f"紧急报修：维修人员最迟到场 {WEEKDAYS_ZH[at.weekday()]} {at:%m-%d %H:%M}")
    elif order.appointment_start:
        start = order.appointment_start
        end = getattr(order, "appointment_end", None) or start
        lines.append("普通报修：按您预约的时段上门")
        lines.append(f"预约时段：{slot_zh(start, end)}")
    elif order.dispatch_by:
        at = order.dispatch_by
        lines.append(f"派工时限：{WEEKDAYS_ZH[at.weekday()]} {at:%m-%d %H:%M}")
    if order.unverified:  # R1: taken; the unit's registered phone is called back first
        lines.append("您的手机号不是该房屋登记的电话，我们会先回拨登记电话核实")
    lines.append(printed.message())
    return lines


CATEGORY_ITEMS = [(k, ICONS[k], v) for k, v in REPAIR_CATEGORIES.items()]
