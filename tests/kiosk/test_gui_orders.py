"""Work orders at the staff screen (R2-R6): the scanner types a 派工单's number + Enter, the
order's next steps are offered; dispatch queues the 派工单; steps by the slip name the technician."""

from __future__ import annotations

from desk.records import Actor, Role, format_number
from desk.services.requests import RepairRequest


def window():
    """Kivy's window, imported only once the harness configured Kivy (not at collection)."""
    from kivy.core.window import Window

    return Window


def scan(k, text: str) -> None:
    """A USB barcode scanner is a keyboard: the digits, then Enter."""
    window().dispatch("on_textinput", text)
    window().dispatch("on_key_down", 13, 36, "\r", [])
    k.pump(3)


def test_R3_scanned_slip_offers_next_steps_and_records_the_technician(k):
    desk = k.backend.desk
    order = desk.repairs.report(RepairRequest(location="3-2-501", category="electric",
                                              description="客厅插座没电", contact_name="张三",
                                              contact_phone="13812345678"),
                                Actor(Role.STAFF, "staff", "test"))  # fmt: skip
    k.app.staff = desk.staff.login("staff", "222222", "kiosk-test")
    k.app.go("guard")
    g = k.screen()
    g.show("board")
    k.shot("60-board-scan")
    scan(k, order.number)
    assert g.order_no == order.number
    k.tap(k.button(g.ids.content, "派工"))
    popup = k.popup()
    k.tap(k.button(popup, "staff"))
    k.settle()
    dispatched = desk.orders.get(order.number)
    assert dispatched.status == "dispatched" and dispatched.assignee == "staff"
    assert "派工单已送打印" in g.notice
    assert [j.receipt for j in desk.printing.pending() if j.record == order.number] in (
        [],
        ["dispatch_slip"],
    )  # fmt: skip  (printed by the simulated printer, or still queued)
    k.shot("61-order-scanned-dispatched")
    scan(k, order.number)
    k.tap(k.button(g.ids.content, "到场"))
    arrived = desk.orders.get(order.number)
    assert arrived.status == "on_site"
    assert (
        arrived.history[-1].actor.name == "staff"
        and "派工单扫码" in arrived.history[-1].actor.source
    )
    k.tap(k.button(g.ids.content, "完工"))
    kb = k.popup()
    window().dispatch("on_textinput", "更换插座")  # a physical keyboard types into the popup
    k.pump(2)
    k.tap(k.button(kb, "确定"))
    k.pump(3)
    k.type_digits("0")
    done = desk.orders.get(order.number)
    assert (done.status, done.work_done) == ("done", "更换插座")
    k.shot("62-order-completed")
    late = desk.repairs.report(RepairRequest(location="3-2-502", category="water", description="水龙头滴水",
                                             contact_name="李四", contact_phone="13912345678", urgent=True),
                               Actor(Role.STAFF, "staff", "test"))  # fmt: skip
    g.show("board")
    rows = list(reversed(g.ids.content.children))  # each due line, then its buttons
    at = next(i for i, w in enumerate(rows) if format_number(late.number) in getattr(w, "text", ""))
    row = k.button(rows[at + 1], "告知业主")  # R4: urgent, due within the warning time
    g.ids.scroll.scroll_to(row, animate=False)  # the finger scrolls the board
    k.pump(3)
    k.shot("63-board-at-risk")
    k.tap(row)
    assert desk.orders.get(late.number).late_notice_at is not None and "致歉" in g.notice
    scan(k, "99999999999")
    assert "未找到该工单" in g.notice
