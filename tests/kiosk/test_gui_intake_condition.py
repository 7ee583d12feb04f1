"""P1 at intake (issue 17 item 7): the condition chosen, a damaged parcel described before any
door opens, the courier's name and registered mail recorded from the guard's intake form."""

from __future__ import annotations


def rows_text(k) -> str:
    return " ".join(w.text for w in k.screen().ids.content.walk() if hasattr(w, "text"))


def scroll_to_end(k, g):
    from kivy.uix.scrollview import ScrollView

    view = g.ids.content.parent
    while not isinstance(view, ScrollView):
        view = view.parent
    view.scroll_y = 0
    k.pump(3)


def row_action(g, key):
    return next(fn for k_, _zh, fn, *_ in g._intake_check_fields() if k_ == key)


def test_P1_damaged_parcel_needs_a_note_then_is_recorded_with_courier_and_registered_mail(k):
    k.app.staff = k.backend.desk.staff.login("guard", "111111")
    k.app.go("guard")
    g = k.screen()
    g.show("intake")
    free = k.backend.free_compartments()
    g.intake.update(tracking_no="XA200000002CN", courier="中国邮政", unit="2-1-101",
                    recipient_name="李四", phone="13700000001", compartment=free[0])  # fmt: skip
    g.show("intake")
    assert "包裹状况：完好" in rows_text(k) and "挂号信：否" in rows_text(k)
    assert "破损/受潮情况" not in rows_text(k)
    row_action(g, "condition")()
    k.tap(k.popup().buttons["破损"])
    row_action(g, "registered_mail")()
    k.tap(k.popup().buttons["1"])
    assert "包裹状况：破损" in rows_text(k) and "挂号信：是" in rows_text(k)
    assert "破损/受潮情况：" in rows_text(k)  # the note row appears for a damaged parcel
    calls = k.device_calls()
    before = len(k.backend.desk.parcels.waiting())
    k.tap(k.button(g.ids.actions, "提交"))
    assert "请写明情况" in g.notice, g.notice
    assert calls == [] and len(k.backend.desk.parcels.waiting()) == before  # no door, no record
    scroll_to_end(k, g)
    k.shot("intake-damaged-needs-note")
    g._set("condition_note", "外箱一角压扁，内物未见损坏")
    g._set("courier_person", "王师傅")
    g.intake["compartment"] = k.backend.counter
    g.show("intake")
    assert "快递员姓名：王**" in rows_text(k) or "快递员姓名：王*" in rows_text(k)
    assert not g.notice
    scroll_to_end(k, g)
    k.shot("intake-damaged-described")
    k.tap(k.button(g.ids.actions, "提交"))
    assert "已入库" in g.notice, g.notice
    parcel = next(p for p in k.backend.desk.parcels.waiting() if p.tracking_no == "XA200000002CN")
    assert parcel.condition == "破损" and parcel.condition_note.startswith("外箱一角压扁")
    assert parcel.courier_person == "王师傅" and parcel.registered_mail
    k.app.logout()
