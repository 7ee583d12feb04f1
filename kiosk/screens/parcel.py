"""Parcel pickup (P3): code on a number pad, the parcels under it, doors opened or a guard hands over."""

from __future__ import annotations

import logging
from typing import Any

from kivy.properties import ListProperty, StringProperty

from desk.errors import LockedOut
from kiosk.widgets.common import KioskScreen
from kiosk.widgets.keyboard import PinyinKeyboard
from kiosk.widgets.numpad import NumPad
from kiosk.widgets.pickers import ChoicePopup

log = logging.getLogger(__name__)


class ParcelScreen(KioskScreen):
    """Step 1 the code, step 2 the list with 本人取件 / 代他人取件."""

    message = StringProperty("")
    parcels = ListProperty([])
    door = StringProperty("")
    """The opened compartment(s), shown large while the person takes the parcel."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.prompt = "请输入取件码"
        self.proxy: dict[str, str] = {}

    def on_enter(self, *_: Any) -> None:
        if not self.parcels:
            self.open_pad()

    def reset(self) -> None:
        self.message = ""
        self.parcels = []
        self.proxy = {}
        self.door = ""

    def open_pad(self) -> NumPad:
        # "短信中的" only when a modem really sends the codes (not the demo's dummy driver)
        by_sms = self.app.backend.desk.settings.notices.modem == "at"
        hint = "短信中的6位取件码" if by_sms else "6位取件码（入库时告知或致电热线查询）"
        return NumPad.ask("请输入取件码", self.lookup, max_len=6, hint=hint)

    def lookup(self, code: str) -> None:
        if not code:
            return
        try:
            self.parcels = self.app.backend.parcels_for_code(code)
            self.message = ""
        except LockedOut as exc:
            self.parcels = []
            self.message = f"输入错误次数过多，请稍后再试或联系前台（{exc.until:%H:%M}）"
        except Exception as exc:
            self.parcels = []
            self.message = "取件码错误，请核对后重试"
            log.info("pickup code refused: %s", exc)

    def parcel_lines(self, _lang: str = "") -> str:
        """The parcels under the code (``_lang`` from kv: the lines follow the language)."""
        lines = []
        for p in self.parcels:
            place = "前台" if p.compartment == self.app.backend.counter else f"柜格 {p.compartment}"
            place = self.tr(place)
            lines.append(f"{p.courier}  ···{p.tracking_no[-4:]}   {place}")
        return "\n".join(lines)

    def collect_self(self, parcels: list[Any] | None = None) -> None:
        parcels = list(parcels if parcels is not None else self.parcels)
        backend = self.app.backend
        self.app.run_device("正在开柜…", lambda: backend.open_for_pickup(parcels), self._opened)

    def _opened(self, outcomes: list[Any]) -> None:
        """Doors confirmed open: the number large on this screen while the sensors are watched."""
        opened = [o for o in outcomes if o.result == "opened"]
        if not opened:
            self._collected(outcomes)
            return
        self.parcels = []
        self.door = "  ".join(o.parcel.compartment for o in opened)
        self.message = "柜门已打开，请取件后关好柜门"
        backend = self.app.backend
        self.app.worker.submit(
            lambda: backend.finish_pickup(outcomes), self._collected, self._watch_failed
        )

    def _watch_failed(self, exc: BaseException) -> None:
        self.door = ""
        msg = getattr(exc, "message", "") or str(exc)
        self.app.show_result(
            "对不起", [msg, *self.app.backend.go_to_desk_lines()], ok=False,
            actions=[("呼叫客服", "call_staff")],
        )  # fmt: skip

    def _collected(self, outcomes: list[Any]) -> None:
        """Only doors the board confirmed open are called open, only parcels the sensor saw
        taken are called collected (P3, P5)."""
        self.door = ""
        self.message = ""
        still = [o for o in outcomes if o.result == "still_there"]
        if still:
            self._ask_still_there(still, [o for o in outcomes if o.result != "still_there"])
            return
        lines = []
        opened = [o for o in outcomes if o.result == "opened"]
        failed = [o for o in outcomes if o.result == "failed"]
        left_open = [o for o in outcomes if o.result == "door_open"]
        if opened:
            lines.append("取件完成，谢谢")
            printed = [o.printed for o in opened if o.printed is not None]
            if printed:
                worst = next((p for p in printed if not p.ok), printed[0])
                lines.append(worst.message())
        if left_open:
            names = "  ".join(o.parcel.compartment for o in left_open)
            lines.append(f"柜门未关闭，已通知保安：{names}")
        if failed:
            names = "  ".join(o.parcel.compartment for o in failed)
            lines.append(f"柜门未能打开：{names}")
        if failed or any(o.result == "counter" for o in outcomes):
            lines.extend(self.app.backend.go_to_desk_lines())
        number = outcomes[0].parcel.number if outcomes else ""
        self.parcels = []
        if failed:
            title = "柜门未能打开"
        elif left_open:
            title = "请关好柜门"
        elif opened:
            title = "已取件  " + "  ".join(o.parcel.compartment for o in opened)
        else:
            title = "请到前台取件"
        self.app.show_result(title, lines, ok=not failed and not left_open, number=number)

    def _ask_still_there(self, still: list[Any], others: list[Any]) -> None:
        """The door was shut on the parcel: open it again, or leave it for later."""
        names = "  ".join(o.parcel.compartment for o in still)

        def chosen(value: str) -> None:
            if value == "again":
                self.collect_self([o.parcel for o in still])
                return
            self.app.show_result(
                "包裹仍在柜中",
                [f"柜格 {names}", "可稍后凭取件码再取"],
                ok=True,
                number=still[0].parcel.number,
            )

        ChoicePopup(
            f"包裹仍在柜内：{names}",
            [("again", "重新开柜"), ("later", "稍后再取")],
            chosen,
            cols=2,
        ).open()
        if others:
            log.info("pickup: %d other parcel(s) settled meanwhile", len(others))

    def collect_proxy(self) -> None:
        def got_name(name: str) -> None:
            if not name:
                return
            self.proxy["name"] = name
            NumPad.ask("代取人证件号", got_id, max_len=18, extra="X", mask_keep=4)

        def got_id(id_number: str) -> None:
            if not id_number:
                return
            try:
                self.app.backend.request_proxy(list(self.parcels), self.proxy["name"], id_number)
            except Exception as exc:  # an invalid ID number: say so, keep the parcels listed
                self.message = getattr(exc, "message", "") or "证件号码有误"
                log.info("proxy refused: %s", exc)
                return
            self.parcels = []
            self.app.show_result(
                "代取需保安核对证件", self.app.backend.go_to_desk_lines(proxy=True)
            )

        PinyinKeyboard.ask("代取人姓名", got_name, mode="zh", max_len=20, context="name")
