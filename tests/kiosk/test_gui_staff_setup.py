"""First staff login at the kiosk (issue 17 item 1): the one-time setup code from
`reception staff add`, then the person's own PIN twice; the PIN is never shown (X1)."""

from __future__ import annotations

from desk.records import SYSTEM, Role
from desk.services.requests import NewStaff


def test_X1_first_login_chooses_a_pin_twice_then_logs_in_with_it(k):
    account, code = k.backend.desk.staff.enrol(NewStaff("张三", "保安", staff_no="0012"), SYSTEM)
    k.tap(k.screen().ids.staff)
    assert k.screen().name == "staff_login"
    k.tap(k.button(k.screen(), "张三 0012"))
    k.type_digits(code)
    assert k.screen().name == "staff_login" and "首次登录" in k.screen().message
    assert "新密码" in k.popup().title
    k.shot("staff-first-login-choose-pin")
    k.type_digits("480263")
    k.type_digits("480264")  # not the same: asked again
    assert "不一致" in k.screen().message
    k.type_digits("111111")
    k.type_digits("111111")  # too simple: the core refuses it, asked again
    assert "太简单" in k.screen().message
    k.type_digits("480263")
    k.type_digits("480263")
    assert k.screen().name == "guard" and k.app.staff.role == Role.GUARD
    assert k.app.staff.name == "张三"
    k.app.staff = None
    k.app.home()
    k.tap(k.screen().ids.staff)
    k.tap(k.button(k.screen(), "张三 0012"))
    k.type_digits(code)  # the setup code is used up
    assert k.screen().name == "staff_login" and "错误" in k.screen().message
    k.shot("staff-first-login-code-used")
    k.tap(k.button(k.screen(), "张三 0012"))
    k.type_digits("480263")
    assert k.screen().name == "guard" and k.app.staff.name == "张三"
