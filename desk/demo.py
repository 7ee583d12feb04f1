"""The demo compound: 3 buildings x 2 units x 6 floors x 2 rooms, staff, keys and some open work."""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from desk.records import Actor, Role
from desk.service import Desk
from desk.services.requests import ComplaintRequest, NewKey, NewStaff, ParcelIn, RepairRequest

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
    ("guard", "guard", "1111"),
    ("staff", "staff", "2222"),
    ("supervisor", "supervisor", "9999"),
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
    first = owners[0]
    desk.parcels.receive(ParcelIn(recipient_name=first.name, unit=first.unit, phone=first.phone, courier="顺丰速运", tracking_no="SF1400000001", compartment="A-01"), guard)  # fmt: skip
    desk.parcels.receive(ParcelIn(recipient_name=owners[5].name, unit=owners[5].unit, phone=owners[5].phone, courier="中国邮政", tracking_no="XA100000001CN", compartment="counter", registered_mail=True), guard)  # fmt: skip
    order = desk.repairs.report(RepairRequest(location=owners[3].unit, category="water", description="卫生间水龙头滴水", contact_name=owners[3].name, contact_phone=owners[3].phone, appointment_start=desk.now() + timedelta(days=1), appointment_end=desk.now() + timedelta(days=1, hours=2)), Actor(Role.OWNER, owners[3].name, "demo"))  # fmt: skip
    desk.repairs.dispatch(order.number, staff, assignee="工程部 老陈")
    desk.complaints.file(ComplaintRequest(channel="hotline", name=owners[8].name, unit=owners[8].unit, phone=owners[8].phone, category="cleaning", content="楼道垃圾两天没有清理", severity="minor"), Actor(Role.OWNER, owners[8].name, "demo"))  # fmt: skip
    desk.dutylog.write("演示数据已载入，开始值班。", staff)
    log.info("demo compound installed: %d owners", len(owners))
    return {"owners": len(owners)}
