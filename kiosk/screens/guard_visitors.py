"""Guard mode, the visitor desk: on-site list (printed), blocklist, renovations (issue 16 items 3, 4, 6)."""

from __future__ import annotations

import logging
from datetime import date, time, timedelta
from typing import Any

from desk import validate
from desk.masking import mask_id, mask_name
from desk.record_types import VISITOR_KINDS
from desk.validate import format_unit_zh, unit_label_zh
from kiosk import theme
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup, UnitPicker

log = logging.getLogger(__name__)

VISIT_TABS = (
    ("visitors", "等待确认"),
    ("visit_onsite", "在场人员"),
    ("visit_block", "黑名单"),
    ("visit_reno", "装修登记"),
)
HOURS = [f"{h:02d}:00" for h in range(6, 23)]


class VisitorDeskMixin:
    """Tabs of the 待确认访客 section of ``GuardScreen``; forms kept in ``self.desk_form``."""

    desk_form: dict[str, Any]

    def _visit_tabs(self, extra: list[tuple[Any, ...]] = ()) -> None:  # type: ignore[assignment]
        """The tab buttons in the bar (the current one blue), then the tab's own actions."""

        def goto(section: str) -> Any:
            def go() -> None:
                self.section = section

            return go

        tabs = [(zh, "primary" if key == self.section else "neutral", goto(key))
                for key, zh in VISIT_TABS]  # fmt: skip
        self._bar([*tabs, *extra])

    # -- on site (issue 16 item 6) ----------------------------------------------------
    def _show_visit_onsite(self) -> None:
        b = self.app.backend
        self._visit_tabs([("打印名单", "success", self._print_on_site, "正在打印…")])
        inside = b.on_site()
        people = sum(v.party_size for v in inside)
        self._text(f"{self.tr('在场人员')}：{len(inside)} 批，共 {people} 人", theme.HIGHLIGHT)
        for v in inside:
            kind = VISITOR_KINDS.get(v.visitor_kind, v.visitor_kind)
            since = (v.time_in or v.created_at).strftime("%H:%M")
            until = f"  至 {v.valid_until:%H:%M}" if v.valid_until else ""
            self._row(
                f"{mask_name(v.visitor_name)}  {kind}  {v.party_size}人  {unit_label_zh(v.host_unit)}  {since}{until}",
                [("访客离开", "neutral", lambda n=v.number: b.guard_check_out(n) and "已登记离开")],
            )  # fmt: skip

    def _print_on_site(self) -> str:
        out = self.app.backend.print_on_site()
        return "在场人员名单已打印" if out.ok else out.message()

    # -- blocklist (issue 16 item 3) --------------------------------------------------
    def _show_visit_block(self) -> None:
        b = self.app.backend
        self._visit_tabs([("添加", "primary", self._start_block)])
        entries = b.blocklist()
        if not entries:
            self._text("黑名单为空", theme.MUTED)
        for e in entries:
            self._row(
                f"{mask_name(e.name)}  {self.tr('至')} {e.until or '长期'}  {e.decided_by}：{e.reason}",
                [("移出", "danger", lambda n=e.number: b.unblock(n) and "已移出黑名单")],
                bg=theme.WARNING,
            )  # fmt: skip

    def _start_block(self) -> None:
        self.desk_form = {"id_type": "resident_id"}
        self.section = "visit_block_form"

    def _show_visit_block_form(self) -> None:
        f = self.desk_form
        shown = {
            "id_number": mask_id(f["id_number"]) if f.get("id_number") else "",
            "name": mask_name(f.get("name", "")),
            "reason": f.get("reason", ""),
            "decided_by": f.get("decided_by", ""),
            "until": f.get("until", "") or "长期",
        }
        fields = (
            ("id_number", "证件号码", lambda: NumPad.ask("证件号码", self._form_set("id_number"),
                                                     max_len=18, extra="X", mask_keep=4)),
            ("name", "姓名", lambda: PinyinKeyboard.ask("姓名", self._form_set("name"),
                                                      mode="zh", max_len=40, context="name")),
            ("reason", "原因", lambda: PinyinKeyboard.ask("原因（不在公共屏幕显示）",
                                                        self._form_set("reason"), mode="zh", max_len=200)),
            ("decided_by", "决定人", lambda: PinyinKeyboard.ask("决定人", self._form_set("decided_by"),
                                                             mode="zh", max_len=40, context="name")),
            ("until", "截止日期", self._pick_until),
        )  # fmt: skip
        for key, zh, fn in fields:
            self._row(f"{self.tr(zh)}：{shown[key]}", [("请输入", "neutral", fn)])
        self._bar([("取消", "neutral", self._back("visit_block")),
                   ("加入黑名单", "danger", self._submit_block)])  # fmt: skip

    def _pick_until(self) -> None:
        today = self.app.backend.desk.now().date()
        options = [("", "长期")] + [
            ((today + timedelta(days=d)).isoformat(), label)
            for d, label in ((7, "一周"), (30, "一个月"), (90, "三个月"), (365, "一年"))
        ]
        ChoicePopup("截止日期", options, self._form_set("until"), cols=5).open()

    def _submit_block(self) -> str | None:
        f = self.desk_form
        labels = {"id_number": "证件号码", "name": "姓名", "reason": "原因", "decided_by": "决定人"}
        missing = [zh for k, zh in labels.items() if not f.get(k)]
        if missing:
            return "请填写：" + "、".join(missing)
        until = date.fromisoformat(f["until"]) if f.get("until") else None
        entry = self.app.backend.block(f["id_type"], validate.id_number(f["id_type"], f["id_number"]),
                                       f["name"], f["reason"], f["decided_by"], until)  # fmt: skip
        self.desk_form = {}
        self.section = "visit_block"
        return f"已加入黑名单：{mask_name(entry.name)}"

    # -- renovations (issue 16 item 4, V4) ---------------------------------------------
    def _show_visit_reno(self) -> None:
        b = self.app.backend
        self._visit_tabs([("登记装修", "primary", self._start_reno)])
        found = b.renovations()
        if not found:
            self._text("没有进行中的装修", theme.MUTED)
        for r in found:
            self._text(f"{b.describe_renovation(r)}  {len(r.workers)}{self.tr('名工人')}")

    def _start_reno(self) -> None:
        today = self.app.backend.desk.now().date()
        self.desk_form = {"first_day": today.isoformat(), "last_day": (today + timedelta(days=30)).isoformat(),
                          "hours_from": "08:00", "hours_until": "18:00"}  # fmt: skip
        self.section = "visit_reno_form"

    def _show_visit_reno_form(self) -> None:
        f = self.desk_form
        days = [((date.fromisoformat(f["first_day"]) + timedelta(days=d)).isoformat(), str(d))
                for d in (7, 14, 30, 60, 90)]  # fmt: skip
        fields = (
            ("unit", "房号", lambda: UnitPicker(self.app.backend.unit_tree(), self._form_set("unit")).open()),
            ("company", "装修公司", lambda: PinyinKeyboard.ask("装修公司", self._form_set("company"),
                                                            mode="zh", max_len=60)),
            ("permit", "施工证号", lambda: PinyinKeyboard.ask("施工证号", self._form_set("permit"),
                                                            mode="en", max_len=30)),
            ("last_day", "结束日期", lambda: ChoicePopup("施工天数", days, self._form_set("last_day"),
                                                        cols=5).open()),
            ("hours_from", "每日开始", lambda: ChoicePopup("每日开始", [(h, h) for h in HOURS],
                                                          self._form_set("hours_from"), cols=6).open()),
            ("hours_until", "每日结束", lambda: ChoicePopup("每日结束", [(h, h) for h in HOURS],
                                                           self._form_set("hours_until"), cols=6).open()),
            ("workers", "工人", lambda: PinyinKeyboard.ask("工人姓名（用空格分开）", self._form_set("workers"),
                                                        mode="zh", max_len=200, context="name")),
        )  # fmt: skip
        for key, zh, fn in fields:
            value = f.get(key, "")
            if key == "unit" and value:
                value = format_unit_zh(value)
            if key == "last_day":
                value = f"{f['first_day']} 至 {value}"
            self._row(f"{self.tr(zh)}：{value}", [("请输入", "neutral", fn)])
        self._bar([("取消", "neutral", self._back("visit_reno")),
                   ("登记", "success", self._submit_reno)])  # fmt: skip

    def _submit_reno(self) -> str | None:
        f = self.desk_form
        labels = {"unit": "房号", "company": "装修公司", "permit": "施工证号"}
        missing = [zh for k, zh in labels.items() if not f.get(k)]
        if missing:
            return "请填写：" + "、".join(missing)
        reno = self.app.backend.add_renovation({
            "unit": f["unit"], "company": f["company"], "permit": f["permit"],
            "first_day": date.fromisoformat(f["first_day"]), "last_day": date.fromisoformat(f["last_day"]),
            "hours_from": time.fromisoformat(f["hours_from"]), "hours_until": time.fromisoformat(f["hours_until"]),
            "workers": tuple(f.get("workers", "").replace("，", " ").replace(",", " ").split()),
        })  # fmt: skip
        self.desk_form = {}
        self.section = "visit_reno"
        return f"已登记装修：{format_unit_zh(reno.unit)} {reno.permit}"

    # -- helpers ------------------------------------------------------------------------
    def _form_set(self, key: str) -> Any:
        def done(value: str) -> None:
            if value or key == "until":
                self.desk_form[key] = (
                    value.strip().upper() if key in ("id_number", "permit") else value.strip()
                )
            self.show(self.section)

        return done

    def _back(self, section: str) -> Any:
        def back() -> None:
            self.desk_form = {}
            self.section = section

        return back
