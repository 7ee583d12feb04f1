"""Parcels (P1-P5): storing, pickup codes and their lockout, hand-over by a guard."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from desk.errors import ValidationError
from desk.identity import may_read_private
from desk.masking import mask_phone
from desk.pickup_codes import Lockout
from desk.record_types import PARCEL_CONDITIONS, GuardRequest, Parcel, StateRecord
from desk.records import SYSTEM, Actor, Kind, Role, StatusChange
from desk.services.base import Core, NotFound
from desk.services.requests import GuardAsk, ParcelIn, fields_of
from desk.workflow import TransitionRefused

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

GLOBAL = "*"
"""The lockout key counting wrong codes from every source together."""
WAITING = ("stored", "notified")


class Parcels:
    """P1-P5: every item is in a known compartment or handed over to a recorded person."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    @property
    def counter(self) -> str:
        return self.core.policy.counter

    def couriers(self) -> tuple[str, ...]:
        """P1: the courier names, one spelling for every screen, prompt and receipt."""
        return self.core.policy.couriers

    def check_intake(self, req: ParcelIn) -> None:
        """P1: the condition is one of 完好/破损/受潮 and a damaged or wet parcel is described;
        a front end calls this before opening a compartment, ``receive`` again."""
        if req.condition not in PARCEL_CONDITIONS:
            raise ValidationError("condition", req.condition, "包裹状况应为 完好、破损 或 受潮")
        if req.condition != "完好" and not req.condition_note.strip():
            raise ValidationError("condition_note", "", f"包裹{req.condition}：请写明情况（如：外箱一角压扁）")  # fmt: skip

    def receive(self, req: ParcelIn, actor: Actor) -> Parcel:
        """P1: a parcel signed for and put in a compartment; it gets a pickup code."""
        self.check_intake(req)
        core = self.core
        fields = fields_of(req)
        fields["compartment"] = req.compartment or self.counter

        def build(number: str, now: datetime) -> Parcel:
            return Parcel(number=number, created_at=now, status="stored",
                          history=(StatusChange(now, "stored", actor, "签收入库"),),
                          pickup_code=core.new_code("parcel", "pickup_code"), received_by=actor.name,
                          **fields)  # fmt: skip

        return core.create(Kind.PARCEL, actor, build)

    # ---- codes and the lockout (P3) ----------------------------------------------------------
    def _lockouts(self, txn_get: Callable[[str, str], Any]) -> tuple[Lockout, Lockout]:
        rules = self.core.settings.rules
        window = timedelta(minutes=rules.pickup_window_minutes)
        lock_for = timedelta(minutes=rules.pickup_lockout_minutes)
        per = Lockout.from_dict(
            (txn_get("state", "lockout") or {}).get("data") or {},
            max_failures=rules.pickup_max_failures,
            window=window,
            lock_for=lock_for,
        )
        glob = Lockout.from_dict((txn_get("state", "lockout_global") or {}).get("data") or {},
                                 max_failures=rules.pickup_global_max_failures, window=window,
                                 lock_for=timedelta(minutes=rules.pickup_global_lockout_minutes))  # fmt: skip
        return per, glob

    def _fail(self, source: str, now: datetime) -> tuple[Lockout, Lockout]:
        """Count one wrong code for the source and globally, read-changed-written in one
        transaction (kiosk and hotline share the counts)."""
        core = self.core
        with core.store.transaction() as txn:
            per, glob = self._lockouts(txn.get)
            per.record_failure(source, now)
            glob.record_failure(GLOBAL, now)
            for name, lock in (("lockout", per), ("lockout_global", glob)):
                core.write(txn, StateRecord(number=name, created_at=now, status="active",
                                            data=lock.to_dict()), SYSTEM)  # fmt: skip
        return per, glob

    def for_code(self, code: str, source: str) -> list[Parcel]:
        """P3: the parcels waiting under a pickup code. Wrong codes count per source and
        globally over a sliding window; a right code (for any parcel) never resets them."""
        core = self.core
        core.store.refresh()
        now = core.now()
        per, glob = self._lockouts(core.store.get)
        per.check(source, now)
        glob.check(GLOBAL, now)
        doc = core.store.by_code("parcel", "pickup_code", code.strip())
        if doc is None or doc["status"] not in WAITING:
            per, glob = self._fail(source, now)
            log.info("wrong pickup code from %s", mask_phone(source))
            per.check(source, now)
            glob.check(GLOBAL, now)
            raise NotFound("取件码不正确，请核对后重新输入")
        return [Parcel.from_doc(doc)]

    def for_unit(self, unit: str, actor: Actor) -> list[Parcel]:
        """X1: a unit's waiting parcels with their codes, for its proven resident or staff."""
        if not may_read_private(actor, unit):
            raise TransitionRefused("parcel", "-", "-", "read", "须核实业主身份 (X1)")
        return [
            Parcel.from_doc(d)
            for d in self.core.store.open_docs("parcel")
            if d["unit"] == unit and d["status"] in WAITING
        ]

    def waiting(self) -> list[Parcel]:
        return self.core.open_records(Kind.PARCEL, Parcel)

    def to_countersign(self) -> list[Parcel]:
        """P3: picked up at a locker, waiting for a guard's confirmation."""
        return [p for p in self.waiting() if p.status == "picked_up"]

    def free_compartments(self, names: Iterable[str]) -> list[str]:
        used = {d["compartment"] for d in self.core.store.open_docs("parcel")}
        return [n for n in names if n not in used]

    # ---- pickup and hand-over (P3) -------------------------------------------------------------
    def pick_up(
        self, number: str, actor: Actor, proxy_name: str = "", proxy_id: str = ""
    ) -> Parcel:
        """P3: picked up by the recipient, or by a proxy with a guard's approval."""
        if proxy_name and actor.role not in (Role.GUARD, Role.STAFF, Role.SUPERVISOR):
            raise TransitionRefused("parcel", number, "-", "pick_up", "代领须经安全员批准 (P3)")
        changes: dict[str, Any] = {
            "collected_at": self.core.now(),
            "collected_by": proxy_name or "本人",
        }
        if proxy_name:
            changes.update(proxy_name=proxy_name, proxy_id=proxy_id, countersigned_by=actor.name)
            return self.core.transition(
                Parcel, number, "hand_over", actor, f"代领人 {proxy_name}", **changes
            )
        return self.core.transition(Parcel, number, "pick_up", actor, **changes)

    def countersign(self, number: str, actor: Actor) -> Parcel:
        return self.core.transition(
            Parcel, number, "countersign", actor, countersigned_by=actor.name
        )

    def mark_notified(self, number: str, actor: Actor, note: str, notified_at: datetime) -> Parcel:
        """P2: the recipient was told (``notified_at`` is when the modem accepted the SMS)."""
        return self.core.transition(Parcel, number, "notify", actor, note, notified_at=notified_at)

    def return_to_sender(self, number: str, actor: Actor, reason: str) -> Parcel:
        """P4: an uncollected parcel (or undeliverable registered mail) goes back to the sender."""
        return self.core.transition(Parcel, number, "return", actor, reason, return_reason=reason)

    def request_counter_pickup(self, parcel: Parcel, actor: Actor, note: str = "") -> GuardRequest:
        """P3: one open counter-pickup request per parcel, however often the code is keyed in."""
        existing = self.requests_for(parcel.number)
        if existing:
            return existing[0]
        return self.desk.guard.ask(GuardAsk("counter_pickup", unit=parcel.unit, parcel=parcel.number,
                                            compartment=parcel.compartment, note=note), actor)  # fmt: skip

    def request_proxy(self, parcels: list[Parcel], proxy_name: str, proxy_id: str,
                      actor: Actor) -> list[GuardRequest]:  # fmt: skip
        """P3: a proxy's pickup waits for a guard who checks the proxy's name and ID."""
        from desk import validate

        proxy_id = validate.id_number("resident_id", proxy_id)
        return [
            self.desk.guard.ask(
                GuardAsk(
                    "proxy_pickup",
                    unit=p.unit,
                    parcel=p.number,
                    compartment=p.compartment,
                    proxy_name=proxy_name,
                    proxy_id=proxy_id,
                ),
                actor,
            )  # fmt: skip
            for p in parcels
        ]

    def requests_for(self, parcel: str) -> list[GuardRequest]:
        return [r for r in self.desk.guard.pending() if r.parcel == parcel]

    def hand_over(self, request: GuardRequest, actor: Actor) -> Parcel:
        """P3: the guard hands a parcel over (a proxy with a checked ID: one step; otherwise
        picked up and countersigned), settles the request and every other one for it."""
        if request.request_kind == "proxy_pickup":
            parcel = self.pick_up(request.parcel, actor, request.proxy_name, request.proxy_id)
        else:
            self.pick_up(request.parcel, actor)
            parcel = self.countersign(request.parcel, actor)
        self.desk.guard.settle(request.number, actor, True, "已交付")
        for other in self.requests_for(request.parcel):  # e.g. a counter request before
            self.desk.guard.settle(other.number, actor, True, f"已随 {request.number} 交付")
        return parcel

    def must_hand_over(self, parcel: Parcel) -> bool:
        """P3: kept at the counter: a guard hands it over (no locker door to open)."""
        return parcel.compartment == self.counter
