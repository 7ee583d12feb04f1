"""Visitor registration (V1-V6) and the wait for the host's answer or a guard's approval."""

from __future__ import annotations

import logging
from typing import Any

from kivy.clock import Clock
from kivy.properties import StringProperty

from desk import validate
from desk.record_types import ID_TYPES, VISITOR_KINDS
from kiosk.widgets.form import FormScreen
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

# issue 18 item 4: the purpose list no longer repeats the visitor types (courier, worker...)
PURPOSES = ("探亲访友", "看房", "商务拜访", "家政保洁", "面试", "其他")
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_GUEST = (("visitor_kind", "host_unit", "visitor_name", "id_type", "id_number"),
          ("phone", "purpose", "party_size", "plate"))  # fmt: skip
_ERRAND = (
    ("visitor_kind", "host_unit", "visitor_name", "id_type", "id_number"),
    ("phone", "plate"),
)
FORM_BY_KIND: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "guest": _GUEST,
    "other": _GUEST,
    "courier": _ERRAND,
    "service": _ERRAND,
    # V4: a worker keys the permit; the unit comes from the renovation record
    "decoration": (("visitor_kind", "work_pass", "visitor_name", "id_type", "id_number"),
                   ("phone", "plate")),
}  # fmt: skip
HINTS = {
    "decoration": "请输入施工证号；出入证只在装修登记的施工日和施工时段有效",
    "courier": "快递外卖请登记后等待住户确认",
}


class VisitorScreen(FormScreen):
    """The registration form; 提交 registers the visit and waits for the host (V2).

    It asks only what the visitor type needs (issue 18 item 4); the core decides everything
    else (blocklist, renovation hours, known visitors)."""

    preauth_code = StringProperty("")
    kind = StringProperty("guest")
    hint = StringProperty("带 * 为必填项；无证件需安全员批准")

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
        self.shape(self.values.get("visitor_kind") or "guest")

    def reset(self) -> None:
        super().reset()
        self.preauth_code = ""
        self._from_card = False
        self._stop_card_feed()
        if "left_col" in self.ids:
            self.shape("guest")

    # -- the form for the visitor type (issue 18 item 4) ------------------------------
    def shape(self, kind: str) -> None:
        """Show the rows ``kind`` needs, in order; the others are taken off the screen."""
        from kivy.uix.widget import Widget

        self.kind = kind if kind in FORM_BY_KIND else "guest"
        self.hint = HINTS.get(self.kind, "带 * 为必填项；无证件需安全员批准")
        left, right = FORM_BY_KIND[self.kind]
        rows = self._strong_rows()
        for column in (self.ids.left_col, self.ids.right_col):
            column.clear_widgets()
        for column, keys in ((self.ids.left_col, left), (self.ids.right_col, right)):
            for key in keys:
                column.add_widget(rows[key])
            for _ in range(6 - len(keys)):  # rows keep their height whatever the type
                column.add_widget(Widget())

    _rows: dict[str, Any] | None = None

    def _strong_rows(self) -> dict[str, Any]:
        """The form's rows held strongly (``ids`` are weak proxies: a row off the screen
        would otherwise be collected)."""
        from kiosk.widgets.common import FieldRow

        if self._rows is None:
            children = [c for col in (self.ids.left_col, self.ids.right_col) for c in col.children]
            self._rows = {
                key: child
                for child in children
                if isinstance(child, FieldRow)
                for key, proxy in self.ids.items()
                if proxy == child
            }
        return self._rows

    def shown(self) -> set[str]:
        left, right = FORM_BY_KIND[self.kind]
        return set(left) | set(right)

    def required(self) -> tuple[str, ...]:
        if self.kind == "decoration":
            return ("work_pass", "visitor_name", "id_type")
        return ("host_unit", "visitor_name", "id_type")

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

    _from_card = False

    def card_fields(self, fields: dict[str, Any]) -> None:
        """A valid card was read: name and ID shown masked (X1), nothing else kept."""
        from desk.masking import mask_name

        name = fields["visitor_name"]
        self._from_card = True
        self.set_value("id_type", fields["id_type"], self.tr(ID_TYPES[fields["id_type"]]))
        self.set_value("visitor_name", name, mask_name(name))
        self.set_value("id_number", fields["id_number"])
        if not self.status:
            self.status = self.tr("已读取证件，请选择被访住户")

    def card_message(self, text: str) -> None:
        self.status = self.tr(text)

    def on_value(self, key: str, value: str) -> None:
        if key == "id_type" and self.values.get("id_number"):
            self.set_value("id_number", self.values["id_number"])
        elif key == "visitor_kind" and value and "left_col" in self.ids:
            self.shape(value)
        elif key == "id_number" and value and not self.ids.id_number.error:
            self._recognise(value)
        elif key == "phone" and value and not self.ids.phone.error:  # X1: masked on screen
            from desk.masking import mask_phone

            self.ids.phone.display = mask_phone(value)

    def _recognise(self, id_number: str) -> None:
        """Issue 16 item 2: a returning visitor's name and plate (and, from the card, the usual
        host) are filled in; the core decides what may be offered (X1)."""
        from desk.masking import mask_name
        from desk.validate import format_unit_zh

        known = self.app.backend.known_visitor(
            self.values.get("id_type") or "resident_id", id_number, self._from_card
        )
        if known is None:
            return
        if not self.values.get("visitor_name"):
            self.set_value("visitor_name", known.name, mask_name(known.name))
        if known.plate and not self.values.get("plate"):
            self.set_value("plate", known.plate)
        if known.usual_host and not self.values.get("host_unit") and self.kind != "decoration":
            self.set_value("host_unit", known.usual_host, format_unit_zh(known.usual_host))
        self.status = self.tr("欢迎再次来访，已为您填好上次的信息，请核对")

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
            self._from_card = False
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
            return self.edit_text(key, "施工证号", "en", 30)
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
        if self.missing(self.required()):
            return
        if self.values.get("id_type") != "none" and not self.values.get("id_number"):
            self.missing(("id_number",))
            return
        if self.errors():
            self.status = self.tr("请更正标红的项目")
            return
        shown = self.shown()
        fields = {k: v for k, v in self.values.items() if v and k in shown}
        if fields.get("id_type") == "none":
            fields.pop("id_number", None)
        fields["party_size"] = int(fields.get("party_size", "1"))
        try:
            visit = self.app.backend.register_visit(fields, preauth_code=self.preauth_code)
        except Exception as exc:  # the core's refusals: told as the core words them
            from desk.services.visits import VisitorBlocked

            if isinstance(exc, VisitorBlocked):  # the reason is for the guard only
                self.app.show_result("请到前台", [self.tr(exc.message)], ok=False)
                return
            field = getattr(exc, "field", "")
            if field in self.ids:
                self.ids[field].error = getattr(exc, "message", "")
            elif self.kind == "decoration":
                self.ids.work_pass.error = "无效"
            if getattr(exc, "template", ""):  # V4 refusals: the core's words, with their times
                self.status = self.tr(exc.template).format(**exc.params)
                return
            self.status = self.tr(getattr(exc, "message", "")) or self.tr(
                "对不起"
            ) + "，" + self.tr("请联系前台工作人员")
            log.warning("visit refused: %s", exc)
            return
        self.app.go("visitor_wait", number=visit.number)
