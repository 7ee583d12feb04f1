"""C2: complaints taken by phone carry an event key (category + building or public area
+ day), so that five households on the same event make a collective complaint."""

from __future__ import annotations

from datetime import date

from desk.record_types import Complaint
from desk.service import complaint_event_key
from desk.services.requests import NewOwner
from voice.fake import HANGUP, TIMEOUT

NEIGHBOURS = [  # five households of building 3 (3-2-501 is the conftest owner)
    ("3-2-501", "13800138000"),
    ("3-2-502", "13800138002"),
    ("3-1-101", "13800138003"),
    ("3-1-102", "13800138004"),
    ("3-2-601", "13800138005"),
]


def complaints(desk) -> list[Complaint]:
    return [Complaint.from_doc(d) for d in desk.store.iter_days("complaint")]


def add_neighbours(desk) -> None:
    for unit, phone in NEIGHBOURS[1:]:
        desk.directory.add_owner(NewOwner(unit, f"业主{unit}", phone))


# 4 投诉 / 1 是业主 / 2 清洁 / 1 在本楼 / # 录音结束 / 3 一般 / 2 结束
SAME_BUILDING = ["4", "1", "2", "1", "#", "3", "2"]


def test_C2_five_households_phoning_about_one_event_escalate(desk, run_call):
    add_neighbours(desk)
    said_collective = []
    for i, (_unit, phone) in enumerate(NEIGHBOURS):
        call, _, _ = run_call(SAME_BUILDING, caller=phone)
        said_collective.append("complaint_collective" in [s.prompt for s in call.d.state.said])
        assert [c.collective for c in complaints(desk)].count(True) == (5 if i == 4 else 0)
    assert said_collective == [False, False, False, False, True]
    cs = complaints(desk)
    assert {c.unit for c in cs} == {u for u, _ in NEIGHBOURS}
    assert {c.event_key for c in cs} == {"cleaning@b3@2026-11-23"}
    assert all(c.collective and c.severity == "major" and c.escalated_to for c in cs)


def test_C2_other_category_building_or_day_is_another_event(desk, run_call, clock):
    add_neighbours(desk)
    (u1, p1), (u2, p2), (u3, p3), (u4, p4), (u5, p5) = NEIGHBOURS
    run_call(SAME_BUILDING, caller=p1)
    run_call(SAME_BUILDING, caller=p2)
    run_call(["4", "1", "3", "1", "#", "3", "2"], caller=p3)  # 绿化, not 清洁
    run_call(["4", "1", "2", "3", "#", "3", "2"], caller=p4)  # public area
    clock.now = clock.now.replace(day=24)
    run_call(SAME_BUILDING, caller=p5)  # the next day
    keys = sorted(c.event_key for c in complaints(desk))
    assert keys == [
        "cleaning@b3@2026-11-23",
        "cleaning@b3@2026-11-23",
        "cleaning@b3@2026-11-24",
        "cleaning@public@2026-11-23",
        "landscaping@b3@2026-11-23",
    ]
    assert not any(c.collective for c in complaints(desk))


def test_C2_caller_without_a_registered_phone_keys_the_building(desk, run_call):
    # 4 投诉 / 2 清洁 / 1 某一栋楼 / 3# 楼栋号 / # / 3 一般 / (电话) / 2 结束
    run_call(["4", "2", "1", "03#", "#", "3", "13712345678#", "2"], caller="anonymous")
    [c] = complaints(desk)
    assert c.event_key == "cleaning@b3@2026-11-23" and c.place == "3栋"
    assert c.phone == "13712345678"


def test_C2_strangers_count_as_households_by_phone(desk, run_call):
    for n in range(5):
        run_call(["4", "2", "2", "#", "3", "2"], caller=f"1371234567{n}")  # public area
    cs = complaints(desk)
    assert {c.event_key for c in cs} == {"cleaning@public@2026-11-23"}
    assert all(c.collective for c in cs)


def test_C2_place_not_given_is_taken_but_not_grouped(desk, run_call):
    run_call(["4", "1", "2", TIMEOUT, TIMEOUT, "#", "3", "2"])
    [c] = complaints(desk)
    assert c.event_key == "" and c.place == "" and not c.collective


def test_C2_event_key_format():
    assert complaint_event_key("cleaning", "b3", date(2026, 11, 23)) == "cleaning@b3@2026-11-23"
    assert complaint_event_key("security", "", date(2026, 11, 23)) == ""


def test_C2_complaint_abandoned_while_choosing_the_place_saves_nothing(desk, run_call):
    run_call(["4", "1", "2", HANGUP])
    assert complaints(desk) == []
