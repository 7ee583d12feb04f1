"""The owner register: residents, units, search, and the owner's phone PIN (second factor, X1)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from desk.auth import hash_pin, verify_pin
from desk.errors import LockedOut, ValidationError
from desk.pickup_codes import Lockout
from desk.record_types import Owner, StateRecord
from desk.records import SYSTEM, Actor
from desk.services.base import Core
from desk.services.requests import NewOwner
from desk.validate import parse_unit, phone

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


def name_initials(name: str) -> str:
    """Pinyin initials of a name for searching residents ("张三" -> "zs")."""
    # pypinyin's dictionaries cost ~50 MB of memory: loaded only when owners are imported.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name.strip(), style=Style.FIRST_LETTER)).lower()


class Directory:
    """Residents of the compound and how to find them."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def add_owner(self, req: NewOwner, actor: Actor = SYSTEM) -> Owner:
        row = {"unit": req.unit, "name": req.name, "phone": req.phone, "role": req.owner_role}
        return self.import_owners([row], actor)[0]

    def import_owners(self, rows: Iterable[dict[str, str]], actor: Actor = SYSTEM) -> list[Owner]:
        """Add or update residents (owner register); all rows are validated before any is written."""
        owners: list[Owner] = []
        now = self.core.now()
        for i, row in enumerate(rows, 1):
            try:
                unit = row.get("unit") or f"{row['building']}-{row['entrance']}-{row['room']}"
                b, e, r = parse_unit(unit)
                unit = f"{b}-{e}-{r}"
                number = f"O{unit}-{phone(row['phone'])}"
                owners.append(
                    Owner(
                        number=number,
                        created_at=now,
                        status="active",
                        unit=unit,
                        name=row["name"].strip(),
                        phone=phone(row["phone"]),
                        owner_role=row.get("role", "owner") or "owner",
                        initials=name_initials(row["name"]),
                        # opt-out of non-essential SMS (reminders, follow-up ratings)
                        sms_opt_out=str(row.get("sms_opt_out") or "").strip().lower()
                        in ("1", "yes", "true", "y", "是"),
                    )
                )
            except ValidationError as exc:
                raise ValidationError(exc.field, exc.value, f"第{i}行: {exc.message}") from None
            except KeyError as exc:
                raise ValidationError(str(exc.args[0]), "", f"第{i}行缺少该列") from None
        with self.core.store.transaction() as txn:
            for owner in owners:
                old = txn.get("owner", owner.number)
                if old and old.get("factor_hash"):  # a re-import keeps the PIN set at the desk
                    owner = owner.replace(factor_hash=old["factor_hash"])
                self.core.write(txn, owner, actor)
        return owners

    def residents_of(self, unit: str) -> list[Owner]:
        return [Owner.from_doc(d) for d in self.core.store.find("owner", "unit", unit)]

    def by_phone(self, phone_number: str) -> Owner | None:
        """The resident registered with this phone (a hint: phones and caller IDs are not proof)."""
        try:
            key = phone(phone_number)
        except ValidationError:
            return None
        found = self.core.store.find("owner", "phone", key)
        return Owner.from_doc(found[0]) if found else None

    def search(self, initials: str) -> list[Owner]:
        """Residents whose pinyin initials start with ``initials`` (e.g. "zs" for 张三)."""
        initials = initials.lower()
        return [
            Owner.from_doc(d)
            for d in self.core.store.all_docs("owner")
            if d["initials"].startswith(initials)
        ]

    def unit_tree(self) -> dict[str, dict[str, list[str]]]:
        """Buildings -> entrances -> rooms of the owner register, for the kiosk's pickers."""
        tree: dict[str, dict[str, set[str]]] = {}
        for doc in self.core.store.all_docs("owner"):
            b, e, r = doc["unit"].split("-")
            tree.setdefault(b, {}).setdefault(e, set()).add(r)
        key = lambda s: (len(s), s)  # noqa: E731
        return {
            b: {
                e: sorted(rooms, key=key)
                for e, rooms in sorted(es.items(), key=lambda x: key(x[0]))
            }
            for b, es in sorted(tree.items(), key=lambda x: key(x[0]))
        }

    # ---- the second factor (X1: caller ID is a hint, not identity) --------------------------
    def set_phone_pin(self, unit: str, owner_phone: str, pin: str, actor: Actor) -> Owner:
        """At the desk (staff only), a resident chooses the PIN the hotline asks before it reads
        the unit's pickup codes or visitors."""
        from desk.identity import is_staff

        if not is_staff(actor):
            raise ValidationError("actor", actor.name, "只能在前台由工作人员设置")
        digits = self.core.settings.policy.second_factor_digits
        if not (pin.isdigit() and len(pin) == digits):
            raise ValidationError("pin", pin, f"电话查询密码应为{digits}位数字")
        owner = next((o for o in self.residents_of(unit) if o.phone == phone(owner_phone)), None)
        if owner is None:
            raise ValidationError("phone", owner_phone, "该房号没有登记这个手机号码")
        updated = owner.replace(factor_hash=hash_pin(pin))
        self.core.put_directory(updated, actor)
        return updated

    def _factor_lock(self, doc: dict | None) -> Lockout:
        p = self.core.settings.policy
        return Lockout.from_dict((doc or {}).get("data") or {}, max_failures=p.second_factor_max_failures,
                                 window=timedelta(minutes=p.second_factor_lockout_minutes),
                                 lock_for=timedelta(minutes=p.second_factor_lockout_minutes))  # fmt: skip

    def has_phone_pin(self, unit: str) -> bool:
        """Whether any resident of ``unit`` has set a phone PIN at the desk."""
        return any(d.get("factor_hash") for d in self.core.store.find("owner", "unit", unit))

    def check_phone_pin(self, unit: str, pin: str) -> Owner | None:
        """The resident of ``unit`` whose phone PIN this is, else None. Wrong PINs are counted
        per unit (LockedOut after a few); an unset PIN never matches."""
        now = self.core.now()
        with self.core.store.transaction() as txn:
            lock = self._factor_lock(txn.get("state", "factor_lockout"))
            lock.check(unit, now)
            found = next(
                (Owner.from_doc(d) for d in self.core.store.find("owner", "unit", unit)
                 if d.get("factor_hash") and verify_pin(pin, d["factor_hash"])),
                None,
            )  # fmt: skip
            if found is not None:
                return found
            lock.record_failure(unit, now)
            state = StateRecord(number="factor_lockout", created_at=now, status="active",
                                data=lock.to_dict())  # fmt: skip
            self.core.write(txn, state, SYSTEM)
        log.warning("wrong phone PIN for unit %s", unit)
        try:
            lock.check(unit, now)
        except LockedOut:
            log.warning("phone services of unit %s locked after wrong PINs", unit)
            raise
        return None
