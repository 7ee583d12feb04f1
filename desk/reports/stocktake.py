"""K4: the monthly key stock-take against the cabinet's slot sensors and a guard's ticks."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime

from desk.deadlines import key_stocktake_window
from desk.masking import mask_name
from desk.record_types import Audit, Key, KeyLoan
from desk.records import Actor, StatusChange
from desk.reports.audits import audit_number, audits, save_audit
from desk.store import Store

log = logging.getLogger(__name__)

Readings = Mapping[str, bool | None]
"""Slot name (as configured) -> item sensor: present, absent, or None (no sensor / no answer).
Names are compared through ``normalise`` ("钥匙 3-05" is "钥匙3-5")."""


def stocktake_reminder(store: Store, today: date) -> tuple[str, str] | None:
    """K4: ("reminder" | "alert", text) from the 25th while this month has no stock-take."""
    first, last, report = key_stocktake_window(today.year, today.month)
    if today < first:
        return None
    period = f"{today:%Y-%m}"
    if any(a.period == period for a in audits(store, "key_stocktake", today.replace(day=1))):
        return None
    if today <= last:
        return "reminder", f"本月钥匙盘点（{first:%m-%d}至{last:%m-%d}）尚未进行，请安排盘点 (K4)"
    return "alert", f"本月钥匙盘点未在 {last:%m-%d} 前完成，须于 {report:%m-%d} 报告 (K4)"


def key_stocktake(
    store: Store,
    actor: Actor,
    now: datetime,
    readings: Readings,
    ticked: Collection[str] = (),
    normalise: Callable[[str], str] = str,
) -> Audit:
    """Compare every key the records hold with its slot; write and return the signed record.

    ``readings`` come from the cabinet (devices: lock-board query of each key slot); a key
    whose slot has no reading is found by the guard's eye: ``ticked`` holds those key ids.
    Missing: recorded in the cabinet but not there. Unexpected: there but recorded as lent,
    or an occupied slot no key belongs to. Overdue: lent and past its due-back time.
    """
    store.refresh()
    labels = {normalise(name): name for name in readings}
    readings = {normalise(name): value for name, value in readings.items()}
    keys = sorted((Key.from_doc(d) for d in store.all_docs("key")), key=lambda k: k.number)
    loans = {d["key_id"]: KeyLoan.from_doc(d) for d in store.open_docs("key_loan")}
    findings: list[dict[str, str]] = []
    sensed = 0
    slots_with_keys = set()
    for key in keys:
        slot = normalise(key.slot)
        slots_with_keys.add(slot)
        reading = readings.get(slot)
        if reading is None:
            present = key.number in ticked
        else:
            sensed += 1
            present = reading
        place = f"{key.slot}（{'传感器' if reading is not None else '人工清点'}）"
        if key.status == "in" and not present:
            findings.append(_finding(key, place, "missing", "记录在柜，未见钥匙"))
        elif key.status != "in" and present:
            findings.append(
                _finding(key, place, "unexpected", "记录为借出，钥匙却在柜（归还未登记？）")
            )
        loan = loans.get(key.number)
        if key.status != "in" and loan and loan.due_back and now > loan.due_back:
            who = mask_name(loan.borrower_name)
            findings.append(_finding(key, place, "overdue_loan",
                                     f"借用人 {who}，应还 {loan.due_back:%m-%d %H:%M}，单号 {loan.number}"))  # fmt: skip
    for slot, reading in sorted(readings.items()):
        if reading and slot not in slots_with_keys:
            findings.append({"item": "—", "place": labels[slot], "problem": "unexpected",
                             "detail": "柜格有物，但没有钥匙登记在此柜格"})  # fmt: skip
    status = "open" if findings else "clean"
    audit = Audit(
        number=audit_number("key_stocktake", now), created_at=now, status=status,
        history=(StatusChange(now, status, actor, "钥匙盘点"),), audit_kind="key_stocktake",
        period=f"{now:%Y-%m}", by=actor.name, checked=len(keys), sensed=sensed,
        ticked=tuple(sorted(set(ticked))), findings=tuple(findings),
    )  # fmt: skip
    return save_audit(store, audit, actor, new=True)


def _finding(key: Key, place: str, problem: str, detail: str) -> dict[str, str]:
    return {"item": f"{key.number} {key.label}", "place": place, "problem": problem,
            "detail": detail}  # fmt: skip
