"""The key cabinet: keys, loans and returns (K1-K3)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from desk import deadlines, workflow
from desk.errors import ValidationError
from desk.masking import mask_name
from desk.record_types import Key, KeyLoan
from desk.records import SYSTEM, Actor, Kind, StatusChange, format_number, make_number
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
            fields = fields_of(req)
            fields["due_back"] = req.due_back or now + deadlines.KEY_LOAN_DEFAULT  # K2: a due time
            loan = KeyLoan(number=number, created_at=now, status="lent",
                           history=(StatusChange(now, "lent", actor, "借出"),),
                           lent_by=actor.name, **fields)  # fmt: skip
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

    def out(self) -> list[KeyLoan]:
        """K2: every key still lent, the earliest due first."""
        loans = self.core.open_records(Kind.KEY_LOAN, KeyLoan)
        return sorted(loans, key=lambda loan: (loan.due_back or loan.created_at, loan.number))

    def overdue(self, now: datetime | None = None) -> list[KeyLoan]:
        """K2: keys not back by their due time."""
        now = now or self.core.now()
        return [loan for loan in self.out() if loan.due_back is not None and loan.due_back < now]

    def alert_overdue(self, actor: Actor = SYSTEM) -> list[KeyLoan]:
        """K2: each overdue key alerted once on the duty log (the desk and guard screens show
        the overdue list); returns the loans alerted now."""
        alerted = []
        for loan in self.overdue():
            if loan.overdue_alerted_at is not None:
                continue
            who = mask_name(loan.borrower_name) + ("（员工）" if loan.borrower_is_staff else "")
            self.desk.dutylog.write(f"钥匙逾期未还：{loan.key_id} 借用人 {who}，应还 {loan.due_back:%m-%d %H:%M}"
                                    f"（借用单 {format_number(loan.number)}）", actor)  # fmt: skip
            updated = self.core.amend(
                loan.number, actor, "逾期未还，已提醒", overdue_alerted_at=self.core.now()
            )
            assert isinstance(updated, KeyLoan)
            alerted.append(updated)
        return alerted
