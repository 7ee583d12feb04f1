"""Staff and guard accounts: id + PIN login with growing delays after failures (X1)."""

from __future__ import annotations

import dataclasses
import logging
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from desk.auth import hash_pin, verify_pin
from desk.clock import parse
from desk.errors import LockedOut, ValidationError
from desk.record_types import STAFF_ROLES, StaffAccount, StateRecord
from desk.records import SYSTEM, Actor, Role
from desk.services.base import AuthError, Core, NotFound
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


def check_pin_digits(pin: str) -> None:
    if not (pin.isdigit() and MIN_PIN_DIGITS <= len(pin) <= MAX_PIN_DIGITS):
        raise ValidationError("pin", pin, f"密码应为{MIN_PIN_DIGITS}-{MAX_PIN_DIGITS}位数字")


class PinSetupRequired(AuthError):
    """The one-time setup code was right: the person now chooses a PIN (set_first_pin)."""


class DemoAccountRefused(AuthError):
    """A demo login (desk.demo.DEMO_STAFF with its demo PIN) outside the demo."""


ROLE_INPUT = {
    **{v: k for k, v in STAFF_ROLES.items()},
    **{k: k for k in STAFF_ROLES},
    "安全员": "guard",
}
"""What `reception staff add --role` accepts: 保安/客服/维修/主管 or guard/staff/technician/supervisor."""
SETUP_DIGITS = 8
"""One-time setup codes (8 digits, stored hashed) are handed over once; an account has either
a setup code or a PIN, never both."""


def role_from_input(text: str) -> str:
    role = ROLE_INPUT.get(text.strip())
    if role is None:
        raise ValidationError("role", text, "角色应为 保安、客服、维修 或 主管")
    return role


def check_new_pin(pin: str) -> None:
    """A PIN a person may choose: 6-12 digits, not one digit repeated nor a run (123456)."""
    check_pin_digits(pin)
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    if steps in ({0}, {1}, {9}):
        raise ValidationError("pin", pin, "密码太简单（同一数字或连续数字），请换一个")


def is_demo_pin(name: str, pin: str) -> bool:
    from desk.demo import DEMO_STAFF

    return any(name == n and pin == p for n, _r, p in DEMO_STAFF)


class Staff:
    """Accounts, login and the login lockout (per terminal and per account)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def add(self, req: NewStaff, actor: Actor = SYSTEM) -> StaffAccount:
        """An account with a known PIN (the demo, tests); the name is the login id."""
        check_pin_digits(req.pin)
        account = StaffAccount(number=f"S{req.name}", created_at=self.core.now(), status="active",
                               name=req.name, role=req.role, pin_hash=hash_pin(req.pin))  # fmt: skip
        self.core.put_directory(account, actor)
        return account

    def enrol(self, req: NewStaff, actor: Actor) -> tuple[StaffAccount, str]:
        """`reception staff add`: an account with no PIN and a one-time setup code (returned,
        to hand to the person); the staff number is the login id and must be new."""
        role = role_from_input(req.role)
        if not req.staff_no:
            raise ValidationError("staff_no", "", "请给出工号（--number）")
        code, fields = self._setup_fields()
        with self.core.store.transaction() as txn:
            if txn.get("staff", f"S{req.staff_no}") is not None:
                raise ValidationError(
                    "staff_no", req.staff_no, "工号已被使用（停用的账号也保留工号）"
                )
            account = StaffAccount(number=f"S{req.staff_no}", created_at=self.core.now(),
                                   status="active", name=req.name.strip(), role=role,
                                   staff_no=req.staff_no, **fields)  # fmt: skip
            self.core.write(txn, account, actor)
        log.info("staff account %s (%s) added by %s", req.staff_no, role, actor.name)
        return account, code

    def _setup_fields(self) -> tuple[str, dict[str, Any]]:
        code = "".join(secrets.choice("0123456789") for _ in range(SETUP_DIGITS))
        hours = self.core.settings.rules.staff_setup_hours
        until = (self.core.now() + timedelta(hours=hours)).isoformat()
        return code, {"pin_hash": "", "setup_hash": hash_pin(code), "setup_until": until}

    def account(self, login: str) -> StaffAccount:
        doc = self.core.store.get("staff", f"S{login}")
        if doc is None:
            raise NotFound(f"没有工号为 {login} 的账号（reception staff list 查看）")
        return StaffAccount.from_doc(doc)

    def disable(self, login: str, actor: Actor) -> StaffAccount:
        """The account can no longer log in; it stays for the audit trail."""
        with self.core.store.transaction() as txn:
            doc = txn.get("staff", f"S{login}")
            if doc is None:
                raise NotFound(f"没有工号为 {login} 的账号（reception staff list 查看）")
            if doc.get("status") == "disabled":
                raise ValidationError("staff_no", login, "该账号已停用")
            account = dataclasses.replace(StaffAccount.from_doc(doc), status="disabled")
            self.core.write(txn, account, actor)
        return account

    def reset_pin(self, login: str, actor: Actor) -> tuple[StaffAccount, str]:
        """Forget the PIN; the person chooses a new one with the returned one-time code."""
        code, fields = self._setup_fields()
        with self.core.store.transaction() as txn:
            doc = txn.get("staff", f"S{login}")
            if doc is None:
                raise NotFound(f"没有工号为 {login} 的账号（reception staff list 查看）")
            if doc.get("status") != "active":
                raise ValidationError("staff_no", login, "该账号已停用，不能重设密码")
            account = dataclasses.replace(StaffAccount.from_doc(doc), **fields)
            self.core.write(txn, account, actor)
        return account, code

    def accounts(self) -> list[StaffAccount]:
        return [StaffAccount.from_doc(d) for d in self.core.store.all_docs("staff")]

    def names(self, role: str | None = None) -> list[str]:
        return [
            a.name
            for a in self.accounts()
            if a.status == "active" and (role is None or a.role == role)
        ]

    def logins(self, role: str | None = None) -> list[tuple[str, str]]:
        """(button label, login id) of the accounts that may log in, for the login screen."""
        return [
            (f"{a.name} {a.staff_no}" if a.staff_no else a.name, a.login_id)
            for a in self.accounts()
            if a.status == "active" and (role is None or a.role == role)
        ]

    def demo_accounts(self) -> list[str]:
        """Active accounts still on a demo PIN (refused outside the demo; `reception check`)."""
        from desk.demo import DEMO_STAFF

        pins = {n: p for n, _r, p in DEMO_STAFF}
        return [
            a.login_id
            for a in self.accounts()
            if a.status == "active"
            and a.login_id in pins
            and verify_pin(pins[a.login_id], a.pin_hash)
        ]

    # ---- login ----------------------------------------------------------------------------
    def _delay(self, failures: int) -> timedelta:
        """No delay for the first few failures, then 30 s, 60 s, 120 s... (capped at a day)."""
        rules = self.core.settings.rules
        over = failures - rules.staff_max_failures
        if over < 0:
            return timedelta(0)
        return timedelta(seconds=min(rules.staff_lockout_seconds * 2**over, 86400))

    def _attempt(self, login: str, secret: str, source: str, new_pin: str = "") -> dict[str, Any]:
        """Check ``secret`` (the PIN, or the setup code of an account in setup) under the
        lockout; with ``new_pin`` a right setup code also stores the new PIN. The account doc."""
        now = self.core.now()
        keys = (f"terminal:{source}", f"account:{login}")
        with self.core.store.transaction() as txn:
            state = dict((txn.get("state", "staff_lockout") or {}).get("data") or {})
            for key in keys:
                until = state.get(key, {}).get("until")
                if until and now < parse(until):
                    raise LockedOut(key, parse(until))
            doc = txn.get("staff", f"S{login}")
            ok = doc is not None and doc.get("status") == "active"
            if ok and doc is not None and doc.get("setup_hash"):
                ok = now < parse(doc["setup_until"]) and verify_pin(secret, doc["setup_hash"])
            elif ok and doc is not None:
                ok = not new_pin and verify_pin(secret, doc["pin_hash"])
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
            if ok and new_pin and doc is not None:
                account = dataclasses.replace(StaffAccount.from_doc(doc), pin_hash=hash_pin(new_pin),
                                              setup_hash="", setup_until="")  # fmt: skip
                self.core.write(txn, account, Actor(Role(doc["role"]), doc["name"], source))
        if not ok:
            log.warning("failed staff login for %r from %s", login, source)
            raise AuthError("工号或密码错误")
        assert doc is not None
        return doc

    def login(self, login: str, pin: str, source: str = "") -> Actor:
        """A staff or guard actor for the right login id and PIN; AuthError otherwise.
        After a few failures from one terminal or on one account, each further try waits
        longer (LockedOut names until when); every failure is logged for the supervisor.
        PinSetupRequired: the one-time setup code was given (the person chooses a PIN next);
        DemoAccountRefused: a demo login outside the demo."""
        doc = self._attempt(login, pin, source)
        if doc.get("setup_hash"):
            raise PinSetupRequired("首次登录：请设置您自己的6位数字密码")
        if not self.core.settings.site.demo and is_demo_pin(login, pin):
            log.warning("demo login %r refused outside the demo (from %s)", login, source)
            raise DemoAccountRefused(
                "演示账号只能在演示中使用：请用 reception staff add 建立真实账号"
            )
        return Actor(Role(doc["role"]), doc["name"], source)

    def set_first_pin(self, login: str, code: str, pin: str, source: str = "") -> Actor:
        """The person's own PIN, with the one-time setup code of a new or reset account."""
        check_new_pin(pin)
        doc = self._attempt(login, code, source, new_pin=pin)
        log.info("staff %s chose a PIN at %s", login, source)
        return Actor(Role(doc["role"]), doc["name"], source)

    def clear_lockouts(self, actor: Actor) -> None:
        """A supervisor lifts every login lockout (after checking who tried); audited."""
        if actor.role != Role.SUPERVISOR:
            raise AuthError("只有主管可以解除登录锁定")
        now = self.core.now()
        with self.core.store.transaction() as txn:
            record = StateRecord(number="staff_lockout", created_at=now, status="active", data={})
            self.core.write(txn, record, actor)
        log.warning("login lockouts cleared by %s", actor.name)

    def failed_logins(self) -> list[tuple[str, int, str]]:
        """For the supervisor: (terminal or account, failures in a row, locked until or "")."""
        doc = self.core.store.get("state", "staff_lockout") or {}
        return sorted(
            (key, int(v.get("failures", 0)), v.get("until", ""))
            for key, v in ((doc.get("data") or {}).items())
            if v.get("failures")
        )
