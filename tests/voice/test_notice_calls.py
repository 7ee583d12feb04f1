"""Notice calls (停水/停电): the dialer plays the notice, "收到请按1"; answers counted (issue 13)."""

from __future__ import annotations

from datetime import datetime, timedelta

from desk.notice_hooks import queue_of
from desk.notice_public import announce, reach
from desk.records import SYSTEM
from desk.services.requests import NewOwner
from voice.fake import ScriptedChannel
from voice.outbound import Dialer

from .conftest import OWNER_PHONE


def make(desk, menus, text_prompts, answers):
    dialled = []

    def dial(number):
        dialled.append(number)
        script = answers.pop(0) if answers else None
        return None if script is None else ScriptedChannel(script, caller="hotline", callee=number)

    dialer = Dialer(desk, dial, text_prompts, menus, attempts=2, retry_minutes=30,
                    host_calls=False, follow_up_calls=False)  # fmt: skip
    return dialer, dialled


def test_outage_call_confirmed_with_1_and_counted(desk, menus, text_prompts, clock):
    # a landline can be called, not texted
    desk.directory.add_owner(NewOwner("3-1-101", "孙七", "0755-88886667"))
    desk.directory.add_owner(NewOwner("3-2-502", "王五", "13712345678"))
    key, households, sms = announce(desk, SYSTEM, ["3"], "停水通知", "11月24日9:00-17:00", "请提前储水",
                                    calls=True)  # fmt: skip
    assert (households, sms) == (3, 2)
    dialer, dialled = make(desk, menus, text_prompts, [["1"], None, ["9"]])
    assert dialer.run_once() == 3
    # the dial plan (desk/dialplan.py, issue 14: only allowed numbers) dials the landline as
    # the digits it checked, without the register's "-"
    assert sorted(dialled) == sorted([OWNER_PHONE, "13712345678", "075588886667"])
    got = reach(desk, key)
    assert len(got["confirmed"]) == 1
    calls = [n for n in queue_of(desk).for_record(key) if n.channel == "call"]
    assert sorted(n.status for n in calls) == ["delivered", "queued", "queued"]
    assert not any(n.text.startswith("【") for n in calls)  # spoken: no SMS signature
    # not reached / no 1: tried again after the interval, failed after the attempts
    clock.now += timedelta(minutes=31)
    dialer2, dialled2 = make(desk, menus, text_prompts, [None, None])
    assert dialer2.run_once() == 2
    assert {n.status for n in queue_of(desk).for_record(key) if n.channel == "call"} == {
        "delivered", "failed"}  # fmt: skip
    clock.now += timedelta(minutes=31)
    assert make(desk, menus, text_prompts, [])[0].run_once() == 0


def test_notice_calls_wait_for_the_end_of_quiet_hours(desk, menus, text_prompts, clock):
    clock.now = datetime(2026, 11, 23, 22, 0)
    announce(desk, SYSTEM, ["1"], "停电通知", "明日9:00-12:00", "请关闭电器", calls=True)
    dialer, dialled = make(desk, menus, text_prompts, [["1"]])
    assert dialer.run_once() == 0 and dialled == []
    clock.now += timedelta(hours=10)
    assert dialer.run_once() == 1 and dialled == ["13900139000"]
