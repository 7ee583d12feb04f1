"""Guard requests from the kiosk are store records (P3, E1): listed after a restart, settled by a guard."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from desk.demo import install_demo
from desk.errors import ValidationError
from desk.service import Desk
from kiosk.backend import KioskBackend

ID = "11010519491231002X"


@pytest.fixture
def settings(tmp_path):
    from harness import test_settings

    return test_settings(tmp_path / "data")


@pytest.fixture
def backend(settings):
    desk = Desk.open(settings)
    install_demo(desk)
    b = KioskBackend(desk, None, settings)
    yield b
    desk.close()


def parcel(b: KioskBackend, compartment: str = "counter"):
    from harness import stored_parcel

    return stored_parcel(b.desk, compartment, f"SF{compartment}")


def as_guard(b: KioskBackend) -> None:
    b.app = SimpleNamespace(staff=b.desk.staff.login("guard", "111111"))


def reopened(settings) -> KioskBackend:
    return KioskBackend(Desk.open(settings), None, settings)


def test_P3_counter_pickup_request_survives_a_restart_and_hand_over_settles_it(backend, settings):
    p = parcel(backend)
    [outcome] = backend.collect([p])
    assert outcome.result == "counter"
    backend.collect([p])  # keyed in twice: still one request
    [req] = backend.open_requests()
    assert req.request_kind == "counter_pickup" and req.parcel == p.number
    again = reopened(settings)
    try:
        assert [r.number for r in again.open_requests()] == [req.number]
    finally:
        again.desk.close()
    as_guard(backend)
    done = backend.hand_over(req)
    assert done.status == "collected" and done.countersigned_by == "guard"
    assert backend.open_requests() == []
    assert backend.desk.get(req.number).status == "handled"


def test_P3_proxy_pickup_records_the_proxy_on_the_parcel(backend, settings):
    p = parcel(backend)
    [req] = backend.request_proxy([p], "李四", ID)
    assert req.request_kind == "proxy_pickup" and req.proxy_id == ID
    again = reopened(settings)
    try:
        [listed] = again.open_requests()
        assert listed.proxy_name == "李四"
    finally:
        again.desk.close()
    as_guard(backend)
    done = backend.hand_over(req)
    assert done.proxy_name == "李四" and done.proxy_id == ID and done.status == "collected"
    assert backend.desk.get(req.number).settled_by == "guard"


def test_P3_proxy_needs_a_valid_id_number(backend):
    p = parcel(backend)
    with pytest.raises(ValidationError):
        backend.request_proxy([p], "李四", "110105194912310021")
    assert backend.open_requests() == []


def test_P3_guard_turns_a_proxy_down(backend):
    p = parcel(backend)
    [req] = backend.request_proxy([p], "李四", ID)
    as_guard(backend)
    assert backend.settle(req.number, False, "证件不符").status == "turned_down"
    assert backend.desk.get(p.number).status != "collected"


def test_call_staff_is_a_record_listed_after_a_restart(backend, settings):
    call = backend.call_staff()
    again = reopened(settings)
    try:
        assert [r.request_kind for r in again.open_requests()] == ["call_staff"]
    finally:
        again.desk.close()
    as_guard(backend)
    backend.settle(call.number)
    assert backend.open_requests() == []


def test_K4_P5_reminders_for_the_guard_screen(backend) -> None:
    from desk.clock import local
    from desk.records import Actor, Role
    from desk.reports.stocktake import key_stocktake

    # the desk's time is its core's clock (desk.now() reads core.clock, aware in the site's
    # zone): setting Desk.clock alone left this test on the wall clock
    backend.desk.core.clock = lambda: local(2026, 11, 28, 19, 30)
    levels = dict(backend.check_reminders())
    assert set(levels) == {"alert", "reminder"}
    assert "K4" in levels["alert"] and "P5" in levels["reminder"]
    key_stocktake(backend.desk.store, Actor(Role.GUARD, "guard", "k"), backend.desk.now(), {})
    assert [lv for lv, _ in backend.check_reminders()] == ["reminder"]  # the parcels remain
