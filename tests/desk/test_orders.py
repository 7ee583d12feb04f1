"""Work orders carried to done through the core (R2-R6): dispatch, arrive, price, complete, R4."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.errors import ValidationError
from desk.records import Actor, Role
from desk.services.requests import RepairRequest
from desk.workflow import TransitionRefused

TECH = Actor(Role.STAFF, "老陈", "kiosk-1")


def report(desk, actors, **over):
    fields = dict(location="3-2-501", category="water", description="卫生间水龙头滴水",
                  contact_name="张三", contact_phone="13812345678")  # fmt: skip
    return desk.repairs.report(RepairRequest(**{**fields, **over}), actors["owner"])


def test_R3_dispatch_needs_a_technician_or_team_and_names_them(desk, actors):
    w = report(desk, actors)
    with pytest.raises(ValidationError):
        desk.orders.dispatch(w.number, actors["staff"])
    d = desk.orders.dispatch(w.number, actors["staff"], assignee="老陈", team="水电组")
    assert (d.status, d.assignee, d.team) == ("dispatched", "老陈", "水电组")
    assert "水电组、老陈" in d.history[-1].note
    assert desk.orders.next_actions(d, TECH)[:2] == ["accept", "arrive"]


def test_R2_arrival_is_timed_against_the_30_minute_promise(desk, actors, clock):
    w = report(desk, actors, description="水管爆裂", urgent=True)
    desk.orders.dispatch(w.number, actors["staff"], assignee="老陈")
    clock.advance(minutes=41)
    on_site = desk.orders.arrive(w.number, TECH)  # straight from dispatched (scan / phone)
    assert on_site.status == "on_site" and on_site.arrived_at == clock.now
    assert "超时 11 分钟" in on_site.history[-1].note


def test_R6_paid_work_needs_the_owner_s_price_confirmation_before_completion(desk, actors):
    w = report(desk, actors, description="更换全屋灯具")
    desk.orders.dispatch(w.number, actors["staff"], assignee="老陈")
    desk.orders.quote(w.number, actors["staff"], 120)
    desk.orders.arrive(w.number, TECH)
    assert "confirm_price" in desk.orders.next_actions(desk.orders.get(w.number), TECH)
    with pytest.raises(TransitionRefused, match="R6"):
        desk.orders.complete(w.number, TECH, "换灯", cost_yuan=120)
    desk.orders.confirm_price(w.number, actors["staff"], "signed")
    done = desk.orders.complete(w.number, TECH, "更换灯具6个", "LED灯6个", cost_yuan=120)
    assert (done.status, done.work_done, done.materials, done.cost_yuan) == (
        "done", "更换灯具6个", "LED灯6个", 120.0)  # fmt: skip
    assert done.price_confirmed_via == "signed"


def test_R5_large_projects_get_their_follow_up_within_30_days(desk, actors, clock):
    w = report(desk, actors, description="外墙渗水整体修补")
    desk.orders.dispatch(w.number, actors["staff"], team="土建组")
    desk.orders.arrive(w.number, TECH)
    done = desk.orders.complete(w.number, TECH, "外墙防水", large=True)
    assert done.large_project and done.follow_up_by == clock.now + timedelta(days=30)


def test_R3_cancel_needs_a_reason_and_technician_steps(desk, actors):
    w = report(desk, actors)
    with pytest.raises(ValidationError):
        desk.orders.cancel(w.number, actors["staff"], " ")
    desk.orders.dispatch(w.number, actors["staff"], assignee="老陈")
    desk.orders.accept(w.number, TECH)
    parts = desk.orders.need_parts(w.number, TECH, "角阀")
    assert (parts.status, parts.parts_needed) == ("waiting_parts", "角阀")
    back = desk.orders.hand_back(w.number, TECH, "非本组专业")
    assert back.status == "received" and back.assignee == ""
    assert [i.what for i in desk.reports.due() if i.number == w.number] == ["派工"]
    c = desk.orders.cancel(w.number, actors["staff"], "业主自行修好")
    assert (c.status, c.cancel_reason) == ("cancelled", "业主自行修好")


def test_R4_at_risk_orders_and_the_owner_told_once(desk, actors, clock):
    w = report(desk, actors, description="水管爆裂", urgent=True)
    desk.orders.dispatch(w.number, actors["staff"], assignee="老陈")
    assert desk.orders.at_risk() and desk.orders.at_risk()[0].what == "到场"  # 30 min ≤ warning
    clock.advance(minutes=35)
    risk = desk.orders.at_risk()
    assert [(r.order.number, r.state) for r in risk] == [(w.number, "overdue")]
    told = desk.orders.tell_late_all(actors["staff"])
    assert [t.number for t in told] == [w.number] and told[0].late_notice_at == clock.now
    assert desk.orders.tell_late_all(actors["staff"]) == []  # told once
    notices = desk.notices.recorded("late_repair")
    assert len(notices) == 1 and w.number in notices[0].text
    assert "13812345678" not in notices[0].text and "138****5678" in notices[0].text


def test_R4_an_order_at_risk_is_escalated_to_the_supervisor(desk, actors, clock):
    w = report(desk, actors, description="水管爆裂", urgent=True)
    up = desk.orders.escalate(w.number, actors["staff"], "老陈在另一现场")
    assert "已上报主管" in up.history[-1].note
    [page] = desk.notices.recorded("escalation")
    assert "主管" in page.text and "老陈在另一现场" in page.text
