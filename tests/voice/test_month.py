"""A month through the real services (R2-R5, S1): orders reported, dispatched, on site, completed,
followed up by the dialer (the owner answering on the line, one unhappy and redone), the unreachable
put on the named exception list: 100% of completed orders followed up or listed."""

from __future__ import annotations

from datetime import datetime, timedelta

from desk.records import Actor, Role
from desk.services.requests import RepairRequest
from voice.fake import ScriptedChannel
from voice.outbound import Dialer

DESK = Actor(Role.STAFF, "小李", "desk")
TECH = Actor(Role.STAFF, "老陈", "scan")
NEVER, UNHAPPY_ONCE = 7, 3


def test_R5_a_month_ends_with_every_completed_order_followed_up_or_listed(
    desk, menus, text_prompts, clock
):
    answered: dict[str, int] = {}

    def dial(number):
        kind = int(number[-1])
        if kind == NEVER:
            return None
        answered[number] = answered.get(number, 0) + 1
        key = "4" if kind == UNHAPPY_ONCE and answered[number] == 1 else "2"
        return ScriptedChannel([key], caller="hotline", callee=number)

    dialer = Dialer(desk, dial, text_prompts, menus, attempts=3, retry_minutes=30)
    n = 0
    for day in range(30):
        clock.now = datetime(2026, 11, 1, 9, 0) + timedelta(days=day)
        for _ in range(3):
            w = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description=f"滴水{n}",
                                                  contact_name="张三", contact_phone=f"1380000{n:03d}{n % 10}"),
                                    DESK)  # fmt: skip
            n += 1
            desk.orders.dispatch(w.number, DESK, assignee="老陈")
        for w in desk.repairs.open():
            if w.status == "reopened":  # R5: unhappy: done again
                desk.orders.dispatch(w.number, DESK, assignee="老陈")
            if w.status in ("received", "reopened", "done"):
                continue
            desk.orders.arrive(w.number, TECH)
            clock.advance(minutes=40)
            desk.orders.complete(w.number, TECH, "更换阀芯", "阀芯1个")
        for hour in (10, 11, 15):
            clock.now = datetime(2026, 11, 1, hour, 5) + timedelta(days=day)
            dialer.run_once()
    for day in range(30, 34):  # the follow-ups of the last days, into December
        clock.now = datetime(2026, 11, 1, 10, 5) + timedelta(days=day)
        for w in desk.repairs.open():
            if w.status == "reopened":
                desk.orders.dispatch(w.number, DESK, assignee="老陈")
                desk.orders.arrive(w.number, TECH)
                desk.orders.complete(w.number, TECH, "重新更换阀芯")
        for hour in (10, 11, 15):
            clock.now = datetime(2026, 11, 1, hour, 5) + timedelta(days=day)
            dialer.run_once()
    for w in desk.repairs.open():  # past the 3-day window, never reached: the named list
        if w.status == "done" and w.follow_up_by < clock.now:
            desk.follow_ups.exception(w.number, DESK, "三天内每天三次回访均未接通")
    cover = desk.follow_ups.coverage("2026-11")
    assert len(cover["completed"]) == 90 and cover["missing"] == []
    assert len(cover["followed_up"]) + len(cover["exceptions"]) == 90
    assert len(cover["exceptions"]) == 9 and all("未接通（小李）" in e for e in cover["exceptions"])
    reopened = [desk.get(x) for x in cover["followed_up"] if desk.get(x).reopen_count]
    assert len(reopened) == 9 and all(w.satisfaction == "满意" for w in reopened)
