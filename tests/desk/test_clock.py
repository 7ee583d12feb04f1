"""The core's clock is timezone-aware in the site's zone; deadlines are computed in it (L1, R2)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from desk.clock import local
from desk.config import SiteSettings, load_settings
from desk.record_types import WorkOrder
from desk.records import Actor, Role, record_from_doc
from desk.service import Desk
from desk.services.requests import RepairRequest

OWNER = Actor(Role.OWNER, "张三", "kiosk-1", "claimed", "3-2-501")


def test_the_default_clock_is_aware_in_shanghai(tmp_path):
    desk = Desk.open(load_settings(data_dir=tmp_path / "data"))
    try:
        now = desk.now()
        assert now.tzinfo is not None and now.utcoffset() == timedelta(hours=8)
    finally:
        desk.close()


def test_L1_R2_deadlines_follow_the_site_zone_not_the_machine_clock(tmp_path):
    """13:00 UTC is 21:00 in Shanghai: after hours, so an ordinary repair is dispatched from
    the next staffed opening (07:30 + 2 h), on Shanghai time."""
    desk = Desk.open(load_settings(data_dir=tmp_path / "data"),
                     clock=lambda: datetime(2026, 11, 23, 13, 0, tzinfo=UTC))  # fmt: skip
    try:
        desk.directory.import_owners([{"unit": "3-2-501", "name": "张三", "phone": "13812345678"}])
        assert not desk.is_staffed()
        order = desk.repairs.report(
            RepairRequest("3-2-501", "张三", "13812345678", "water", "水龙头滴水"), OWNER
        )
        assert order.dispatch_by == local(2026, 11, 24, 9, 30)
        assert desk.get(order.number).dispatch_by == local(2026, 11, 24, 9, 30)
    finally:
        desk.close()


def test_naive_times_of_an_older_store_are_read_as_site_local():
    doc = {"number": "22611230001", "created_at": "2026-11-23T09:00:00", "status": "received",
           "location": "public:大堂", "description": "灯不亮", "contact_name": "陈",
           "contact_phone": "13812345678", "dispatch_by": "2026-11-23T11:00:00"}  # fmt: skip
    order = record_from_doc("work_order", doc)
    assert isinstance(order, WorkOrder)
    assert order.created_at == local(2026, 11, 23, 9, 0)
    assert order.dispatch_by.utcoffset() == timedelta(hours=8)


def test_an_unknown_timezone_is_refused_naming_the_key(tmp_path):
    settings = dataclasses.replace(
        load_settings(data_dir=tmp_path / "data"), site=SiteSettings(timezone="Mars/Olympus")
    )
    with pytest.raises(ValueError, match="site.timezone"):
        Desk.open(settings)
