"""The callback list worked through (T3, L1): by hand or by the dialer, which puts the caller
through to the desk; the result recorded and the entry closed; overnight calls listed first."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from desk.errors import ValidationError
from desk.records import Actor, Role
from desk.services.requests import CallLog
from voice.fake import ScriptedChannel
from voice.outbound import Dialer

STAFF = Actor(Role.STAFF, "staff", "test")
HOTLINE = Actor(Role.SYSTEM, "hotline", "hotline")


def missed(desk, caller, status="missed"):
    return desk.calls.record(CallLog(caller=caller, status=status, outcome=status), HOTLINE)


class TransferChannel(ScriptedChannel):
    transferred_to = ""

    def transfer(self, uri):
        self.transferred_to = uri
        return True


def test_T3_L1_overnight_calls_wait_first_and_are_closed_by_hand(desk, clock):
    clock.now = datetime(2026, 11, 23, 22, 30)
    night = missed(desk, "13900139000", "voicemail")
    clock.now = datetime(2026, 11, 24, 7, 30)
    assert [c.number for c in desk.calls.overnight()] == [night.number]
    clock.now = datetime(2026, 11, 24, 8, 0)
    day = missed(desk, "13800138000")
    assert [c.number for c in desk.calls.callback_list()] == [night.number, day.number]
    with pytest.raises(ValidationError):
        desk.calls.callback_result(day.number, STAFF, " ", "hand")
    done = desk.calls.callback_result(day.number, STAFF, "已回电，业主咨询停水时间", "hand")
    assert done.callback_done and done.callback_via == "hand"
    assert [c.number for c in desk.calls.callback_list()] == [night.number]


def test_T3_the_dialer_calls_back_and_puts_the_caller_through(desk, menus, text_prompts):
    call = missed(desk, "13800138000")
    with pytest.raises(ValidationError, match="operator_uri"):
        desk.calls.request_callback(call.number, STAFF)  # no desk extension: call by hand
    hotline = dataclasses.replace(desk.settings.hotline, operator_uri="sip:desk@127.0.0.1")
    desk.core.settings = dataclasses.replace(desk.settings, hotline=hotline)
    desk.calls.request_callback(call.number, STAFF)
    channels = []

    def dial(number):
        channels.append(TransferChannel([], caller="hotline", callee=number))
        return channels[-1]

    dialer = Dialer(desk, dial, text_prompts, menus)
    dialer.transfer_to = "sip:desk@127.0.0.1"
    assert dialer.run_once() == 1
    assert (
        channels[0].callee == "13800138000" and channels[0].transferred_to == "sip:desk@127.0.0.1"
    )
    done = desk.get(call.number)
    assert done.callback_done and done.callback_via == "dialer" and "转接" in done.callback_result
    assert desk.calls.callback_requests() == [] and dialer.run_once() == 0


def test_T3_dialer_not_answered_leaves_the_entry_for_another_try(desk, menus, text_prompts):
    call = missed(desk, "13800138000")
    hotline = dataclasses.replace(desk.settings.hotline, operator_uri="sip:desk@127.0.0.1")
    desk.core.settings = dataclasses.replace(desk.settings, hotline=hotline)
    desk.calls.request_callback(call.number, STAFF)
    Dialer(desk, lambda n: None, text_prompts, menus).run_once()
    left = desk.get(call.number)
    assert not left.callback_done and left.callback_result == "热线回拨未接通"
    assert call.number in [c.number for c in desk.calls.callback_list()]


def test_R6_the_owner_confirms_the_price_by_phone_key(desk, menus, text_prompts):
    from desk.services.requests import RepairRequest

    w = desk.repairs.report(RepairRequest(location="3-2-501", category="electric", description="加装插座",
                                          contact_name="张三", contact_phone="13800138000"), STAFF)  # fmt: skip
    desk.orders.dispatch(w.number, STAFF, assignee="老陈")
    desk.orders.quote(w.number, STAFF, 80)
    dialled = []

    def dial(number):
        dialled.append(number)
        return ScriptedChannel(["1"], caller="hotline", callee=number)

    dialer = Dialer(desk, dial, text_prompts, menus)
    assert dialer.run_once() == 1 and dialled == ["13800138000"]
    done = desk.orders.get(w.number)
    assert done.price_confirmed and done.price_confirmed_via == "phone"
    assert dialer.run_once() == 0  # confirmed: no more calls
