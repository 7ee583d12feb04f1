"""The demo compound: 3 buildings x 2 units x 6 floors x 2 rooms, staff, keys and some open work."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import (
    ComplaintRequest,
    NewKey,
    NewStaff,
    ParcelIn,
    RenovationRequest,
    RepairRequest,
)

log = logging.getLogger(__name__)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "华",
    "建国",
]
DEMO_STAFF = (
    ("guard", "guard", "111111"),
    ("staff", "staff", "222222"),
    ("supervisor", "supervisor", "999999"),
    ("8001", "staff", "800100"),  # a technician: numeric, for the hotline's staff menu (key 6)
)
"""Demo logins (name, role, PIN); change them before going live."""


def demo_rows(seed: int = 7) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows = []
    for building in range(1, 4):
        for entrance in range(1, 3):
            for floor in range(1, 7):
                for room in range(1, 3):
                    unit = f"{building}-{entrance}-{floor}{room:02d}"
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
                    phone = f"13{rng.randint(5, 9)}{rng.randint(0, 99999999):08d}"
                    rows.append({"unit": unit, "name": name, "phone": phone, "role": "owner"})
    return rows


def install_demo(desk: Desk) -> dict[str, int]:
    """Fill an empty store with the demo compound; does nothing if owners exist."""
    if desk.store.all_docs("owner"):
        return {"owners": 0}
    owners = desk.directory.import_owners(demo_rows())
    for name, role, pin in DEMO_STAFF:
        desk.staff.add(NewStaff(name, role, pin))
    for b in range(1, 4):
        # The key cabinet is lock board 3 ("钥匙 3-01".."钥匙 3-16" in the devices config).
        desk.keys.add(NewKey(f"K{b}-PLANT", f"{b}栋水泵房钥匙", f"钥匙 3-{2 * b - 1:02d}", "plant"))
        desk.keys.add(
            NewKey(
                f"K{b}-VACANT",
                f"{b}栋1单元601空置房钥匙",
                f"钥匙 3-{2 * b:02d}",
                "vacant",
                f"{b}-1-601",
            )
        )
    desk.keys.add(
        NewKey("K1-ENTRUST", "1栋2单元302业主托管钥匙", "钥匙 3-07", "entrusted", "1-2-302")
    )
    guard = Actor(Role.GUARD, "guard", "demo")
    staff = Actor(Role.STAFF, "staff", "demo")
    first, fifth = owners[0], owners[5]
    desk.parcels.receive(
        ParcelIn(
            first.name, first.unit, first.phone, "顺丰速运", "SF1400000001", compartment="A-01"
        ),
        guard,
    )
    desk.parcels.receive(
        ParcelIn(fifth.name, fifth.unit, fifth.phone, "中国邮政", "XA100000001CN",
                 registered_mail=True, compartment=desk.parcels.counter),
        guard,
    )  # fmt: skip
    resident = owners[3]
    tomorrow = [s for s in desk.repairs.slots() if s.start.date() > desk.now().date()][0]
    order = desk.repairs.report(
        RepairRequest(resident.unit, resident.name, resident.phone, "water", "卫生间水龙头滴水",
                      appointment_start=tomorrow.start),
        Actor(Role.OWNER, resident.name, "demo", "claimed", resident.unit),
    )  # fmt: skip
    desk.repairs.dispatch(order.number, staff, assignee="工程部 老陈")
    other = owners[8]
    desk.complaints.file(
        ComplaintRequest("楼道垃圾两天没有清理", other.name, other.unit, other.phone, "hotline",
                         "cleaning", "minor"),
        Actor(Role.OWNER, other.name, "demo", "claimed", other.unit),
    )  # fmt: skip
    # V4: a renovation in progress, so a worker's pass can be tried (permit SG-DEMO-01)
    today = desk.now().date()
    desk.renovations.add(
        RenovationRequest("2-1-101", "好家装饰工程公司", "SG-DEMO-01", today,
                          today + timedelta(days=30), workers=("孙师傅", "李师傅")),
        staff,
    )  # fmt: skip
    desk.dutylog.write("演示数据已载入，开始值班。", staff)
    log.info("demo compound installed: %d owners", len(owners))
    return {"owners": len(owners)}
