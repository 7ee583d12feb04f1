"""What every domain service shares: the store, the clock, numbering and the state machines."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from desk import workflow
from desk.config import Settings
from desk.errors import DeskError
from desk.pickup_codes import new_pickup_code
from desk.policy import Policy
from desk.records import (
    Actor,
    Kind,
    Record,
    StatusChange,
    make_number,
    parse_number,
    record_from_doc,
)
from desk.store import Store, Transaction

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Record)

_PROTECTED = frozenset({"status", "history", "number", "created_at"})


class NotFound(DeskError):
    """No record with that number (or code)."""


class AuthError(DeskError):
    """Wrong name or PIN, or a role that may not do this."""


ChangeListener = Callable[[Transaction, "Record | None", Record], None]
"""What a change listener is given: the open transaction, the record before and after."""


class Core:
    """The shared context of the services; not used by front ends directly."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.policy = Policy(settings)
        self.change_listeners: list[ChangeListener] = []
        """Called inside each write transaction with (txn, before, after); ``before`` is None
        for a new record. What they write (notices) commits with the change or not at all."""

    def now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    def get(self, number: str) -> Record | None:
        """Any dated record by its number (what a caller keys in)."""
        number = number.strip().replace("-", "")
        try:
            kind, _, _ = parse_number(number)
        except ValueError:
            return None
        self.store.refresh()  # the other process (kiosk or hotline) may have just written it
        doc = self.store.get(str(kind), number)
        return record_from_doc(kind, doc) if doc else None

    def require(self, number: str, cls: type[R]) -> R:
        record = self.get(number)
        if not isinstance(record, cls):
            raise NotFound(f"没有找到编号为 {number} 的记录")
        return record

    def write(self, txn: Transaction, record: Record, actor: Actor, op: str = "put") -> None:
        txn.put(str(record.kind), record.number, record.to_doc(), actor.to_doc(), op)

    def put_directory(self, record: Record, actor: Actor) -> None:
        with self.store.transaction() as txn:
            self.write(txn, record, actor)

    def create(self, kind: Kind, actor: Actor, build: Callable[[str, datetime], R]) -> R:
        """Number, build (validating) and store a new dated record in one transaction."""
        with self.store.transaction() as txn:
            now = self.now()
            number = make_number(kind, now.date(), txn.next_seq(str(kind), now.date()))
            record = build(number, now)
            workflow.check_create(kind, record.status, actor)
            self.write(txn, record, actor)
            self._changed(txn, None, record)
        log.info("%s %s created by %s (%s)", kind, number, actor.role, actor.source)
        return record

    def fresh(self, txn: Transaction, number: str) -> Record:
        kind, _, _ = parse_number(number)
        doc = txn.get(str(kind), number)
        if doc is None:
            raise NotFound(f"没有找到编号为 {number} 的记录")
        return record_from_doc(kind, doc)

    def transition(
        self, cls: type[R], number: str, action: str, actor: Actor, note: str = "", **changes: Any
    ) -> R:
        """Apply a state-machine action to a record of ``cls``; refused ones change nothing."""
        if _PROTECTED & changes.keys():
            raise ValueError(
                f"fields {sorted(_PROTECTED & changes.keys())} change only by the state machine"
            )
        with self.store.transaction() as txn:
            record = self.fresh(txn, number)
            if not isinstance(record, cls):
                raise NotFound(f"没有找到编号为 {number} 的{cls.__name__}")
            updated = workflow.apply(record, action, actor, self.now(), note, **changes)
            assert isinstance(updated, cls)
            self.write(txn, updated, actor)
            self._changed(txn, record, updated)
        log.info(
            "%s %s: %s -> %s by %s", record.kind, number, record.status, updated.status, actor.role
        )
        return updated

    def amend(self, number: str, actor: Actor, note: str = "", **changes: Any) -> Record:
        """Change fields without a status change (the history keeps a note)."""
        if _PROTECTED & changes.keys():
            raise ValueError(
                f"fields {sorted(_PROTECTED & changes.keys())} change only by the state machine"
            )
        with self.store.transaction() as txn:
            record = self.fresh(txn, number)
            history = record.history
            if note:
                history = (*history, StatusChange(self.now(), record.status, actor, note))
            updated = record.replace(history=history, **changes)
            self.write(txn, updated, actor)
            self._changed(txn, record, updated)
        return updated

    def _changed(self, txn: Transaction, before: Record | None, after: Record) -> None:
        for listener in self.change_listeners:
            listener(txn, before, after)

    def open_records(self, kind: Kind, cls: type[R]) -> list[R]:
        return [cls.from_doc(d) for d in self.store.open_docs(str(kind))]

    _id_key: bytes | None = None

    def id_hash(self, id_type: str, id_number: str) -> str:
        """X1: the keyed hash that recognises an ID (known visitors, blocklist); "" without one."""
        from desk.visitor_id import id_hash, load_key

        if self._id_key is None:
            self._id_key = load_key(self.store.dir)
        return id_hash(self._id_key, id_type, id_number)

    def new_code(self, kind: str, fld: str) -> str:
        return new_pickup_code(self.store.codes_in_use(kind, fld))
