"""P5: every stored parcel in a known compartment whose sensor agrees, or ticked at the counter."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from desk.clock import in_site
from desk.config import Settings
from desk.masking import mask_name
from desk.record_types import Audit, Parcel
from desk.records import Actor, StatusChange, format_number
from desk.reports.audits import audit_number, audits, save_audit
from desk.reports.stocktake import Readings
from desk.store import Store
from desk.validate import unit_label_zh

log = logging.getLogger(__name__)

STORED = frozenset({"stored", "notified"})
COUNTER = frozenset({"", "counter", "前台"})
EVENING_BEFORE_CLOSE = timedelta(hours=1)


def evening_audit_reminder(store: Store, settings: Settings, now: datetime) -> str | None:
    """P5: from an hour before the desk closes, remind while today has no parcel audit."""
    close = in_site(datetime.combine(now.date(), settings.hours.staffed_until))
    if now < close - EVENING_BEFORE_CLOSE:
        return None
    day = now.date().isoformat()
    if any(a.period == day for a in audits(store, "parcel_audit", now.date())):
        return None
    return "今晚的快递盘点尚未进行：每件在库快递须核对柜格或前台 (P5)"


def parcel_audit(
    store: Store,
    actor: Actor,
    now: datetime,
    readings: Readings,
    ticked: Collection[str] = (),
    normalise: Callable[[str], str] = str,
) -> Audit:
    """Check every stored parcel and every occupied compartment; write the signed record.

    ``readings``: item sensor of each parcel compartment (devices); ``ticked``: numbers of the
    parcels the guard found by eye at the counter or in a compartment without a reading.
    """
    store.refresh()
    labels = {normalise(name): name for name in readings}
    readings = {normalise(name): value for name, value in readings.items()}
    parcels = sorted(
        (Parcel.from_doc(d) for d in store.open_docs("parcel") if d["status"] in STORED),
        key=lambda p: p.number,
    )
    findings: list[dict[str, str]] = []
    sensed = 0
    occupied_by_records = set()
    for p in parcels:
        item = f"{format_number(p.number)} {mask_name(p.recipient_name)} {unit_label_zh(p.unit)}"
        if p.compartment.strip() in COUNTER:
            if p.number not in ticked:
                findings.append(_f(item, "前台", "missing", "记录在前台，未清点到"))
            continue
        slot = normalise(p.compartment)
        occupied_by_records.add(slot)
        if slot not in readings:
            findings.append(_f(item, p.compartment, "unknown_place", "记录的柜格不存在"))
            continue
        reading = readings[slot]
        if reading is None:
            if p.number not in ticked:
                findings.append(
                    _f(item, p.compartment, "missing", "柜格无传感器读数，人工未清点到")
                )
            continue
        sensed += 1
        if not reading:
            findings.append(_f(item, p.compartment, "missing", "记录在柜，传感器显示柜格为空"))
    for slot, reading in sorted(readings.items()):
        if reading and slot not in occupied_by_records:
            findings.append(_f("—", labels[slot], "unexpected", "柜格有物，但没有在库快递记录"))
    status = "open" if findings else "clean"
    audit = Audit(
        number=audit_number("parcel_audit", now), created_at=now, status=status,
        history=(StatusChange(now, status, actor, "快递盘点"),), audit_kind="parcel_audit",
        period=now.date().isoformat(), by=actor.name, checked=len(parcels), sensed=sensed,
        ticked=tuple(sorted(set(ticked))), findings=tuple(findings),
    )  # fmt: skip
    log.info("parcel audit: %d parcels, %d sensed, %d differences", len(parcels), sensed,
             len(findings))  # fmt: skip
    return save_audit(store, audit, actor, new=True)


def _f(item: str, place: str, problem: str, detail: str) -> dict[str, str]:
    return {"item": item, "place": place, "problem": problem, "detail": detail}
