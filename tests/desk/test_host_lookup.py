"""X1/V1: the public kiosk finds a host only by full name or full unit, and gives one unit at most."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from desk.host_lookup import public_host_lookup


@dataclass
class Owner:
    name: str
    unit: str
    initials: str


class Register:
    def __init__(self, *owners: tuple[str, str, str]) -> None:
        self.owners = [Owner(*o) for o in owners]

    def residents_of(self, unit):
        return [o for o in self.owners if o.unit == unit]

    def search(self, initials):
        return [o for o in self.owners if o.initials.startswith(initials)]


REGISTER = Register(
    ("张华", "1-2-102", "zh"),
    ("张华", "1-2-102", "zh"),  # the same person as owner and as tenant: still one unit
    ("张伟", "3-1-501", "zw"),
    ("张伟", "5-2-1101", "zw"),
    ("李娜", "2-1-301", "ln"),
    ("Anna Smith", "6-1-202", "anna smith"),  # as Desk.import_owners stores it,
)


@pytest.mark.parametrize(
    ("query", "unit"),
    [
        ("张华", "1-2-102"),
        (" 李娜 ", "2-1-301"),
        ("anna smith", "6-1-202"),
        ("2-1-301", "2-1-301"),
        ("2栋1单元301室", "2-1-301"),
        ("２-１-３０１", "2-1-301"),  # full-width digits from a phone keyboard
    ],
)
def test_full_name_or_full_unit_gives_that_one_unit(query, unit):
    match = public_host_lookup(REGISTER, query)
    assert match.unit == unit and match.message == ""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("z", "完整姓名"),  # one letter: no list of households any more
        ("zh", "完整姓名"),
        ("张", "完整姓名"),  # a surname alone
        ("张三", "没有找到"),
        ("张伟", "多户同名"),  # two households: the public screen names neither
        ("2-1", "完整"),
        ("2-1-999", "没有这个房号"),
        ("", "完整姓名或完整房号"),
    ],
)
def test_anything_less_gives_no_unit_and_a_reason(query, message):
    match = public_host_lookup(REGISTER, query)
    assert match.unit is None and message in match.message
    assert "张" not in match.message  # never a resident's name back


def test_on_the_desk_register(desk):
    """The real Desk: initials as import_owners stored them (the conftest register)."""
    owner = desk.directory.search("")[0]
    same = {o.unit for o in desk.directory.search("") if o.name == owner.name}
    assert public_host_lookup(desk.directory, owner.name).unit == (
        owner.unit if len(same) == 1 else None
    )
    assert public_host_lookup(desk.directory, owner.unit).unit == owner.unit
    assert public_host_lookup(desk.directory, owner.name[0]).unit is None
