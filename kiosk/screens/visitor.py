"""Visitor registration (V1-V6) and the wait for the host's answer or a guard's approval."""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.properties import StringProperty

from desk import validate
from desk.record_types import ID_TYPES, VISITOR_KINDS
from kiosk.widgets.common import KioskScreen
from kiosk.widgets.form import FormScreen
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

PURPOSES = ("探亲访友", "送货", "快递外卖", "装修施工", "维修服务", "看房", "商务拜访", "其他")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
REQUIRED = ("host_unit", "visitor_name", "id_type")


class VisitorScreen(FormScreen):
    """The registration form; 提交 registers the visit and waits for the host (V2)."""

    preauth_code = StringProperty("")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请选择被访住户，并填写您的姓名和证件"
        self.masked = {"id_number"}
        self.validators = {
            "phone": lambda v: validate.mobile(v),
            "plate": lambda v: validate.plate(v),
            "id_number": lambda v: validate.id_number(
                self.values.get("id_type") or "resident_id", v
            ),
        }

    def prepare(self, **_: Any) -> None:
        self._start_card_feed()
        if not self.values.get("id_type"):
            self.set_value("id_type", "resident_id", self.tr(ID_TYPES["resident_id"]))
        if not self.values.get("visitor_kind"):
            self.set_value("visitor_kind", "guest", self.tr(VISITOR_KINDS["guest"]))
        if not self.values.get("party_size"):
            self.set_value("party_size", "1")

    def reset(self) -> None:
        super().reset()
        self.preauth_code = ""
        self._stop_card_feed()

    def on_leave(self, *_: Any) -> None:
        self._stop_card_feed()

    # -- ID card reader (V1, X1): a placed card fills name and ID; typing stays possible --
    _feed: Any = None

    def _start_card_feed(self) -> None:
        from kiosk.idcard_feed import CardFeed

        if self._feed is None:
            try:
                self._feed = CardFeed.from_settings(
                    self.app.settings,
                    on_fields=self.card_fields,
                    on_message=self.card_message,
                    deliver=lambda fn: Clock.schedule_once(lambda _dt: fn()),
                )
            except Exception:  # noqa: BLE001 - no reader: the visitor types
                log.warning("id card reader not available", exc_info=True)
        if self._feed is not None:
            self._feed.start()

    def _stop_card_feed(self) -> None:
        if self._feed is not None:
            self._feed.stop()

    def card_fields(self, fields: dict[str, Any]) -> None:
        """A valid card was read: name and ID shown masked (X1), nothing else kept."""
        from desk.masking import mask_name

        name = fields["visitor_name"]
        self.set_value("id_type", fields["id_type"], self.tr(ID_TYPES[fields["id_type"]]))
        self.set_value("visitor_name", name, mask_name(name))
        self.set_value("id_number", fields["id_number"])
        self.status = self.tr("已读取证件，请选择被访住户")

    def card_message(self, text: str) -> None:
        self.status = self.tr(text)

    def on_value(self, key: str, value: str) -> None:
        if key == "id_type" and self.values.get("id_number"):
            self.set_value("id_number", self.values["id_number"])

    # -- editors (called from the kv file) ----------------------------------------
    def edit(self, key: str) -> Any:
        app = self.app
        if key == "host_unit":
            return self.edit_unit(key, app.backend.unit_tree())
        if key == "visitor_name":
            return self.edit_text(key, "访客姓名", "zh", 40, context="name")
        if key == "id_type":
            return self.edit_choice(key, "证件类型", list(ID_TYPES.items()), cols=3)
        if key == "visitor_kind":
            return self.edit_choice(key, "访客类型", list(VISITOR_KINDS.items()), cols=3)
        if key == "id_number":
            # X1: typed ID numbers show only their last 4 characters (按住显示 shows them whole)
            if self.values.get("id_type", "resident_id") == "resident_id":
                return self.edit_number(
                    key, "证件号码", 18, extra="X", hint="18位身份证号码", mask_keep=4
                )
            return self.edit_text(key, "证件号码", "en", 30, mask_keep=4)
        if key == "phone":
            return self.edit_number(key, "手机号码", 11, hint="11位手机号码")
        if key == "purpose":
            return self._edit_purpose()
        if key == "party_size":
            return self.edit_choice(
                key, "来访人数", [(str(n), f"{n} 人") for n in range(1, 11)], cols=5
            )
        if key == "plate":
            return self._edit_plate()
        if key == "work_pass":
            return self.edit_text(key, "施工出入证", "en", 30)
        return None

    def _edit_purpose(self) -> ChoicePopup:
        def chosen(value: str) -> None:
            if value == "其他":
                self.edit_text("purpose", "来访事由", "zh", 60)
            else:
                self.set_value("purpose", value)

        popup = ChoicePopup("来访事由", [(p, p) for p in PURPOSES], chosen, cols=4)
        popup.open()
        return popup

    def _edit_plate(self) -> ChoicePopup:
        def province(ch: str) -> None:
            if ch == "none":
                self.set_value("plate", "")
                return
            PinyinKeyboard.ask(
                "车牌号码", lambda t: self.set_value("plate", t.upper()), ch, mode="en", max_len=8
            )

        options = [(ch, ch) for ch in PROVINCES] + [("none", "无车辆")]
        popup = ChoicePopup("车牌号码", options, province, cols=8)
        popup.open()
        return popup

    def search_host(self) -> Any:
        """X1: the host by full name or full unit; at most that one unit, never a list."""
        from desk.host_lookup import public_host_lookup
        from desk.validate import format_unit_zh

        def done(text: str) -> None:
            if not text.strip():
                return
            match = public_host_lookup(self.app.backend.desk.directory, text)
            if match.unit is None:
                self.status = self.tr(match.message)
                return
            self.set_value("host_unit", match.unit, format_unit_zh(match.unit))

        return PinyinKeyboard.ask("住户姓名或房号", done, mode="zh", max_len=20, context="name")

    def enter_preauth(self) -> NumPad:
        def done(code: str) -> None:
            visit = self.app.backend.visit_by_preauth_code(code) if code else None
            if visit is None:
                self.status = self.tr("预约码无效或已过期，请按正常流程登记")
                return
            self.preauth_code = code
            from desk.validate import format_unit_zh

            self.set_value("host_unit", visit.host_unit, format_unit_zh(visit.host_unit))
            if visit.visitor_name:
                self.set_value("visitor_name", visit.visitor_name)
            self.status = self.tr("预约码有效，无需等待住户确认")

        return NumPad.ask("预约码", done, max_len=8)

    # -- submit ------------------------------------------------------------------
    def submit(self) -> None:
        if self.missing(REQUIRED):
            return
        if self.values.get("id_type") != "none" and not self.values.get("id_number"):
            self.missing(("id_number",))
            return
        if self.values.get("visitor_kind") == "decoration" and not self.values.get("work_pass"):
            self.missing(("work_pass",))
            return
        if self.errors():
            self.status = self.tr("请更正标红的项目")
            return
        fields = {k: v for k, v in self.values.items() if v}
        if fields.get("id_type") == "none":
            fields.pop("id_number", None)
        fields["party_size"] = int(fields.get("party_size", "1"))
        try:
            visit = self.app.backend.register_visit(fields, preauth_code=self.preauth_code)
        except Exception as exc:  # ValidationError / refused transition: tell the user
            field = getattr(exc, "field", "")
            if field in self.ids:
                self.ids[field].error = getattr(exc, "message", "")
            self.status = self.tr(getattr(exc, "message", "")) or self.tr(
                "对不起"
            ) + "，" + self.tr("请联系前台工作人员")
            log.warning("visit refused: %s", exc)
            return
        self.app.go("visitor_wait", number=visit.number)


class VisitorWaitScreen(KioskScreen):
    """Waiting / confirmed / declined (V2), or waiting for a guard's approval (V3); prints the pass (V6)."""

    number = StringProperty("")
    state = StringProperty("")
    """waiting_host, waiting_guard, admitted, declined."""
    message = StringProperty("")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请稍等，我帮您联系住户"
        self._poll = None
        self._waited = 0

    def prepare(self, number: str = "", **_: Any) -> None:
        self.number = number
        self._waited = 0
        self.message = ""
        self.refresh()
        if self._poll is None:
            self._poll = Clock.schedule_interval(lambda _dt: self.refresh(), 1.0)

    def reset(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None
        self.number = self.state = self.message = ""

    def on_leave(self, *_: Any) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def refresh(self) -> None:
        if not self.number:
            return
        self._waited += 1
        state = self.app.backend.visit_state(self.number)
        if state != self.state:
            self.state = state
            self.prompt = {
                "waiting_host": "请稍等，我帮您联系住户",
                "waiting_guard": "无证件来访需安全员批准",
                "admitted": "住户已确认，欢迎来访",
                "declined": "住户暂时无法接待",
            }.get(state, "")
            if self.app.voice is not None and self.prompt:
                self.app.voice.say(self.tr(self.prompt))
        if state == "admitted":
            self._admit()
        elif state == "waiting_host" and self._waited > self.app.settings.kiosk.host_wait_seconds:
            self.state = "declined"

    def _admit(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None
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
        self.app.show_result("住户已确认，欢迎来访", lines, number=number)

    def leave_message(self) -> None:
        def done(text: str) -> None:
            if text:
                self.app.backend.leave_message(self.number, text)
            self.app.show_result(
                "留言已转交住户", [self.tr("谢谢，再见")], ok=True, number=self.number
            )

        PinyinKeyboard.ask("留言给住户", done, mode="zh", max_len=200)
