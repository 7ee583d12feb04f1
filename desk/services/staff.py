"""Staff and guard accounts: id + PIN login with growing delays after failures (X1)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from desk.auth import hash_pin, verify_pin
from desk.clock import parse
from desk.errors import LockedOut, ValidationError
from desk.record_types import StaffAccount, StateRecord
from desk.records import SYSTEM, Actor, Role
from desk.services.base import AuthError, Core
from desk.services.requests import NewStaff

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)

MIN_PIN_DIGITS = 6
"""PINs of new accounts have at least this many digits."""
MAX_PIN_DIGITS = 12
FORGET_AFTER = timedelta(hours=1)
"""Failures older than this (with none since) are forgotten; a success never clears a
terminal's count, only the account's."""


class Staff:
    """Accounts, login and the login lockout (per terminal and per account)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def add(self, req: NewStaff, actor: Actor = SYSTEM) -> StaffAccount:
        if not (req.pin.isdigit() and MIN_PIN_DIGITS <= len(req.pin) <= MAX_PIN_DIGITS):
            raise ValidationError(
                "pin", req.pin, f"PIN 应为{MIN_PIN_DIGITS}-{MAX_PIN_DIGITS}位数字"
            )
        account = StaffAccount(number=f"S{req.name}", created_at=self.core.now(), status="active",
                               name=req.name, role=req.role, pin_hash=hash_pin(req.pin))  # fmt: skip
        self.core.put_directory(account, actor)
        return account

    def accounts(self) -> list[StaffAccount]:
        return [StaffAccount.from_doc(d) for d in self.core.store.all_docs("staff")]

    def names(self, role: str | None = None) -> list[str]:
        return [
            a.name
            for a in self.accounts()
            if a.status == "active" and (role is None or a.role == role)
        ]

    # ---- login ----------------------------------------------------------------------------
    def _delay(self, failures: int) -> timedelta:
        """No delay for the first few failures, then 30 s, 60 s, 120 s... (capped at a day)."""
        rules = self.core.settings.rules
        over = failures - rules.staff_max_failures
        if over < 0:
            return timedelta(0)
        return timedelta(seconds=min(rules.staff_lockout_seconds * 2**over, 86400))

    def login(self, name: str, pin: str, source: str = "") -> Actor:
        """A staff or guard actor for the right id (login name) and PIN; AuthError otherwise.
        After a few failures from one terminal or on one account, each further try waits
        longer (LockedOut names until when); every failure is logged for the supervisor."""
        now = self.core.now()
        keys = (f"terminal:{source}", f"account:{name}")
        with self.core.store.transaction() as txn:
            state = dict((txn.get("state", "staff_lockout") or {}).get("data") or {})
            for key in keys:
                until = state.get(key, {}).get("until")
                if until and now < parse(until):
                    raise LockedOut(key, parse(until))
            doc = txn.get("staff", f"S{name}")
            ok = (
                doc is not None
                and doc.get("status") == "active"
                and verify_pin(pin, doc["pin_hash"])
            )
            for key in keys:
                entry: dict[str, Any] = state.get(key, {"failures": 0})
                if ok and key.startswith("account:"):
                    entry = {"failures": 0}
                elif not ok:
                    last = entry.get("last")
                    stale = last and now - parse(last) > FORGET_AFTER
                    failures = (0 if stale else int(entry.get("failures", 0))) + 1
                    delay = self._delay(failures)
                    entry = {"failures": failures, "last": now.isoformat()}
                    if delay:
                        entry["until"] = (now + delay).isoformat()
                state[key] = entry
            record = StateRecord(
                number="staff_lockout", created_at=now, status="active", data=state
            )
            self.core.write(txn, record, SYSTEM)
        if not ok:
            log.warning("failed staff login for %r from %s", name, source)
            raise AuthError("工号或密码错误")
        assert doc is not None
        return Actor(Role(doc["role"]), name, source)

    def failed_logins(self) -> list[tuple[str, int, str]]:
        """For the supervisor: (terminal or account, failures in a row, locked until or "")."""
        doc = self.core.store.get("state", "staff_lockout") or {}
        return sorted(
            (key, int(v.get("failures", 0)), v.get("until", ""))
            for key, v in ((doc.get("data") or {}).items())
            if v.get("failures")
        )
