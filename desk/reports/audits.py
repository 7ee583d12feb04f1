"""Writing and settling audit records (K4, P5, emergency openings): each change is in the audit log."""

from __future__ import annotations

import logging
from datetime import date, datetime

from desk.errors import ValidationError
from desk.record_types import Audit
from desk.records import Actor, Role, StatusChange
from desk.store import Store

log = logging.getLogger(__name__)

SETTLE_ROLES = frozenset({Role.GUARD, Role.STAFF, Role.SUPERVISOR})


def audit_number(audit_kind: str, at: datetime) -> str:
    """``key_stocktake-20261125-103000``: kind and second; one check a second is plenty."""
    return f"{audit_kind}-{at:%Y%m%d-%H%M%S}"


def save_audit(store: Store, audit: Audit, actor: Actor, new: bool = False) -> Audit:
    """Write an audit record; the change log keeps who, when and every version (L2).

    ``new``: a first version; its number gets a suffix (-2, -3...) if one made in the same
    second already holds it, so no check ever overwrites another.
    """
    with store.transaction() as txn:
        if new:
            number, n = audit.number, 1
            while txn.get("audit", number) is not None:
                n += 1
                number = f"{audit.number}-{n}"
            audit = audit.replace(number=number)
        txn.put("audit", audit.number, audit.to_doc(), actor.to_doc())
    log.info("audit %s %s by %s: %d findings", audit.number, audit.status, actor.name,
             len(audit.findings))  # fmt: skip
    return audit


def audits(store: Store, audit_kind: str, since: date | None = None) -> list[Audit]:
    """Audit records of one kind, oldest first."""
    found = [Audit.from_doc(d) for d in store.all_docs("audit") if d["audit_kind"] == audit_kind]
    if since is not None:
        found = [a for a in found if a.created_at.date() >= since]
    return sorted(found, key=lambda a: a.created_at)


def get_audit(store: Store, number: str) -> Audit | None:
    store.refresh()  # another process (the kiosk, a command) may have just written it
    doc = store.get("audit", number)
    return Audit.from_doc(doc) if doc else None


def settle(store: Store, number: str, actor: Actor, settlement: str, now: datetime) -> Audit:
    """P5/K4: a named person settles the differences found; their words are kept."""
    audit = get_audit(store, number)
    if audit is None:
        raise ValidationError("number", number, "没有这条盘点记录")
    if actor.role not in SETTLE_ROLES or not actor.name:
        raise ValidationError("by", actor.name, "须由登录的工作人员处理差异")
    if audit.status != "open":
        raise ValidationError("status", audit.status, "这次盘点没有待处理的差异")
    settled = audit.replace(
        status="settled", settled_by=actor.name, settled_at=now, settlement=settlement.strip(),
        history=(*audit.history, StatusChange(now, "settled", actor, settlement.strip())),
    )  # fmt: skip
    return save_audit(store, settled, actor)
