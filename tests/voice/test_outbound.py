"""Dialer rules with a fake line: staffed hours, retries, results in the core (V2, R5, C4, T3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from desk.record_types import Call
from desk.records import Actor, Role
from desk.services.requests import RepairRequest, VisitRequest
from voice.fake import ScriptedChannel
from voice.outbound import Dialer

STAFF = Actor(Role.STAFF, "staff", "test")
NIGHT = datetime(2026, 11, 23, 22, 0)


def done_order(desk):
    o = desk.repairs.report(RepairRequest(location="3-2-501", category="water", description="滴水", contact_name="张三", contact_phone="13800138000"), STAFF)  # fmt: skip
    for action in ("dispatch", "accept", "arrive"):
        desk.repairs.transition(o.number, action, STAFF)
    return desk.repairs.complete(o.number, STAFF)


def out_calls(desk) -> list[Call]:
    return [Call.from_doc(d) for d in desk.store.iter_days("call") if d["direction"] == "out"]


def make(desk, menus, text_prompts, answers):
    dialled = []

    def dial(number):
        dialled.append(number)
        script = answers.pop(0) if answers else None
        return None if script is None else ScriptedChannel(script, caller="hotline", callee=number)

    return Dialer(desk, dial, text_prompts, menus, attempts=2, retry_minutes=30), dialled


def test_R5_follow_up_rating_not_satisfied_reopens(desk, menus, text_prompts):
    order = done_order(desk)
    dialer, dialled = make(desk, menus, text_prompts, [["4"]])
    assert dialer.run_once() == 1
    assert dialled == ["13800138000"]
    assert desk.get(order.number).status == "reopened"
    [c] = out_calls(desk)
    assert (
        c.outcome == "rated"
        and c.records == (order.number,)
        and c.purpose == f"follow_up:{order.number}"
    )


def test_follow_ups_only_in_staffed_hours(desk, menus, text_prompts, clock):
    done_order(desk)
    clock.now = NIGHT
    dialer, dialled = make(desk, menus, text_prompts, [["1"]])
    assert dialer.run_once() == 0 and dialled == []


def test_no_answer_is_retried_after_the_interval_then_given_up(desk, menus, text_prompts, clock):
    order = done_order(desk)
    dialer, dialled = make(desk, menus, text_prompts, [None, None, None])
    assert dialer.run_once() == 1
    assert dialer.run_once() == 0  # too soon
    clock.now += timedelta(minutes=31)
    assert dialer.run_once() == 1
    clock.now += timedelta(minutes=31)
    assert dialer.run_once() == 0  # 2 attempts a day
    assert [c.outcome for c in out_calls(desk)] == ["no_answer", "no_answer"]
    assert desk.get(order.number).status == "done"


def test_V2_host_accepts_visitor(desk, menus, text_prompts):
    guard = Actor(Role.GUARD, "guard", "test")
    v = desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="王五", id_number="11010519491231002X", purpose="拜访"), guard)  # fmt: skip
    dialer, dialled = make(desk, menus, text_prompts, [["1"]])
    assert dialer.run_once() == 1
    visit = desk.get(v.number)
    assert visit.status == "admitted" and visit.host_answer == "同意"
    assert dialled == ["13800138000"]
    assert out_calls(desk)[0].outcome == "accepted"


def test_host_not_reached_leaves_visit_waiting(desk, menus, text_prompts):
    guard = Actor(Role.GUARD, "guard", "test")
    v = desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="王五", id_number="11010519491231002X", purpose="拜访"), guard)  # fmt: skip
    dialer, _ = make(desk, menus, text_prompts, [None])
    dialer.run_once()
    assert desk.get(v.number).status == "waiting_host"


def test_V2_visitor_name_is_rendered_before_the_host_is_dialled(desk, menus):
    """The free-text slot is synthesised before dialling, not after the host picks up."""
    import numpy as np

    from voice.prompts import Prompts

    class CountingTts:
        def __init__(self):
            self.texts: list[str] = []

        def get(self, text, trim_silence=False, voice=None):
            self.texts.append(text)
            return np.zeros(80, np.int16)

    tts = CountingTts()
    prompts = Prompts(tts, fixed={"office": "幸福家园物业客服中心"})
    guard = Actor(Role.GUARD, "guard", "test")
    desk.visits.register(VisitRequest(host_unit="3-2-501", visitor_name="欧阳娜娜", id_number="11010519491231002X", purpose="拜访"), guard)  # fmt: skip
    rendered_at_dial = []

    def dial(number):
        rendered_at_dial.append(list(tts.texts))
        return ScriptedChannel(["1"], caller="hotline", callee=number)

    Dialer(desk, dial, prompts, menus).run_once()
    assert rendered_at_dial and "欧阳娜娜" in rendered_at_dial[0]
