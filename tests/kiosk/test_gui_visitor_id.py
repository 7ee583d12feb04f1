"""Visitor form under Xvfb: the public host search (issue 16 item 8, X1) and the ID card reader
filling name and ID (item 1, V1, X1), with screenshots."""

from __future__ import annotations

import time

from devices.manager import sim_dir
from devices.sim.host import in_process_host


def sim_reader(k):
    host = in_process_host(sim_dir(k.app.settings))
    assert host is not None, "the kiosk tests run the simulator in-process"
    return host.idreader


def wait_for(k, predicate, seconds=8.0):
    t0 = time.monotonic()
    while not predicate():
        assert time.monotonic() - t0 < seconds, "timed out"
        k.pump(2)
        time.sleep(0.02)


def type_and_ok(k, letters, pick=None):
    kb = k.popup()
    k.press_keys(kb, letters)
    if pick is not None:
        k.tap(kb.cand_buttons[kb.candidate_texts().index(pick)])
    k.tap(k.button(kb, "确定"))


def test_X1_public_search_needs_a_full_name_or_unit_and_shows_no_list(k):
    k.tap(k.screen().ids.visitor)
    s = k.screen()
    k.tap(s.ids.search_host)
    type_and_ok(k, "z")  # one letter: nobody is listed any more
    assert not s.values.get("host_unit") and "完整姓名" in s.status
    assert not k.app.popups
    k.shot("40-visitor-public-search-refused")
    desk = k.backend.desk
    everyone = desk.directory.search("")
    owner = next(
        o for o in everyone
        if sum(x.name == o.name for x in everyone) == sum(x.name == o.name and x.unit == o.unit for x in everyone)
        and o.name == "张华"
    )  # fmt: skip
    k.tap(s.ids.search_host)
    kb = k.popup()
    k.press_keys(kb, "zhanghua")
    assert kb.candidate_texts()[0] == "张华"  # a name field: the whole name first (item 7)
    k.shot("41-visitor-public-search-name")
    k.tap(kb.cand_buttons[0])
    k.tap(k.button(kb, "确定"))
    assert s.values["host_unit"] == owner.unit
    assert s.ids.host_unit.display == "1栋2单元102室"
    k.tap(s.ids.search_host)
    kb = k.popup()
    k.tap(kb.mode_buttons["digits"])  # a unit is typed on the digit keys
    for ch in "3-2-602":
        k.tap(kb.letter_buttons[ch])
    k.tap(k.button(kb, "确定"))
    assert s.values["host_unit"] == "3-2-602"
    k.shot("42-visitor-public-search-unit")
    k.app.toggle_language()
    try:
        assert s.ids.search_host.text == "Host by name or unit"
        k.shot("46-visitor-english")
    finally:
        k.app.toggle_language()


def test_V1_card_on_the_reader_fills_name_and_id_masked(k):
    reader = sim_reader(k)
    reader.ok()
    reader.place("resident")
    k.tap(k.screen().ids.visitor)
    s = k.screen()
    wait_for(k, lambda: s.values.get("id_number"))
    assert s.values["visitor_name"] == "张伟" and s.values["id_type"] == "resident_id"
    assert s.values["id_number"] == "110101199003074514"
    assert s.ids.visitor_name.display == "张*"
    assert "110101199003074514" not in s.ids.id_number.display
    assert s.ids.id_number.display.endswith("4514")
    assert "已读取证件" in s.status
    k.shot("43-visitor-id-card-read")


def test_V1_expired_card_refused_and_typing_stays(k):
    reader = sim_reader(k)
    reader.ok()
    reader.place("expired")
    k.tap(k.screen().ids.visitor)
    s = k.screen()
    wait_for(k, lambda: "证件已过期" in s.status)
    assert not s.values.get("id_number") and not s.values.get("visitor_name")
    k.shot("44-visitor-id-card-expired")
    k.tap(s.ids.visitor_name.children[0])  # typing stays: a name field offers whole names
    kb = k.popup()
    k.press_keys(kb, "wangxiuying")
    assert kb.candidate_texts()[0] == "王秀英"
    k.shot("45-visitor-name-typed")
    k.tap(kb.cand_buttons[0])
    k.tap(k.button(kb, "确定"))
    assert s.values["visitor_name"] == "王秀英"
    reader.remove()
