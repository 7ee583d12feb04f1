"""Guard / staff mode after a PIN login: intake, countersign, visitors, keys, board, log, devices, reprint."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from desk.masking import mask_id, mask_name, mask_phone
from desk.notice_hooks import notice_line
from desk.record_types import REQUEST_KINDS
from desk.records import format_number
from desk.validate import format_unit_zh, unit_label_zh
from desk.workflow import STATUS_ZH
from kiosk import theme
from kiosk.screens.guard_calls import CallsMixin
from kiosk.screens.guard_checks import ChecksMixin
from kiosk.screens.guard_complaints import ComplaintStepsMixin
from kiosk.screens.guard_intake import IntakeChecksMixin
from kiosk.screens.guard_keys import KeysMixin
from kiosk.screens.guard_orders import OrdersMixin
from kiosk.screens.guard_residents import ResidentsMixin
from kiosk.screens.guard_visitors import VisitorDeskMixin
from kiosk.widgets.common import BigButton, KioskScreen, MessagePopup
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup, UnitPicker
from kiosk.words import role_zh

log = logging.getLogger(__name__)

SECTIONS = (
    ("visitors", "待确认访客"),
    ("pickups", "待核对取件"),
    ("intake", "快递入库"),
    ("keys", "钥匙借还"),
    ("board", "工单看板"),
    ("log", "值班日志"),
    ("devices", "设备状态"),
    ("reprint", "补打凭条"),
    ("residents", "电话查询密码"),
    ("report", "月度报表"),
)
STATE_COLORS = {"overdue": theme.DANGER, "due_soon": theme.WARNING, "ok": theme.PANEL}


def readable(text: str) -> str:
    """Log text as people read it (``kiosk.words.readable``: numbers, units, roles, no rule ids)."""
    from kiosk.words import readable as words_readable

    return words_readable(text)


class GuardScreen(
    CallsMixin,
    ChecksMixin,
    IntakeChecksMixin,
    ComplaintStepsMixin,
    KeysMixin,
    OrdersMixin,
    ResidentsMixin,
    VisitorDeskMixin,
    KioskScreen,
):
    """Sections on the left, the chosen section's rows on the right."""

    section = StringProperty("visitors")
    notice = StringProperty("")

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = ""
        self.intake: dict[str, str] = {}
        self.loan: dict[str, Any] = {}
        self.check: dict[str, Any] = {}
        self.desk_form: dict[str, Any] = {}
        self.bind_scanner()  # R3: a scanned 派工单 opens its order (guard_orders)

    def prepare(self, **_: Any) -> None:
        if self.app.staff is None:
            return
        self.show(self.section)

    def reset(self) -> None:
        self.intake = {}
        self.loan = {}
        self.check = {}
        self.notice = ""
        self.section = "visitors"
        if "content" in self.ids:
            self.ids.content.clear_widgets()

    # -- layout helpers -----------------------------------------------------------
    def _clear(self) -> BoxLayout:
        box = self.ids.content
        box.clear_widgets()
        self.ids.actions.clear_widgets()
        return box

    def _bar(self, actions: list[tuple[Any, ...]]) -> None:
        """Buttons of the form shown (submit, cancel) in the bar above the rows: always in view."""
        for zh, role, fn, *busy in actions:
            btn = BigButton(text=self.tr(zh), color_role=role)
            btn.bind(on_release=lambda _b, fn=fn, busy=busy: self._run(fn, *busy))
            self.ids.actions.add_widget(btn)

    def _text(self, text: str, color: Any = theme.TEXT) -> Label:
        label = Label(
            text=readable(text),
            color=color,
            size_hint_y=None,
            halign="left",
            valign="middle",
            font_size=theme.FONT_SMALL,
        )
        label.bind(
            width=lambda w, v: setattr(w, "text_size", (v, None)),
            texture_size=lambda w, v: setattr(w, "height", max(v[1] + 10, 56)),
        )
        self.ids.content.add_widget(label)
        return label

    def _row(
        self,
        text: str,
        actions: list[tuple[Any, ...]],
        bg: Any = theme.PANEL,
        parent: Any = None,
        action_width: int = 190,
    ) -> BoxLayout:
        """A text and its buttons: (label, colour, fn) or (label, colour, fn, busy text) for a
        device call that runs on the worker ("正在开柜…")."""
        row = BoxLayout(size_hint_y=None, height=theme.TARGET, spacing=8)
        label = BigButton(
            text=readable(text), color_role="panel", halign="left", font_size=theme.FONT_SMALL
        )
        label.bg = bg
        row.add_widget(label)
        for zh, role, fn, *busy in actions:
            btn = BigButton(text=self.tr(zh), color_role=role, size_hint_x=None, width=action_width)
            btn.bind(on_release=lambda _b, fn=fn, busy=busy: self._run(fn, *busy))
            row.add_widget(btn)
        (parent or self.ids.content).add_widget(row)
        return row

    def _grid(self, cols: int = 2) -> Any:
        """Rows side by side (a long form stays in view without scrolling)."""
        from kivy.uix.gridlayout import GridLayout

        grid = GridLayout(
            cols=cols, spacing=6, size_hint_y=None, row_default_height=theme.TARGET,
            row_force_default=True,
        )  # fmt: skip
        grid.bind(minimum_height=grid.setter("height"))
        self.ids.content.add_widget(grid)
        return grid

    def _run(self, fn: Callable[[], Any], busy: str = "") -> None:
        """Run a guard action; with ``busy`` on the device worker, the screen showing ``busy``."""
        if busy:
            self.app.run_device(busy, fn, self._after, self._failed)
            return
        try:
            self._after(fn())
        except Exception as exc:
            self._failed(exc)

    def _after(self, result: Any) -> None:
        if isinstance(result, str):
            self.notice = readable(result)
        self.show(self.section)

    def _failed(self, exc: BaseException) -> None:
        self.notice = readable(getattr(exc, "message", None) or str(exc))
        log.warning("guard action failed: %s", exc)
        self.show(self.section)

    def show(self, section: str) -> None:
        if section != self.section:  # a message belongs to its section (issue 18 item 1)
            self.notice = ""
            if "scroll" in self.ids:
                self.ids.scroll.scroll_y = 1  # a new section starts at its top
        self.section = section
        self._clear()
        shown_as = {"loan": "keys", "check": "log", "callbacks": "board"}.get(section, section)
        if section.startswith("visit_"):  # the visitor desk's tabs (guard_visitors.py)
            shown_as = "visitors"
        current = dict(SECTIONS).get(shown_as, "")
        for btn in self.ids.nav.children:  # the section shown in blue; texts follow the language
            btn.color_role = "primary" if btn.zh == current else "panel"
            btn.text = self.tr(btn.zh)
        getattr(self, f"_show_{section}")()

    # -- sections -----------------------------------------------------------------
    def _show_report(self) -> None:
        """S1, R5, C4, R2, C3: this month's figures against their targets (red: not met)."""
        b = self.app.backend
        month = f"{b.desk.now():%Y-%m}"
        self._bar([("生成PDF和表格", "primary", lambda: b.write_month_report(month))])
        for row in b.month_rows(month):
            if row.target or row.item.endswith("总数") or row.section == "未记录的数据":
                value = f"：{row.value}（目标 {row.target}）" if row.target else f"：{row.value}"
                text = f"{row.section.split(' ')[0]} · {row.item}" + (value if row.value else "")
                self._text(text, theme.DANGER if row.met is False else theme.TEXT)

    def _show_calls(self) -> None:
        """Calls for staff and emergencies (E1 first), from the store: they survive a restart."""
        b = self.app.backend
        for r in b.open_requests():
            if r.request_kind not in ("call_staff", "emergency", "blocked_visitor"):
                continue
            what = REQUEST_KINDS.get(r.request_kind, r.request_kind)
            self._row(
                f"{what}  {r.created_at:%H:%M}  {r.note or r.source}",
                [("已处理", "success", lambda n=r.number: b.settle(n) and "已处理")],
                bg=theme.WARNING if r.request_kind == "call_staff" else theme.DANGER,
            )

    def _show_visitors(self) -> None:
        b = self.app.backend
        self._visit_tabs()
        self._show_calls()
        waiting = b.visits_waiting()
        if not waiting:
            self._text("没有等待确认的访客", theme.MUTED)
        for v in waiting:
            text = f"{unit_label_zh(v.host_unit)}  {mask_name(v.visitor_name)}  {v.party_size}人  {STATUS_ZH.get(v.status, v.status)}"
            if v.earlier_visits:  # issue 16 item 2: a returning visitor
                text += f"  {self.tr('来过')}{v.earlier_visits}{self.tr('次')}"
            if v.status == "waiting_host":
                buttons = [
                    ("住户同意", "success", lambda n=v.number: _said(b.host_answer(n, True))),
                    ("住户拒绝", "danger", lambda n=v.number: b.host_answer(n, False) and "已拒绝"),
                ]
                if b.needs_guard(v):  # V3: without ID the guard vouches too, in either order
                    buttons.append(
                        ("核实无误", "neutral", lambda n=v.number: _said(b.approve_without_id(n)))
                    )
                self._row(text, buttons)
            else:
                self._row(
                    text,
                    [
                        (
                            "批准",
                            "success",
                            lambda n=v.number: b.approve_without_id(n) and "已批准",
                        ),
                        (
                            "拒绝",
                            "danger",
                            lambda n=v.number: b.approve_without_id(n, False) and "已拒绝",
                        ),
                    ],
                )
        overdue = b.visits_overdue()
        self._text(f"{self.tr('未离开访客')}（{len(overdue)}）", theme.HIGHLIGHT)
        for v in overdue:
            since = (v.time_in or v.created_at).strftime("%m-%d %H:%M")
            self._row(
                f"{unit_label_zh(v.host_unit)}  {mask_name(v.visitor_name)}  {since}",
                [("访客离开", "neutral", lambda n=v.number: b.guard_check_out(n) and "已登记离开")],
            )

    def _show_pickups(self) -> None:
        b = self.app.backend
        self._show_calls()
        pickups = [
            r for r in b.open_requests() if r.request_kind in ("counter_pickup", "proxy_pickup")
        ]
        self._text(f"{self.tr('等待交付')}（{len(pickups)}）", theme.HIGHLIGHT)
        if not pickups:
            self._text("没有等待交付的包裹", theme.MUTED)
        for r in pickups:
            place = "前台" if r.compartment == self.app.backend.counter else r.compartment
            busy = "正在打印…" if r.compartment == self.app.backend.counter else "正在开柜…"
            if r.request_kind == "proxy_pickup":
                who = f"代取人 {mask_name(r.proxy_name)} {mask_id(r.proxy_id)}"
                actions = [
                    (
                        "核验交付",
                        "success",
                        lambda r=r: b.hand_over(r) and "已交付代取人",
                        busy,
                    ),
                    ("拒绝", "danger", lambda n=r.number: b.settle(n, False) and "已拒绝代领"),
                ]
            else:
                who = "本人" + (f"  {r.note}" if r.note else "")
                actions = [("确认交付", "success", lambda r=r: b.hand_over(r) and "已交付", busy)]
            self._row(f"{unit_label_zh(r.unit)}  {place}  {who}  {r.created_at:%H:%M}", actions)
        to_sign = b.to_countersign()
        self._text(f"{self.tr('待核对取件')}（{len(to_sign)}）", theme.HIGHLIGHT)
        for p in to_sign:
            self._row(
                f"{unit_label_zh(p.unit)}  {p.compartment}  {p.courier}",
                [("确认交付", "success", lambda n=p.number: b.countersign(n) and "已核对")],
            )

    def _show_intake(self) -> None:
        i = self.intake
        fields = (
            (
                "tracking_no",
                "快递单号",
                lambda: PinyinKeyboard.ask(
                    "快递单号",
                    lambda t: self._set("tracking_no", t.upper()),
                    i.get("tracking_no", ""),
                    mode="en",
                    max_len=40,
                ),
            ),
            (
                "courier",
                "快递公司",
                lambda: ChoicePopup(
                    "快递公司",
                    [(c, c) for c in self.app.backend.couriers()],
                    lambda v: self._set("courier", v),
                    cols=3,
                ).open(),
            ),
            (
                "unit",
                "收件人",
                lambda: UnitPicker(self.app.backend.unit_tree(), self._pick_unit).open(),
                ("姓名查找", "neutral", self._search_recipient),
            ),
            (
                "phone",
                "手机号码",
                lambda: NumPad.ask("手机号码", lambda t: self._set("phone", t), max_len=11),
            ),
            ("compartment", "柜格", self._pick_compartment),
            *self._intake_check_fields(),
        )
        for key, zh, fn, *more in fields:
            shown = i.get(key, "")
            if key == "unit" and shown:
                shown = f"{format_unit_zh(shown)}  {mask_name(i.get('recipient_name', ''))}"
            if key == "compartment" and shown == self.app.backend.counter:
                shown = "前台存放"
            if key == "phone" and shown:
                shown = mask_phone(shown)
            shown = self._intake_shown(key, shown)
            self._row(f"{self.tr(zh)}：{shown}", [*more, ("请输入", "neutral", fn)])
        self._bar(
            [("清空", "neutral", self._clear_intake), ("提交", "success", self._submit_intake)]
        )

    def _set(self, key: str, value: str) -> None:
        self.intake[key] = value
        self.notice = ""  # the last refusal no longer applies
        self.show("intake")

    def _clear_intake(self) -> None:
        self.intake = {}

    def _pick_unit(self, unit: str) -> None:
        residents = self.app.backend.residents_of(unit)
        self.intake["unit"] = unit
        if residents:
            self.intake["recipient_name"] = residents[0].name
            self.intake.setdefault("phone", residents[0].phone)
        self.show("intake")

    def _search_recipient(self) -> None:
        """P1: the recipient by the pinyin initials of the name (masked names and units)."""
        from kiosk.widgets.resident_search import ResidentSearch

        def chosen(owner: Any) -> None:
            self.intake.update(unit=owner.unit, recipient_name=owner.name, phone=owner.phone)
            self.show("intake")

        ResidentSearch.ask(self.app.backend.search_residents, chosen, "收件人姓名首字母")

    def _pick_compartment(self) -> None:
        free = self.app.backend.free_compartments()
        label = self.app.backend.compartment_label
        options = [(self.app.backend.counter, "前台存放")] + [(c, label(c)) for c in free]
        ChoicePopup("柜格", options, lambda v: self._set("compartment", v), cols=5).open()

    def _submit_intake(self) -> str | None:
        """P1: record the parcel; a locker compartment is opened for loading on the worker."""
        missing = [
            k for k in ("tracking_no", "courier", "unit", "compartment") if not self.intake.get(k)
        ]
        if missing:
            labels = {"tracking_no": "快递单号", "courier": "快递公司", "unit": "收件人"}
            return "请填写：" + "、".join(labels.get(k, "柜格") for k in missing)
        fields: dict[str, Any] = dict(self.intake)
        fields.setdefault("recipient_name", "住户")
        fields["registered_mail"] = bool(fields.get("registered_mail"))
        self.app.backend.check_intake(
            fields
        )  # P1: a damaged parcel described, before any door opens

        def received(result: tuple[Any, bool]) -> None:  # back on the UI thread
            parcel, opened = result
            self.intake = {}
            door = (
                "柜门已打开，传感器已检测到包裹，请关好柜门"
                if opened and parcel.compartment != self.app.backend.counter
                else "请放在前台货架"
            )
            place = "前台" if parcel.compartment == self.app.backend.counter else parcel.compartment
            # only what really happened: queued/sent to a masked number, or not sent at all
            told = notice_line(backend.desk, parcel.number)
            self._after(f"已入库 {format_number(parcel.number)}  {place}  {door}；{told}")

        backend = self.app.backend
        if fields["compartment"] == self.app.backend.counter:  # no device: at once
            received(backend.receive_parcel(fields))
        else:
            self.app.run_device(
                f"正在开柜 {fields['compartment']}：柜门打开后请放入包裹…",
                lambda: backend.receive_parcel(fields),
                received,
                self._failed,
            )
        return None

    def _show_log(self) -> None:
        b = self.app.backend
        self._bar([
            ("写入日志", "primary", self._write_log), ("交接班", "warning", self._handover),
            ("钥匙盘点", "neutral", lambda: self._start_check("keys")),  # K4
            ("快递盘点", "neutral", lambda: self._start_check("parcels")),  # P5
        ])  # fmt: skip
        for level, text in b.check_reminders():  # K4 stock-take, P5 evening parcel audit
            self._text(text, theme.DANGER if level == "alert" else theme.WARNING)
        for entry in reversed(b.duty_log_today()[-20:]):
            self._text(f"{entry.created_at:%H:%M}  {role_zh(entry.author)}：{entry.text}")

    def _write_log(self) -> None:
        PinyinKeyboard.ask(
            "值班日志",
            lambda t: t and self._run(lambda: self.app.backend.log_entry(t) and "已写入"),
            mode="zh",
            max_len=500,
        )

    def _handover(self) -> None:
        names = [(n, n) for n in self.app.backend.staff_names() if n != self.app.staff.name]
        ChoicePopup("接班人", names, self._handover_to, cols=3).open()

    def _handover_to(self, name: str, override_by: Any = None) -> None:
        """L3: important unfinished work blocks the handover; a supervisor may override it."""
        b = self.app.backend
        blocking = b.blocking_items()
        if blocking and override_by is None:
            # numbers on their own line, spaced: a line never breaks inside a number
            items = "   ".join(format_number(n) for n in blocking[:6])
            MessagePopup(
                f"{self.tr('有未完成的重要事项')}：\n{items}\n{self.tr('须主管授权才能交班')}",
                on_ok=lambda: self._ask_supervisor(name),
                ok_text=self.tr("主管授权"),
                cancel_text=self.tr("取消"),
            ).open()
            return
        note = (
            f"主管 {override_by.name} 授权交班（未完成：{'、'.join(blocking)}）"
            if override_by
            else ""
        )

        def signed(pin: str) -> None:
            """L3: the incoming shift signs with their own PIN; the outgoing is logged out."""
            if not pin:
                return
            self._run(lambda: b.handover(name, note, override_by=override_by, incoming_pin=pin)
                      and f"已交接给 {name}，{name} 已登录"
                      + (f"（主管 {override_by.name} 授权）" if override_by else ""))  # fmt: skip

        NumPad.ask(
            f"{self.tr('接班人')} {name} · {self.tr('密码')}", signed, max_len=12, secret=True
        )

    def _ask_supervisor(self, to_name: str) -> None:
        def pin_for(sup: str) -> None:
            def got(pin: str) -> None:
                actor = self.app.backend.login(sup, pin) if pin else None
                if actor is None or actor.role.value != "supervisor":
                    self.notice = "主管密码错误，未交班"
                    self.show(self.section)
                    return
                self._handover_to(to_name, override_by=actor)

            NumPad.ask(f"{sup} · {self.tr('密码')}", got, max_len=12, secret=True)

        names = [(login, label) for label, login in self.app.backend.supervisor_logins()]
        ChoicePopup("主管", names, pin_for, cols=3).open()

    def _show_devices(self) -> None:
        colors = {"ok": theme.SUCCESS, "warn": theme.WARNING, "bad": theme.DANGER}
        for text, level in self.app.backend.device_lines():
            self._row(text, [], bg=colors[level])
        self._bar([("刷新", "neutral", lambda: None)])

    def _show_reprint(self) -> None:
        def got(number: str) -> None:
            if number:
                self._run(lambda: self._reprinted(number), "正在打印…")

        self._text(self.tr("请输入凭条上的11位单号，再按补打凭条"), theme.MUTED)
        self._bar([("补打凭条", "primary", lambda: NumPad.ask("单号", got, max_len=11))])

    def _reprinted(self, number: str) -> str:
        out = self.app.backend.reprint(number)
        if out.status == "none":
            return "未找到该单号"
        return "已重新打印" if out.ok else out.message()

    def when(self) -> str:
        return datetime.now().strftime("%H:%M")


def _said(visit: Any) -> str:
    """What the guard is told after an answer: admitted, or what it still waits for (V2, V3)."""
    return {"admitted": "已放行", "waiting_approval": "住户已同意，待安全员核实"}.get(
        visit.status, "已核实，待住户确认"
    )
