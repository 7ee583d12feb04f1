"""Shared fixtures: a Desk on a temporary data dir with a controllable clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desk.clock import in_site, local
from desk.config import load_settings
from desk.records import Actor, Role
from desk.service import Desk


class FakeClock:
    """The one clock of the tests, moved by hand; always aware in the site's zone (a naive
    time set by a test is taken as site-local, as the core does)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    @property
    def now(self) -> datetime:
        return self._now

    @now.setter
    def now(self, value: datetime) -> None:
        self._now = in_site(value)

    def __call__(self) -> datetime:
        return self._now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(local(2026, 11, 23, 9, 0, 0))


@pytest.fixture
def desk(tmp_path: Path, clock: FakeClock) -> Iterator[Desk]:
    settings = load_settings(data_dir=tmp_path / "data")
    d = Desk.open(settings, clock=clock)
    d.directory.import_owners(
        [
            {"unit": "3-2-501", "name": "张三", "phone": "13812345678"},
            {"unit": "3-2-502", "name": "李四", "phone": "13912345678"},
            {"unit": "1-1-101", "name": "王五", "phone": "13712345678"},
        ]
    )
    yield d
    d.close()


@pytest.fixture
def actors() -> dict[str, Actor]:
    return {
        "visitor": Actor(Role.VISITOR, "", "kiosk-1"),
        "owner": Actor(Role.OWNER, "张三", "kiosk-1", "verified", "3-2-501"),
        "guard": Actor(Role.GUARD, "guard", "kiosk-1"),
        "staff": Actor(Role.STAFF, "staff", "desk"),
        "supervisor": Actor(Role.SUPERVISOR, "boss", "desk"),
    }
