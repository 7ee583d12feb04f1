"""Call flows as callers use them (issue 14 items 1-7) on the scripted line against the real Desk.

The scripted line moves the desk's clock as prompts play (as long as their text takes to
say) and as waits time out, so "recorded within 1 s of `*`" is measured on that clock:
the emergency record's ``created_at`` against the time the key was delivered.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, time, timedelta

import pytest

from desk.dialplan import DialPlan
from desk.record_types import Call, GuardRequest, WorkOrder
from desk.records import Actor, Role
from desk.services.requests import ParcelIn, RepairRequest
from voice import prompts
from voice.baresip import hum
from voice.fake import HANGUP, TIMEOUT, FakeAsr, audio, foreign, say

GUARD = Actor(Role.GUARD, "guard", "test")
STAFF = Actor(Role.STAFF, "staff", "test")
OWNER_UNIT = "3-2-501"
NIGHT = datetime(2026, 11, 23, 23, 0)
KEYS = "0123456789*#"


def said(call) -> list[str]:
    return [s.prompt for s in call.d.state.said]


def text_of(call, prompt: str) -> str:
    return next(s.text for s in call.d.state.said if s.prompt == prompt)


def calls(desk) -> list[Call]:
    return [Call.from_doc(d) for d in desk.store.iter_days("call")]


def emergencies(desk) -> list[GuardRequest]:
    return [
        r
        for r in (GuardRequest.from_doc(d) for d in desk.store.iter_days("request"))
        if r.request_kind == "emergency"
    ]


def first_star(ch) -> datetime | None:
    return next((t for k, t in ch.key_times if k == "*"), None)


# ---- items 1-2: E1 at every point of every menu ------------------------------------------


@pytest.fixture
def furnished(desk):
    """A parcel waiting, the unit's phone PIN set, a work order to ask about."""
    desk.parcels.receive(ParcelIn(recipient_name="张三", unit=OWNER_UNIT, phone="13800138000", courier="顺丰速运", tracking_no="SF1", compartment="A-01"), GUARD)  # fmt: skip
    desk.directory.set_phone_pin(OWNER_UNIT, "13800138000", "246810", STAFF)
    order = desk.repairs.report(RepairRequest(location=OWNER_UNIT, category="water", description="滴水", contact_name="张三", contact_phone="13800138000"), GUARD)  # fmt: skip
    return order


def paths(order_number: str) -> list[tuple[str, list]]:
    """(caller, script) walking every main-menu path to its end: their prefixes are the
    points of the sweep (every menu, digit entry, recording and prompt on the way)."""
    rec = audio(hum(1))
    return [
        ("13800138000", ["1", "1", "1", "2", rec, "#", "1", "2"]),
        ("anonymous", ["1", "1#", "1#", "101#", "4", "1", rec, "#", "1", "13712345678#", "2"]),
        ("13800138000", ["2", "1", "246810#", "1", "2", "2"]),
        ("13800138000", ["3", "1", "246810#", "2#", "2", "2"]),
        ("13800138000", ["4", "1", "2", "1", rec, "#", "1", "2"]),
        ("anonymous", ["4", "2", "1", "3", rec, "#", "3", "2"]),
        ("13800138000", ["5", order_number + "#", "1", "0", rec, "#"]),
        ("13800138000", ["9", TIMEOUT, rec, "#"]),
        ("13800138000", ["*", rec, "#"]),
        ("speech", [foreign(), foreign(), "5", order_number + "#", "2"]),  # T4's menu
    ]


def points(order_number: str) -> list[tuple[str, list]]:
    out = []
    for caller, script in paths(order_number):
        for n in range(len(script) + 1):
            out.append((caller, script[:n]))
    return out


def within_1s(created: datetime, key_time: datetime) -> bool:
    """created_at is stored to the second: a record made in the same second as the key
    may show a time just before it."""
    return created.replace(microsecond=0) >= key_time.replace(microsecond=0) and (
        created - key_time <= timedelta(seconds=1)
    )


def check_call(desk, call, ch, before: int) -> None:
    """The call never left its flow, and a `*` anywhere made an emergency at once."""
    assert call.result.outcome != "error", call.d.state.path
    assert "error" not in said(call) and "error_no_number" not in said(call)
    assert len(calls(desk)) == before + 1  # the call itself is on record
    star = first_star(ch)
    if star is not None:
        assert call.result.emergency, call.d.state.path
        number = next(n for n in call.result.records if desk.get(n).kind == "request")
        created = desk.get(number).created_at
        assert within_1s(created, star), (
            created,
            star,
            ch.key_times,
            call.d.state.path,
            said(call),
        )


@pytest.mark.slow  # 1 800 calls, ~50 s
@pytest.mark.parametrize("keys_in_prompts", [False, True], ids=["after", "during"])
def test_E1_items_1_2_every_key_at_every_point_never_escapes_the_flow(
    run_call, desk, clock, furnished, keys_in_prompts, menus
):
    """Every key, then a burst of random keys, at every point of every path; keys pressed
    after the prompts and while they play. No call ends in the error path; any `*`
    records the emergency within 1 s of the key (scripted clock), whatever follows."""
    rng = random.Random(14)
    n = 0
    seen: set[str] = set()
    for caller, prefix in points(furnished.number):
        clock.advance(hours=1, minutes=1)  # past the lock after wrong PINs (random keys)
        for key in KEYS:
            burst = "".join(rng.choice(KEYS) for _ in range(6))
            before = len(calls(desk))
            speech = caller == "speech"  # a caller heard by the speech recogniser
            call, ch, _ = run_call(
                [*prefix, key, burst, HANGUP], caller="13800138000" if speech else caller,
                clock=clock, keys_in_prompts=keys_in_prompts, asr=FakeAsr() if speech else None,
            )  # fmt: skip
            check_call(desk, call, ch, before)
            seen |= set(call.d.state.path) & set(menus)
            n += 1
    assert n == len(points(furnished.number)) * len(KEYS)
    # every menu a caller can reach was a point of the sweep (outbound ones excepted, and the
    # technicians' menus, which only a staff login opens: tests/voice/test_staff_menu.py)
    behind_login = {"staff_more", "staff_action", "price_confirm"}
    assert seen == {name for name, m in menus.items() if m.emergency} - behind_login


def test_E1_item_1_second_star_and_bursts_during_the_reassurance(run_call, desk, clock):
    """`*` again (and any keys) while the reassurance plays: the emergency flow goes on,
    the caller is asked where and what, nothing escapes."""
    call, ch, _ = run_call(["*", "*", "*19#*", "#", HANGUP], clock=clock, keys_in_prompts=True)
    assert call.result.outcome == "emergency" and "error" not in said(call)
    assert said(call).count("emergency") == 1 and "emergency_describe" in said(call)
    assert len(emergencies(desk)) == 1


def test_E1_item_2_recorded_within_1s_of_star_before_the_reassurance(run_call, desk, clock):
    call, ch, alerts = run_call(["*", HANGUP], caller="anonymous", clock=clock)
    [req] = emergencies(desk)
    assert within_1s(req.created_at, first_star(ch))
    # the reassurance (several seconds of speech) came after the record
    assert clock() - req.created_at >= timedelta(seconds=5) and alerts


def test_E1_item_2_spoken_word_recorded_within_1s(run_call, desk, clock):
    """An emergency word spoken in a menu counts like `*`: on record within 1 s of it."""
    script = [say("报修"), say("是"), say("家里漏水了"), HANGUP]
    call, ch, _ = run_call(script, asr=FakeAsr(), clock=clock)
    [req] = emergencies(desk)
    [heard_at] = [t for text, t in ch.speech_times if "漏水" in text]
    assert within_1s(req.created_at, heard_at) and req.unit == OWNER_UNIT
    assert any(e.startswith("EMERGENCY(speech") for e in call.d.state.path)
    assert "emergency" in said(call)


def test_E1_item_2_star_after_goodbye_still_counts(run_call, desk, clock, furnished):
    """A `*` pressed while 再见 plays or after it: recorded at once, not ignored."""
    call, ch, _ = run_call(
        ["5", furnished.number + "#", "2", "*", HANGUP], clock=clock, goodbye_wait_s=3.0
    )
    [req] = emergencies(desk)
    assert within_1s(req.created_at, first_star(ch))


def test_E1_item_3_night_emergency_gets_the_duty_phone_alert_and_advice(run_call, desk, clock):
    clock.now = NIGHT
    taken = []
    call, _, alerts = run_call(
        ["*", HANGUP], transfer=lambda ch, to: taken.append(to) or True, phones=frozenset({"duty"})
    )
    assert taken == ["duty"] and call.result.outcome == "transferred"
    assert alerts and "emergency_advice" in said(call)
    assert "119" in desk.settings.policy.public_services_advice
    assert not {"after_hours", "voicemail", "operator_voicemail"} & set(said(call))
    assert len(emergencies(desk)) == 1


def test_E1_item_3_night_emergency_without_a_duty_phone_is_never_told_to_wait(
    run_call, desk, clock
):
    clock.now = NIGHT
    taken = []
    call, _, alerts = run_call(
        ["*", audio(hum(2)), "#", HANGUP], transfer=lambda ch, to: taken.append(to) or True
    )  # a desk phone is configured, but nobody is at the desk at night
    assert taken == [] and alerts
    s = said(call)
    assert "emergency_advice" in s and "emergency_night" in s and "emergency_describe" in s
    assert not any("上班" in x.text or "工作时间" in x.text for x in call.d.state.said)
    [req] = emergencies(desk)
    assert req.what.startswith("来电录音")


def test_E1_item_3_duty_phone_not_answering_falls_back_to_the_message(run_call, desk, clock):
    clock.now = NIGHT
    call, _, _ = run_call(
        ["*", audio(hum(2)), "#", HANGUP], transfer=lambda ch, to: False,
        phones=frozenset({"duty"}),
    )  # fmt: skip
    s = said(call)
    assert (
        s.index("emergency_transfer")
        < s.index("transfer_no_answer")
        < s.index("emergency_describe")
    )
    assert call.result.outcome == "emergency" and calls(desk)[0].status == "voicemail"


# ---- item 4: `#` ends an entry whether or not the slots are full ---------------------------


def test_item_4_status_by_number_and_hash_plays_the_status(run_call, desk, furnished):
    """The `#` after a full 11-digit number (pressed while the next prompt starts) is the
    end of the entry: the status is played in full and 还需要其他服务 gets the caller's 2."""
    call, ch, _ = run_call(["5", furnished.number, "#", "2"], keys_in_prompts=True)
    assert "已受理" in text_of(call, "order_status")
    path = call.d.state.path
    assert "anything_else=2" in path and "anything_else:i" not in path
    assert [c.outcome for c in calls(desk)] == ["status"]


def test_item_4_twelve_digit_contact_phone_with_hash(run_call, desk):
    script = ["1", "1#", "1#", "101#", "4", "2", audio(hum(1)), "#", "1", "075588886666", "#", "2"]
    call, _, _ = run_call(script, caller="anonymous", keys_in_prompts=True)
    [order] = [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]
    assert order.contact_phone == "0755-88886666"
    assert "anything_else=2" in call.d.state.path and "anything_else:i" not in call.d.state.path


# ---- item 5: number formats, and one bad field never loses the call ------------------------


def test_item_5_a_mistyped_work_order_number_is_asked_again(run_call, desk, furnished):
    call, _, _ = run_call(["5", "22611230009#", furnished.number + "#", "2"])
    assert said(call).count("ask_order") == 2 and "已受理" in text_of(call, "order_status")


def test_item_5_local_caller_id_without_area_code_is_the_owner(run_call, desk):
    """FXO gateways often pass a local caller ID without its area code."""
    from desk.services.requests import NewOwner

    desk.directory.add_owner(NewOwner("2-1-301", "王五", "0755-88886666"))
    desk.settings = dataclasses.replace(
        desk.settings,
        hotline=dataclasses.replace(desk.settings.hotline, dialplan=DialPlan(local_area_code="0755")),
    )  # fmt: skip
    call, _, _ = run_call(["1", HANGUP], caller="88886666")
    assert "二栋一单元三零一室" in text_of(call, "verify_owner")


def test_item_5_trunk_zero_caller_id_is_the_owner(run_call, desk):
    call, _, _ = run_call(["1", HANGUP], caller="013800138000")
    assert "verify_owner" in said(call) and "三栋二单元五零一室" in text_of(call, "verify_owner")


@pytest.mark.parametrize(
    ("keyed", "stored"),
    [
        ("88886666#", "0755-88886666"),  # local, without area code
        ("075588886666#", "0755-88886666"),
        ("008613712345678#", "13712345678"),
        ("13712345678#", "13712345678"),
    ],
)
def test_item_5_number_formats_keyed_by_a_withheld_caller(run_call, desk, keyed, stored):
    desk.settings = dataclasses.replace(
        desk.settings,
        hotline=dataclasses.replace(desk.settings.hotline, dialplan=DialPlan(local_area_code="0755")),
    )  # fmt: skip
    script = ["1", "1#", "1#", "101#", "4", "2", audio(hum(1)), "#", "1", keyed, "2"]
    run_call(script, caller="anonymous")
    [order] = [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]
    assert order.contact_phone == stored


def test_item_5_bad_number_is_asked_again_and_nothing_is_lost(run_call, desk):
    """A local number without a configured area code, then junk, then a good mobile: the
    phone is asked again each time; category, urgency and recording stay as said."""
    script = ["1", "1#", "1#", "101#", "4", "1", audio(hum(1)), "#", "1",
              "88886666#", "12345#", "13712345678#", "2"]  # fmt: skip
    call, _, _ = run_call(script, caller="anonymous")
    assert said(call).count("phone_invalid") == 2 and "error" not in said(call)
    [order] = [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]
    assert order.contact_phone == "13712345678" and order.category == "pipe" and order.urgent
    assert order.audio_path


def test_item_5_no_good_number_at_all_still_files_the_repair(run_call, desk):
    script = ["1", "1#", "1#", "101#", "4", "1", audio(hum(1)), "#", "1",
              "1#", "22#", "333#", "2"]  # fmt: skip
    call, _, _ = run_call(script, caller="anonymous")
    [order] = [WorkOrder.from_doc(d) for d in desk.store.iter_days("work_order")]
    # the unit's registered phone is called back to check (R1), the recording is kept
    assert order.unverified and order.contact_phone == "13900139000" and order.audio_path
    assert "repair_saved" in said(call)


# ---- item 6: menus, spoken hours and times in the site's zone --------------------------------


def test_item_6_anything_else_allows_the_usual_retries(run_call, desk, furnished):
    call, _, _ = run_call(["5", furnished.number + "#", TIMEOUT, "7", "1", "0", "#", HANGUP])
    path = call.d.state.path
    assert "anything_else:t" in path and "anything_else:i" in path and "anything_else=1" in path
    assert path.count("main") == 2


def test_item_6_parcel_menu_key_2_returns_to_the_main_menu(run_call, desk, furnished):
    call, _, _ = run_call(["2", "1", "246810#", "2", "5", furnished.number + "#", "2"])
    path = call.d.state.path
    i = path.index("parcel_repeat=2")
    assert path[i + 1] == "main" and "main=5" in path


def test_item_6_hours_are_read_as_spoken_chinese(run_call, desk, clock):
    clock.now = NIGHT
    call, _, _ = run_call(["0", "#", HANGUP])
    assert "早上七点半到晚上八点" in text_of(call, "after_hours")
    assert prompts.hours_zh(time(7, 30), time(20, 0)) == "早上七点半到晚上八点"


def test_item_6_promise_times_follow_the_core_clock_in_the_site_zone(run_call, desk, clock):
    """The desk's clock says 23 Nov 23:00 (Shanghai); the machine's clock says another day
    (and UTC): the promise is 明天上午九点半 all the same."""
    clock.now = NIGHT
    call, _, _ = run_call(["1", "1", "1", "2", "#", "1", "2"])
    assert "明天上午九点半" in text_of(call, "promise_normal")
    utc = datetime(2026, 11, 24, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai, 上午
    assert prompts.time_zh(utc, today=date(2026, 11, 24)) == "今天上午九点半"


# ---- item 7: honest hand-over ----------------------------------------------------------------


def test_item_7_no_desk_phone_operator_is_told_voicemail_and_callback(run_call, desk):
    call, _, _ = run_call(["0", audio(hum(1)), "#", HANGUP])
    assert "transfer" not in said(call)
    assert "回电" in text_of(call, "operator_voicemail")
    assert "转接" not in " ".join(s.text for s in call.d.state.said)
    assert calls(desk)[0].status == "voicemail"


def test_item_7_no_desk_phone_emergency_is_not_promised_a_transfer(run_call, desk):
    """The hotline always has a transfer function; with no phone configured (the default)
    the emergency caller is not told 正在为您转接."""
    call, _, _ = run_call(
        ["*", audio(hum(1)), "#", HANGUP], transfer=lambda ch, to: False, phones=frozenset()
    )
    assert "转接" not in " ".join(s.text for s in call.d.state.said)
    assert "emergency_describe" in said(call)


def test_item_7_error_prompt_never_promises_a_transfer_it_cannot_make(
    run_call, desk, furnished, monkeypatch
):
    def broken(number):
        raise RuntimeError("store unavailable")

    monkeypatch.setattr(desk, "get", broken)
    call, _, _ = run_call(["5", furnished.number + "#", HANGUP])
    assert call.result.outcome == "error" and "error" in said(call)
    assert "转接" not in text_of(call, "error") and "回电" in text_of(call, "error")
    assert calls(desk)[0] in desk.calls.callbacks()
    call, _, _ = run_call(["5", furnished.number + "#", HANGUP], caller="anonymous")
    assert "error_no_number" in said(call) and "回电" not in text_of(call, "error_no_number")
    taken = []
    call, _, _ = run_call(
        ["5", furnished.number + "#", HANGUP], transfer=lambda ch, to: taken.append(to) or True
    )  # a desk phone in staffed hours: then the transfer is real
    assert "error_transfer" in said(call) and taken == ["desk"]


def test_E1_item_1_star_while_hearing_lines_busy(desk, menus, text_prompts):
    """Over capacity the caller hears 线路繁忙; a `*` then is still an emergency on record."""
    from voice.fake import ScriptedChannel
    from voice.hotline import Hotline, Resources

    hl = Hotline(desk.settings, desk, object(), Resources(text_prompts, menus, None, {}, ""))  # type: ignore[arg-type]
    hl._active = desk.settings.hotline.max_calls  # every line taken
    ch = ScriptedChannel(["*", "*9#"], keys_in_prompts=True)
    hl.on_call(ch)
    [req] = emergencies(desk)
    assert "线路繁忙" in req.note and ch.local_hangup
    assert [c.status for c in calls(desk)] == ["missed"]  # and on the callback list
