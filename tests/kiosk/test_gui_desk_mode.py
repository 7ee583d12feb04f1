"""`reception desk` (issue 12): the staff side in a window, login required, no idle wipe but a lock
after N minutes, live on the same store (another process's write shows within a tick)."""

from __future__ import annotations

import time

from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import RepairRequest
from kiosk.idle import IdleWatch


def test_desk_mode_login_lock_and_live(k, monkeypatch):
    app = k.app
    monkeypatch.setattr(app, "desk_mode", True)
    now = [time.monotonic()]
    monkeypatch.setattr(
        app, "idle", IdleWatch(570, 600, app._idle_warn, app.lock, clock=lambda: now[0])
    )
    app.home()
    assert app.sm.current == "staff_login"  # no visitor screens at the desk
    app.staff = k.backend.desk.staff.login("staff", "222222", "desk-pc")
    app.go("guard")
    g = k.screen()
    g.show("board")
    other = Desk.open(app.settings)  # the lobby kiosk or the hotline, another process
    try:
        order = other.repairs.report(RepairRequest(location="3-2-501", category="water",
                                                   description="阳台地漏堵塞", contact_name="张三",
                                                   contact_phone="13812345678"),
                                     Actor(Role.OWNER, "张三", "kiosk-1"))  # fmt: skip
    finally:
        other.close()
    app._tick(0)
    k.pump(3)
    texts = " ".join(w.text for w in g.ids.content.walk() if hasattr(w, "text"))
    assert "阳台地漏堵塞" in texts and order.number[:1] == "2"
    k.shot("95-desk-live-board")
    now[0] += 300
    app._tick(0)
    assert app.staff is not None and app.sm.current == "guard"  # no idle wipe at 5 minutes
    now[0] += 301
    app._tick(0)
    k.pump(2)
    assert app.staff is None and app.sm.current == "staff_login"  # locked after 10 minutes


def test_reception_desk_is_a_command():
    from desk.cli import build_parser

    args = build_parser().parse_args(["desk", "--lock-minutes", "5"])
    assert args.lock_minutes == 5 and args.func.__name__ == "cmd_desk"
