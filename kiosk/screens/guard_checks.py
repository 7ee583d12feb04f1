"""Guard mode, checks: the key stock-take (K4) and the parcel audit (P5) against the slot sensors,
the guard's ticks for what no sensor sees, the printed report and the settlement by name."""

from __future__ import annotations

import logging
from typing import Any

from desk.record_types import FINDINGS
from kiosk import theme
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)

TITLES = {"keys": "钥匙盘点", "parcels": "快递盘点"}


class ChecksMixin:
    """``self.check`` holds the check under way: what, the sensor readings, ticks, the result."""

    check: dict[str, Any]

    def _start_check(self, which: str) -> None:
        """Read every slot sensor on the device worker, then ask about what they cannot see."""
        self.check = {"which": which, "ticked": []}
        self.app.run_device(
            "正在读取柜格…", lambda: self.app.backend.read_slots(which), self._got_readings,
            self._failed,
        )  # fmt: skip

    def _got_readings(self, readings: dict[str, Any]) -> None:
        self.check["readings"] = readings
        self.check["ask"] = list(self.app.backend.unsensed_items(self.check["which"], readings))
        self._ask_next()

    def _ask_next(self) -> None:
        """One question a popup: "… 在吗？" for each item outside the sensed slots."""
        if not self.check["ask"]:
            self._run(self._finish_check)
            return
        item_id, label = self.check["ask"].pop(0)

        def answer(value: str) -> None:
            if value == "yes":
                self.check["ticked"].append(item_id)
            self._ask_next()

        ChoicePopup(f"{label}\n在吗？", [("yes", "在"), ("no", "不在")], answer, cols=2).open()

    def _finish_check(self) -> str:
        c = self.check
        audit = self.app.backend.run_check(c["which"], c["readings"], c["ticked"])
        c["audit"] = audit
        self.section = "check"
        if not audit.findings:
            return f"{TITLES[c['which']]}完成：账实相符，报告已送打印"
        return f"{TITLES[c['which']]}发现 {len(audit.findings)} 项差异，报告已送打印，须具名处理"

    def _show_check(self) -> None:
        audit = self.check.get("audit") if getattr(self, "check", None) else None
        if audit is None:
            self.show("log")
            return
        self._text(
            f"{audit.number}  清点 {audit.checked}（传感器 {audit.sensed}，人工 {len(audit.ticked)}）",
            theme.HIGHLIGHT,
        )
        for f in audit.findings:
            self._text(f"[{FINDINGS.get(f['problem'], '')}] {f['item']}  {f['place']}  {f['detail']}",
                       theme.WARNING)  # fmt: skip
        if audit.status == "open":
            self._bar([("处理差异", "warning", self._ask_settlement)])
        elif audit.status == "settled":
            self._text(f"已由 {audit.settled_by} 处理：{audit.settlement}")

    def _ask_settlement(self) -> None:
        def settle(note: str) -> None:
            if note:
                self._run(lambda: self._settle(note))

        PinyinKeyboard.ask("差异处理结果", settle, mode="zh", max_len=300)

    def _settle(self, note: str) -> str:
        self.check["audit"] = self.app.backend.settle_check(self.check["audit"].number, note)
        return "差异已处理登记"
