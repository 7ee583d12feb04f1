"""Walk every visitor-facing screen and popup, taking a screenshot of each (issue 18 items 5, 6, 8).

``walk(h, tag, lang, elder)`` drives a running kiosk; it returns, per screenshot, the visible texts
that hold Chinese characters outside names and addresses (to be empty in English mode).
Run as a script for another window size (Kivy has one window per process):
``python tests/kiosk/walk.py 1080x1920`` prints the problems as JSON and exits 1 if there are any.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

HAN = re.compile(r"[\u3400-\u9fff]")
ADDRESS = re.compile(r"\d+\s*栋(\s*\d+\s*单元)?(\s*\d+\s*室)?|\d+\s*单元|公共区域（[^）]*）")
"""Addresses keep their Chinese form in English mode (1栋1单元102室, as on the building)."""
NAMES = ("幸福家园物业客服中心", "中文", "陈先生", "李娜", "张*", "顺丰", "中通", "钱七", "钱*")
"""Names: the site, the language button (中文 is the name of the language), people, couriers."""
TYPED = ("灯不亮",)
"""What the person typed stays as typed."""


def han_outside_names(text: str) -> str:
    """``text`` with names and addresses removed; '' if no Chinese is left."""
    rest = ADDRESS.sub("", text)
    for name in (*NAMES, *TYPED):
        rest = rest.replace(name, "")
    rest = re.sub(r"\[/?[a-z]+(=[^\]]*)?\]", "", rest)  # markup tags
    return rest if HAN.search(rest) else ""


class Walker:
    """Takes ``<tag>-<n>-<what>`` screenshots and collects Chinese left in English mode."""

    def __init__(self, h: Any, tag: str, lang: str) -> None:
        self.h = h
        self.tag = tag
        self.lang = lang
        self.n = 0
        self.problems: dict[str, list[str]] = {}
        self.shots: list[Path] = []

    def shot(self, what: str) -> None:
        from kivy.core.window import Window

        self.n += 1
        name = f"{self.tag}-{self.n:02d}-{what}"
        self.shots.append(self.h.shot(name))
        if self.lang == "en":
            left = [t for t in harness.visible_texts(Window) if han_outside_names(t)]
            if left:
                self.problems[name] = left


def walk(h: Any, tag: str, lang: str = "zh", elder: bool = False) -> Walker:
    """Every visitor-facing screen and popup, in ``lang``, optionally in 长辈模式."""
    app = h.app
    w = Walker(h, tag, lang)
    app.idle_reset()
    h.pump(2)
    if elder:
        h.tap(h.screen().ids.elder)
    app.lang = lang
    h.pump(2)
    w.shot("home")
    ids = h.screen().ids
    stacked = ids.visitor.center_x == ids.repair.center_x and ids.visitor.y > ids.repair.y
    if stacked != app.portrait:
        w.problems["layout: home tiles"] = [f"{app.layout}: stacked={stacked}"]

    # visitor form (its fields belong to the visitor work; shown as they are)
    app.go("visitor")
    w.shot("visitor")

    # waiting for the host, then declined (V2): the message and decline screens
    from desk.records import Actor, Role
    from desk.services.requests import VisitRequest

    visit = h.backend.desk.visits.register(
        VisitRequest(host_unit="1-1-101", visitor_name="钱七", id_type="passport", id_number="E1234567"),
        Actor(Role.VISITOR, "", "kiosk-1"),
    )  # fmt: skip
    app.go("visitor_wait", number=visit.number)
    w.shot("visitor-wait")
    h.backend.desk.visits.host_answer(visit.number, Actor(Role.GUARD, "guard", "t"), False)
    h.screen().refresh()
    w.shot("visitor-declined")

    # repair: empty submit (the message area), the pickers, the keyboard, the pad, the result
    app.home()
    h.tap(h.screen().ids.repair)
    s = h.screen()
    h.tap(s.ids.submit)
    w.shot("repair-message")
    if s.ids.fields.cols != (1 if app.portrait else 2):
        w.problems["layout: repair fields"] = [f"{app.layout}: {s.ids.fields.cols} columns"]
    if s.ids.categories.disabled:  # 长辈模式, landscape: the category is asked in a popup
        h.tap(s.ids.category.children[0])
        w.shot("repair-category")
        h.tap(h.popup().buttons["electric"])
    else:
        h.tap(h.button(s.ids.categories, "电" if lang == "zh" else "Power"))
    h.tap(s.ids.location.children[0])
    w.shot("repair-location")
    h.tap(h.popup().buttons["public"])
    w.shot("repair-public-area")
    h.tap(h.popup().buttons["public:大堂"])
    h.tap(s.ids.slot.children[0])
    w.shot("repair-slots")
    h.tap(next(iter(h.popup().buttons.values())))
    h.tap(s.ids.contact_name.children[0])
    w.shot("repair-keyboard")
    h.app.close_popups()
    s.set_value("description", "灯不亮")
    s.set_value("contact_name", "陈先生")
    h.tap(s.ids.contact_phone.children[0])
    h.press_keys(h.popup(), "138")
    w.shot("repair-numpad")
    if app.portrait and h.popup().y > 0:  # the number pad at the bottom, within reach
        w.problems["layout: number pad"] = [f"at y={h.popup().y}"]
    h.type_digits("12345678")
    w.shot("repair-form")
    h.tap(s.ids.submit)
    if h.screen().name != "result":  # the urgency question (a lamp is not urgent: not asked)
        w.shot("repair-confirm")
        h.tap(h.button(h.popup(), "否" if lang == "zh" else "No"))
    w.shot("repair-result")
    repair_number = h.screen().number

    # parcel: the pad, a wrong code (the message area), the list, a proxy's pickup
    app.home()
    parcel = harness.stored_parcel(h.backend.desk, "counter", f"ZT{w.n:03d}{lang}", courier="中通")
    h.tap(h.screen().ids.parcel)
    w.shot("parcel-pad")
    h.type_digits("000000" if parcel.pickup_code != "000000" else "111111")
    w.shot("parcel-wrong-code")
    h.tap(h.screen().ids.enter)
    h.type_digits(parcel.pickup_code)
    w.shot("parcel-list")
    h.tap(h.screen().ids.proxy)
    kb = h.popup()
    kb.composer.text = "李娜"
    kb._render()
    h.tap(h.button(kb, "确定" if lang == "zh" else "OK"))
    w.shot("parcel-proxy-id")
    h.type_digits("11010519491231002", ok=False)
    h.press_keys(h.popup(), "X")
    h.tap(h.popup().buttons["确定"])
    w.shot("parcel-proxy-result")

    # status: a work order found, a number not found
    app.home()
    if elder:  # 长辈模式 shows fewer choices on the home screen: 工单查询 is not among them
        app.go("status")
    else:
        h.tap(h.screen().ids.status)
    w.shot("status-pad")
    h.type_digits(repair_number)
    w.shot("status-found")
    h.tap(h.screen().ids.enter)
    h.type_digits("99999999999")
    w.shot("status-not-found")

    # check-out: the pad, a wrong code ends with 再试一次 and 呼叫客服
    app.home()
    if elder:
        app.go("checkout")
    else:
        h.tap(h.screen().ids.checkout)
    w.shot("checkout-pad")
    h.type_digits("000")
    w.shot("checkout-wrong-code")

    # call staff, then the emergency question
    app.home()
    h.tap(h.screen().ids.call_staff)
    w.shot("call-staff")
    h.tap(h.screen().ids.emergency)
    w.shot("emergency-question")
    h.tap(next(iter(h.popup().buttons.values())))
    w.shot("emergency-advice")

    # the idle warning
    app.home()
    h.tap(h.screen().ids.repair)
    app.idle.last -= app.idle.warn_after + 1
    app._tick(0)
    w.shot("idle-warning")
    app.idle_reset()
    h.pump(2)
    return w


def main(argv: list[str]) -> int:
    size = tuple(int(v) for v in argv[0].split("x"))
    modes = argv[1:] or ["zh", "en", "elder"]
    tmp = harness.tempdir()
    h, xvfb = harness.start(tmp, size)  # type: ignore[arg-type]
    problems: dict[str, list[str]] = {}
    try:
        for mode in modes:
            lang = "en" if mode == "en" else "zh"
            w = walk(h, f"{size[0]}x{size[1]}-{mode}", lang, elder=mode == "elder")
            problems.update(w.problems)
    finally:
        h.app.close_popups()
        h.backend.devices.stop()
        h.backend.desk.close()
        if xvfb is not None:
            xvfb.terminate()
    print(json.dumps(problems, ensure_ascii=False))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
