"""The key cabinet: keys, loans and returns (K1-K3)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desk import workflow
from desk.errors import ValidationError
from desk.record_types import Key, KeyLoan
from desk.records import SYSTEM, Actor, Kind, StatusChange, make_number
from desk.services.base import Core, NotFound
from desk.services.requests import KeyLoanRequest, NewKey, fields_of

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


class Keys:
    """K1-K3: every borrowing registered and tracked until returned."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def add(self, req: NewKey, actor: Actor = SYSTEM) -> Key:
        key = Key(number=req.key_id, created_at=self.core.now(), status="in", label=req.label,
                  key_kind=req.key_kind, slot=req.slot, unit=req.unit)  # fmt: skip
        self.core.put_directory(key, actor)
        return key

    def all(self) -> list[Key]:
        return [Key.from_doc(d) for d in self.core.store.all_docs("key")]

    def get(self, key_id: str) -> Key:
        doc = self.core.store.get("key", key_id)
        if doc is None:
            raise NotFound(f"没有钥匙 {key_id}")
        return Key.from_doc(doc)

    def lend(self, req: KeyLoanRequest, actor: Actor) -> KeyLoan:
        """K2, K3: register a loan; an entrusted key needs the owner's authorisation."""
        core = self.core
        with core.store.transaction() as txn:
            doc = txn.get("key", req.key_id)
            if doc is None:
                raise NotFound(f"没有钥匙 {req.key_id}")
            key = Key.from_doc(doc)
            if key.status != "in":
                raise workflow.TransitionRefused(
                    "key", req.key_id, key.status, "lend", "钥匙已借出"
                )
            if key.key_kind == "entrusted" and not req.owner_authorised_by:
                raise ValidationError("owner_authorised_by", "", "业主托管钥匙须经业主授权 (K3)")
            now = core.now()
            number = make_number(Kind.KEY_LOAN, now.date(), txn.next_seq("key_loan", now.date()))
            loan = KeyLoan(number=number, created_at=now, status="lent",
                           history=(StatusChange(now, "lent", actor, "借出"),),
                           lent_by=actor.name, **fields_of(req))  # fmt: skip
            workflow.check_create(Kind.KEY_LOAN, "lent", actor)
            core.write(txn, loan, actor)
            core.write(txn, key.replace(status="out", loan=number), actor)
        return loan

    def take_back(self, loan_number: str, actor: Actor) -> KeyLoan:
        """K2: the key is back in its slot; the loan is closed."""
        core = self.core
        with core.store.transaction() as txn:
            loan = core.fresh(txn, loan_number)
            if not isinstance(loan, KeyLoan):
                raise NotFound(f"没有借用记录 {loan_number}")
            now = core.now()
            updated = workflow.apply(
                loan, "return", actor, now, returned_at=now, returned_to=actor.name
            )
            key = Key.from_doc(txn.get("key", loan.key_id) or {})
            assert isinstance(updated, KeyLoan)
            core.write(txn, updated, actor)
            core.write(txn, key.replace(status="in", loan=""), actor)
        return updated
