"""The kiosk as people read it (issue 18): messages in a fixed place (item 1), no dead ends and
only what will really happen (item 2; L1, R1, R2, P3, V1), words people use (item 3), English
everywhere a visitor looks, popups included (item 5)."""

from __future__ import annotations

from datetime import datetime

import pytest
import walk
from harness import stored_parcel, visible_texts

from desk.records import Actor, Role
from desk.services.requests import RepairRequest


@pytest.fixture(autouse=True)
def settle_after(kiosk):
    """The guard's lists are shared by the session's tests: settle what these tests raised
    (calls, emergencies, proxy pickups) and answer the visits they left waiting."""
    before = {r.number for r in kiosk.backend.open_requests()}
    waiting = {v.number for v in kiosk.backend.visits_waiting()}
    yield
    desk, guard = kiosk.backend.desk, Actor(Role.GUARD, "guard", "kiosk-1")
    for r in kiosk.backend.open_requests():
        if r.number not in before:
            desk.guard.settle(r.number, guard, True, "test")
    for v in kiosk.backend.visits_waiting():
        if v.number not in waiting:
            desk.visits.host_answer(v.number, guard, False)


def texts(k) -> str:
    from kivy.core.window import Window

    k.pump(2)
    return "\n".join(visible_texts(Window))


def guard_login(k) -> None:
    k.app.staff = Actor(Role.GUARD, "guard", "kiosk-1")
    k.app.go("guard")


# -- item 1: messages in a fixed place, cleared when their cause is gone -------------------------
def test_a_message_does_not_move_the_guard_screens_buttons_and_goes_with_its_section(k):
    guard_login(k)
    g = k.screen()
    g.show("keys")
    k.pump(3)
    bar = g.ids.actions
    before = tuple(bar.to_window(*bar.pos))
    g.notice = "主管密码错误，未交班"
    k.pump(3)
    assert tuple(bar.to_window(*bar.pos)) == before  # the buttons stay under the finger
    g.show("visitors")
    assert g.notice == ""  # a message belongs to the section it came from
    k.app.logout()


def test_the_repair_message_has_a_fixed_place_and_clears_on_valid_input(k):
    k.tap(k.screen().ids.repair)
    s = k.screen()
    area = s.ids.status
    height, submit = area.height, tuple(s.ids.submit.to_window(*s.ids.submit.pos))
    s.category = ""
    k.tap(s.ids.submit)
    assert s.status  # 请选择报修类别
    k.pump(2)
    assert area.height == height and tuple(s.ids.submit.to_window(*s.ids.submit.pos)) == submit
    s.choose_category("water")
    s.set_value("contact_phone", "123")
    assert s.status  # 手机号码有误
    s.set_value("contact_phone", "13812345678")
    assert s.status == ""  # the cause is gone, so is the message
    s.status = "请更正标红的项目"
    k.app.go("parcel")
    assert s.status == ""  # leaving the screen clears it


# -- item 2: contradictions and dead ends -----------------------------------------------------
def test_V1_check_out_calls_it_通行码_and_a_wrong_code_offers_try_again_and_call_staff(k):
    k.tap(k.screen().ids.checkout)
    shown = texts(k)
    assert "通行码" in shown and "离开码" not in shown
    k.type_digits("000")
    assert k.screen().name == "result"
    k.shot("40-checkout-wrong-code")
    again = k.button(k.screen(), "再试一次")
    assert k.button(k.screen(), "呼叫客服")
    k.tap(again)
    assert k.screen().name == "checkout" and k.app.popups  # the pad is open again


def test_R1_R2_the_repair_result_says_the_promise_that_applies(k):
    from kiosk.screens.repair import result_lines

    desk = k.backend.desk
    visitor = Actor(Role.VISITOR, "", "kiosk-1")
    fields = dict(category="water", contact_name="陈先生", contact_phone="13812345678", channel="kiosk")  # fmt: skip
    urgent = desk.repairs.report(RepairRequest(location="public:大堂", description="爆管", urgent=True, **fields), visitor)  # fmt: skip
    slot = desk.repairs.slots()[0]
    ordinary = desk.repairs.report(RepairRequest(location="public:大堂", description="灯不亮", appointment_start=slot.start, **fields), visitor)  # fmt: skip

    class Printed:
        def message(self) -> str:
            return "请取走您的凭条"

    u = "\n".join(result_lines(urgent, Printed()))
    o = "\n".join(result_lines(ordinary, Printed()))
    assert "最迟到场" in u and "预约时段" not in u
    assert "预约时段" in o and "最迟到场" not in o
    assert "预约时段：周" in o  # the slot with its weekday
    assert "报修已受理" not in u  # the title is not repeated as body text


def test_L1_after_hours_call_staff_says_the_guard_the_hours_and_the_duty_phone(k, monkeypatch):
    monkeypatch.setattr(k.backend, "staffed_now", lambda: False)
    k.tap(k.screen().ids.call_staff)
    shown = texts(k)
    k.shot("41-call-staff-after-hours")
    assert "已通知客服" not in shown
    assert "值班保安" in shown and "07:30–20:00" in shown
    assert k.app.settings.site.hotline_number in shown


def test_L1_in_hours_call_staff_says_staff_are_called(k, monkeypatch):
    monkeypatch.setattr(k.backend, "staffed_now", lambda: True)
    k.tap(k.screen().ids.call_staff)
    assert "已通知客服" in texts(k)


def test_P3_L1_after_hours_proxy_pickup_says_who_hands_it_over(k, monkeypatch):
    monkeypatch.setattr(k.backend, "staffed_now", lambda: False)
    parcel = stored_parcel(k.backend.desk, "counter", "ZT4411", courier="中通")
    k.tap(k.screen().ids.parcel)
    k.type_digits(parcel.pickup_code)
    k.tap(k.screen().ids.proxy)
    kb = k.popup()
    kb.composer.text = "李娜"
    kb._render()
    k.tap(k.button(kb, "确定"))
    k.type_digits("11010519491231002", ok=False)
    k.press_keys(k.popup(), "X")
    k.tap(k.popup().buttons["确定"])
    assert k.screen().name == "result"
    shown = texts(k)
    assert "请到前台，安全员" not in shown and "值班保安" in shown and "07:30–20:00" in shown


def test_the_spoken_note_button_shows_only_where_recording_works(k, monkeypatch):
    import speech.recording

    monkeypatch.setattr(speech.recording, "available", lambda: False)
    k.tap(k.screen().ids.repair)
    assert "语音留言" not in texts(k)
    k.app.home()
    monkeypatch.setattr(speech.recording, "available", lambda: True)
    k.tap(k.screen().ids.repair)
    assert "语音留言" in texts(k)


# -- item 3: words people use ---------------------------------------------------------------------
def test_order_status_shows_the_unit_as_people_say_it(k):
    desk = k.backend.desk
    order = desk.repairs.report(
        RepairRequest(location="1-1-101", category="water", description="厨房漏水",
                      contact_name="陈先生", contact_phone="13800000000", channel="kiosk"),
        Actor(Role.VISITOR, "", "kiosk-1"),
    )  # fmt: skip
    k.tap(k.screen().ids.status)
    k.type_digits(order.number)
    body = k.screen().body
    assert "1栋1单元101室" in body and "1-1-101" not in body


def test_the_duty_log_names_roles_in_chinese_and_shows_no_rule_ids(k, monkeypatch):
    # the stock-take reminders are being fixed with the reports merge: not what is tested here
    monkeypatch.setattr(k.backend, "check_reminders", lambda: [])
    desk = k.backend.desk
    desk.dutylog.write("1-1-101 钥匙借出 K3", Actor(Role.GUARD, "guard", "kiosk-1"))
    guard_login(k)
    k.screen().show("log")
    shown = texts(k)
    k.shot("42-duty-log-words")
    assert "保安：" in shown and "guard：" not in shown and "system" not in shown
    assert "1栋1单元101室" in shown and "K3" not in shown
    k.app.logout()


def test_R1_repair_slots_show_the_weekday(k):
    labels = [label for _value, label in k.backend.appointment_slots()]
    assert labels and all(label[:2] in ("周一", "周二", "周三", "周四", "周五", "周六", "周日") for label in labels)  # fmt: skip


# -- item 5: English everywhere a visitor looks ---------------------------------------------------
def test_every_visitor_screen_in_english_shows_no_chinese_outside_names_and_addresses(k):
    w = walk.walk(k, "1280x800-en", "en")
    assert w.problems == {}, w.problems


def test_popups_switch_language_while_open(k):
    from kiosk.widgets.common import MessagePopup
    from kiosk.widgets.numpad import NumPad
    from kiosk.widgets.pickers import ChoicePopup

    pad = NumPad.ask("请输入取件码", lambda _t: None, hint="短信中的6位取件码")
    msg = MessagePopup("这可能是紧急报修，是否按紧急处理？", ok_text="是，紧急")
    msg.open()
    choice = ChoicePopup("报修位置", [("unit", "户内"), ("public", "公共区域")], lambda _v: None)
    choice.open()
    k.pump(2)
    k.app.toggle_language()
    k.pump(2)
    shown = texts(k)
    k.shot("43-popups-switched-to-english")
    assert pad.title_label.text == "Please enter your pickup code"
    assert "This may be urgent. Treat it as urgent?" in shown and "Yes, urgent" in shown
    assert choice.buttons["public"].text == "Public area"
    k.app.toggle_language()
    assert pad.title_label.text == "请输入取件码"
    k.app.close_popups()


def test_the_english_walk_checks_what_it_should():
    assert walk.han_outside_names("1栋1单元101室") == ""
    assert walk.han_outside_names("Sorry 对不起") == "Sorry 对不起"
    assert datetime(2026, 11, 30).weekday() == 0  # a Monday: 周一 in the slot labels


def test_every_visitor_screen_in_chinese_and_in_长辈模式(k):
    """Screenshots of the same walk in Chinese and in 长辈模式 (every text ≥ 40 px there: the
    harness checks each screenshot), with the layout checks of the walk."""
    assert walk.walk(k, "1280x800-zh", "zh").problems == {}
    elder = walk.walk(k, "1280x800-elder", "zh", elder=True)
    assert elder.problems == {} and len(elder.shots) > 20
