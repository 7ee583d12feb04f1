"""Shift and safety at the kiosk: the incoming shift signs the handover and the outgoing is logged
out (L3); leaving staff mode logs out; 退出程序 needs a confirmation and a supervisor (X1)."""

from __future__ import annotations


def test_L3_incoming_signs_and_the_outgoing_is_logged_out(k):
    k.app.staff = k.backend.desk.staff.login("guard", "111111", "kiosk-test")
    k.app.go("guard")
    g = k.screen()
    g.show("board")
    for blocking in k.backend.blocking_items():  # earlier tests' urgent work: not this test's
        k.backend.desk.dutylog.write(f"测试：{blocking}", k.app.staff)
    g._handover_to("staff", override_by=k.backend.desk.staff.login("supervisor", "999999"))
    k.shot("90-handover-incoming-pin")
    k.type_digits("222222")
    assert k.app.staff.name == "staff" and "staff 已登录" in g.notice, g.notice
    entries = [e for e in k.backend.duty_log_today() if "交接班" in e.text]
    assert "接班人已登录签名" in entries[-1].text


def test_X1_leaving_staff_mode_logs_out(k):
    k.app.staff = k.backend.desk.staff.login("staff", "222222", "kiosk-test")
    k.app.go("guard")
    # the button's own release (at 800x600 the section list overflows over the header: a
    # layout problem of the guard screen noted for the layout work, not this rule)
    k.screen().ids.home_button.dispatch("on_release")
    k.pump(3)
    assert k.app.staff is None and k.app.sm.current == "home"


def test_X1_quit_needs_confirmation_and_a_supervisor(k, monkeypatch):
    stopped = []
    monkeypatch.setattr(type(k.app), "stop", lambda app, *a: stopped.append(True))
    k.app.staff = k.backend.desk.staff.login("guard", "111111", "kiosk-test")
    k.app.go("guard")
    k.tap(k.screen().ids.quit)
    confirm = k.popup()
    k.shot("91-quit-confirm")
    k.tap(k.button(confirm, "取消"))
    assert not stopped and not k.app.popups
    k.tap(k.screen().ids.quit)
    k.tap(k.button(k.popup(), "退出程序"))
    k.tap(k.popup().buttons["supervisor"])
    k.type_digits("000000")  # wrong
    assert not stopped
    k.app.close_popups()
    k.tap(k.screen().ids.quit)
    k.tap(k.button(k.popup(), "退出程序"))
    k.tap(k.popup().buttons["supervisor"])
    k.type_digits("999999")
    assert stopped
    assert any("主管 supervisor 授权" in e.text for e in k.backend.duty_log_today())
    k.app._allow_close = False
