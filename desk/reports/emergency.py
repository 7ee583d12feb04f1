"""Emergency opening of compartments and key slots: a supervisor, a reason, each door read back."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from desk.errors import DeskError, ValidationError
from desk.record_types import Audit
from desk.records import Actor, Role, StatusChange
from desk.reports.audits import audit_number, save_audit
from desk.store import Store

log = logging.getLogger(__name__)


class NotAllowed(DeskError):
    """The person logged in may not do this."""


def begin_emergency_open(
    store: Store, actor: Actor, now: datetime, reason: str, doors: Sequence[str]
) -> Audit:
    """Record who opens which doors and why, before any door moves (a crash still leaves it)."""
    if actor.role != Role.SUPERVISOR:
        raise NotAllowed("应急开柜须由主管登录操作")
    if not reason.strip():
        raise ValidationError("reason", reason, "请说明开柜原因（如火警、漏水、盘点）")
    if not doors:
        raise ValidationError("doors", "", "没有要打开的柜门")
    audit = Audit(
        number=audit_number("emergency_open", now), created_at=now, status="opening",
        history=(StatusChange(now, "opening", actor, reason.strip()),), audit_kind="emergency_open",
        period=now.date().isoformat(), by=actor.name, reason=reason.strip(), checked=len(doors),
        findings=tuple({"item": d, "opened": None, "closed": None, "present": None, "detail": "待开"}
                       for d in doors),
    )  # fmt: skip
    log.warning("emergency opening of %d doors by %s: %s", len(doors), actor.name, reason)
    return save_audit(store, audit, actor, new=True)


def finish_emergency_open(
    store: Store, audit: Audit, actor: Actor, now: datetime, results: Sequence[dict[str, Any]]
) -> Audit:
    """Each door's outcome: opened (confirmed by the board) and its state read back after."""
    opened = sum(1 for r in results if r.get("opened"))
    note = f"已确认打开 {opened}/{len(results)} 个柜门"
    done = audit.replace(
        status="done", findings=tuple(dict(r) for r in results), sensed=opened,
        history=(*audit.history, StatusChange(now, "done", actor, note)),
    )  # fmt: skip
    return save_audit(store, done, actor)
