"""Complaints at the kiosk (C1): the visitor-facing form; at the staff screen: a letter registered,
classified with a reason, the first contact recorded (C3); the collective alert on the board (C2)."""

from __future__ import annotations

from desk.records import Actor, Role
from desk.services.requests import ComplaintRequest


def window():
    """Kivy's window, imported only once the harness configured Kivy (not at collection)."""
    from kivy.core.window import Window

    return Window


def type_text(k, text: str) -> None:
    window().dispatch("on_textinput", text)  # a physical keyboard into the open keyboard popup
    k.pump(2)
    k.tap(k.button(k.popup(), "确定"))


def test_C1_visitor_files_a_complaint_at_the_kiosk(k):
    k.shot("69-home-with-complaints")
    k.tap(k.screen().ids.complaint)
    s = k.screen()
    assert s.name == "complaint" and not s.staff_mode
    k.tap(s.ids.category.children[0])
    k.tap(k.button(k.popup(), "清洁"))
    k.tap(s.ids.content.children[0])
    type_text(k, "楼道垃圾两天没清")
    k.tap(s.ids.phone.children[0])
    k.type_digits("13812345678")
    k.shot("70-complaint-form")
    k.tap(s.ids.submit)
    assert k.app.sm.current == "result"
    k.shot("71-complaint-filed")
    [c] = [c for c in k.backend.desk.complaints.open() if c.content == "楼道垃圾两天没清"]
    assert (c.channel, c.category, c.phone) == ("kiosk", "cleaning", "13812345678")


def test_C1_C2_C3_staff_register_a_letter_classify_and_contact(k):
    desk = k.backend.desk
    for unit in ("1-1-101", "1-1-102", "1-2-101", "1-2-102", "1-1-201"):
        desk.complaints.file(ComplaintRequest(unit=unit, content="1栋电梯停运一天", category="engineering"),
                             Actor(Role.OWNER, "住户", "test"))  # fmt: skip
    k.app.staff = desk.staff.login("staff", "222222", "kiosk-test")
    k.app.go("guard")
    g = k.screen()
    g.show("board")
    assert "集体投诉" in " ".join(w.text for w in g.ids.content.walk() if hasattr(w, "text"))
    k.shot("72-board-collective-complaint")
    k.tap(k.button(g.ids.actions, "登记投诉"))
    s = k.screen()
    assert s.staff_mode
    k.tap(s.ids.channel.children[0])
    k.tap(k.button(k.popup(), "信函"))
    k.tap(s.ids.category.children[0])
    k.tap(k.button(k.popup(), "服务态度"))
    k.tap(s.ids.content.children[0])
    type_text(k, "来信反映前台态度差")
    k.tap(s.ids.submit)
    assert k.app.sm.current == "guard"
    [c] = [c for c in desk.complaints.open() if c.content == "来信反映前台态度差"]
    assert c.channel == "letter" and c.history[0].actor.name == "staff"
    g._complaint_menu(c.number)
    k.tap(k.button(k.popup(), "分类定级"))
    k.tap(k.button(k.popup(), "有效"))
    k.tap(k.button(k.popup(), "轻微"))
    type_text(k, "员工服务态度问题")
    classified = desk.get(c.number)
    assert (classified.validity, classified.validity_reason) == ("valid", "员工服务态度问题")
    assert classified.contact_by is not None
    g._complaint_menu(c.number)
    k.tap(k.button(k.popup(), "已联系客户"))
    type_text(k, "已致电，约定明天答复")
    assert desk.get(c.number).contacted_at is not None
    k.shot("73-complaint-contacted")
