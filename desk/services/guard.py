"""Requests to a guard (P3, V3, E1): what people at the kiosk or on the line wait for."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desk.record_types import GuardRequest
from desk.records import Actor, Kind
from desk.services.base import Core
from desk.services.requests import GuardAsk, fields_of

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


class Guard:
    """The guard's list: emergencies first, then oldest first; a guard settles each."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def ask(self, req: GuardAsk, actor: Actor) -> GuardRequest:
        """Ask a guard to act (hand over a counter parcel, check a proxy, come to the kiosk).
        Emergencies are raised only through desk.emergencies.report (E1)."""
        if req.request_kind == "emergency":
            raise ValueError("emergencies go through desk.emergencies.report (E1)")
        return self._open(req, actor)

    def _open(self, req: GuardAsk, actor: Actor) -> GuardRequest:
        def build(number: str, now: datetime) -> GuardRequest:
            fields: dict[str, Any] = fields_of(req)
            return GuardRequest(number=number, created_at=now, status="open", source=actor.source,
                                **fields)  # fmt: skip

        request = self.core.create(Kind.REQUEST, actor, build)
        log.info(
            "guard request %s (%s) from %s",
            request.number,
            req.request_kind,
            actor.source or actor.role,
        )
        return request

    def pending(self) -> list[GuardRequest]:
        """Requests still waiting for a guard: emergencies first, then oldest first."""
        pending = self.core.open_records(Kind.REQUEST, GuardRequest)
        return sorted(pending, key=lambda r: (r.request_kind != "emergency", r.number))

    def settle(self, number: str, actor: Actor, done: bool = True, note: str = "") -> GuardRequest:
        """A guard handled (or turned down) a request; who and when are recorded."""
        action = "handle" if done else "turn_down"
        return self.core.transition(GuardRequest, number, action, actor, note,
                                    settled_by=actor.name, settled_at=self.core.now())  # fmt: skip
