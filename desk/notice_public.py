"""Outage and public notices (停水/停电/电梯检修): every household of chosen buildings, who was reached."""

from __future__ import annotations

import logging
from typing import Any

from desk.notice_hooks import queue_of
from desk.notices import Request
from desk.record_types import Notice, Owner
from desk.records import Actor
from desk.validate import unit_label_zh

log = logging.getLogger(__name__)


def _in_scope(unit: str, scopes: list[str]) -> bool:
    """``3`` is building 3, ``3-2`` its entrance 2, ``3-2-501`` one unit."""
    return any(unit == s or unit.startswith(s + "-") for s in scopes)


def announce(desk: Any, actor: Actor, scopes: list[str], what: str, when: str, detail: str,
             calls: bool = False) -> tuple[str, int, int]:  # fmt: skip
    """Queue the notice for every registered household in ``scopes``; (id, households, SMS queued).

    ``calls``: also a notice call ("收到请按1") to one resident of each household, placed by
    the hotline's dialer. Written to the duty log (L2). Residents who opted out still get it:
    an outage is essential.
    """
    scopes = [s.strip() for s in scopes if s.strip()]
    owners = [Owner.from_doc(d) for d in desk.store.all_docs("owner")]
    owners = [o for o in owners if o.status == "active" and _in_scope(o.unit, scopes)]
    key = f"public-{desk.now():%y%m%d%H%M%S}"
    slots = {"what": what[:10], "time": when[:20], "detail": detail[:40]}
    requests = [
        Request(f"{key}:{o.unit}:{o.phone}", "public_notice", o.phone, key, slots) for o in owners
    ]
    if calls:
        first: dict[str, Owner] = {}
        for o in sorted(owners, key=lambda o: (o.owner_role != "owner", o.number)):
            first.setdefault(o.unit, o)
        requests += [Request(f"{key}:{unit}:call", "public_notice_call", o.phone, key, slots, channel="call")
                     for unit, o in first.items()]  # fmt: skip
    made = queue_of(desk).enqueue(requests)
    sms = [n for n in made if n.channel == "sms"]
    households = len({o.unit for o in owners})
    calls_note = f"，{len(made) - len(sms)} 个语音通知" if calls else ""
    desk.dutylog.write(f"发布{what}（{when}）：{'、'.join(scopes)}，{households} 户，"
                       f"{len(sms)} 条短信{calls_note}，编号 {key}", actor)  # fmt: skip
    log.info(
        "public notice %s: %d households, %d SMS, %d calls",
        key,
        households,
        len(sms),
        len(made) - len(sms),
    )
    return key, households, len(sms)


def reach(desk: Any, key: str) -> dict[str, list[str]]:
    """Households reached (an SMS sent or delivered, or a call answered with 1) and not (yet)
    reached, as units people read; "confirmed": households that pressed 1 on the call."""
    notices = [Notice.from_doc(d) for d in desk.store.find("notice", "record", key)]
    by_unit: dict[str, bool] = {}
    confirmed = set()
    for n in notices:
        unit = n.notice_id.split(":")[1]
        ok = n.status in ("sent", "delivered") if n.channel == "sms" else n.status == "delivered"
        by_unit[unit] = by_unit.get(unit, False) or ok
        if n.channel == "call" and n.status == "delivered":
            confirmed.add(unit)
    return {
        "reached": sorted(unit_label_zh(u) for u, ok in by_unit.items() if ok),
        "not_reached": sorted(unit_label_zh(u) for u, ok in by_unit.items() if not ok),
        "confirmed": sorted(unit_label_zh(u) for u in confirmed),
    }
