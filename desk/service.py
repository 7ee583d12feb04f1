"""The Desk: every operation of the service desk, on the store, under the rules."""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from desk import deadlines, workflow
from desk.anchors import anchor_line
from desk.auth import hash_pin, verify_pin
from desk.config import Settings, load_settings
from desk.errors import DeskError, ValidationError
from desk.masking import mask_phone
from desk.pickup_codes import Lockout, new_pickup_code
from desk.record_types import (
    Call,
    Complaint,
    DutyLogEntry,
    FollowUp,
    GuardRequest,
    Key,
    KeyLoan,
    Owner,
    Parcel,
    PrintJob,
    Satisfaction,
    StaffAccount,
    StateRecord,
    Visit,
    WorkOrder,
)
from desk.records import (
    DATED_KINDS,
    RECORD_TYPES,
    SYSTEM,
    Actor,
    Kind,
    Record,
    Role,
    StatusChange,
    make_number,
    parse_number,
    record_from_doc,
)
from desk.store import KindSpec, Store, Transaction
from desk.validate import parse_unit, phone, unit_label_zh

log = logging.getLogger(__name__)

R = TypeVar("R", bound=Record)


def complaint_event_key(category: str, place: str, day: date) -> str:
    """C2: the event a complaint is about, as any channel can tell it: its category, where
    (building "b3" or "public") and the day: `cleaning@b3@2026-11-23`. Five households with
    the same key within the collective window make a collective complaint."""
    return f"{category}@{place}@{day:%Y-%m-%d}" if place else ""


def name_initials(name: str) -> str:
    """Pinyin initials of a name for searching residents ("张三" -> "zs")."""
    # pypinyin's dictionaries cost ~50 MB of memory: loaded only when owners are imported.
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(name.strip(), style=Style.FIRST_LETTER)).lower()


class NotFound(DeskError):
    """No record with that number (or code)."""


class AuthError(DeskError):
    """Wrong name or PIN, or a role that may not do this."""


@dataclass(frozen=True)
class DueItem:
    """One promised time the desk tracks (R4, C3, R5, P4): what, when, how it stands."""

    kind: Kind
    number: str
    what: str
    due: datetime
    state: str
    """ok, due_soon or overdue."""
    summary: str
    urgent: bool = False


def kind_specs() -> dict[str, KindSpec]:
    specs = {}
    for kind, cls in RECORD_TYPES.items():
        specs[str(kind)] = KindSpec(
            dated=kind in DATED_KINDS,
            index_fields=cls.index_fields,
            code_fields=cls.code_fields,
            is_open=(lambda doc, k=kind: workflow.is_open(k, doc)),
        )
    return specs


class Desk:
    """The service desk's operations; kiosk and hotline both call only this."""

    def __init__(self, settings: Settings, store: Store, clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock

    @classmethod
    def open(
        cls, settings: Settings | None = None, clock: Callable[[], datetime] | None = None
    ) -> Desk:
        settings = settings or load_settings()
        clock = clock or datetime.now
        st = settings.store
        store = Store(
            st.data_dir,
            kind_specs(),
            compact_every=st.compact_every,
            cache_records=st.cache_records,
            snapshot_days=settings.retention.snapshot_days,
            clock=clock,
            audit_key=st.audit_key,
        )
        return cls(settings, store, clock)

    def close(self) -> None:
        self.store.close()

    def now(self) -> datetime:
        return self.clock().replace(microsecond=0)

    # ------------------------------------------------------------ generic
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

    def _write(self, txn: Transaction, record: Record, actor: Actor, op: str = "put") -> None:
        txn.put(str(record.kind), record.number, record.to_doc(), actor.to_doc(), op)

    def _create(self, kind: Kind, actor: Actor, build: Callable[[str, datetime], R]) -> R:
        """Number, build (validating) and store a new dated record in one transaction."""
        with self.store.transaction() as txn:
            now = self.now()
            number = make_number(kind, now.date(), txn.next_seq(str(kind), now.date()))
            record = build(number, now)
            workflow.check_create(kind, record.status, actor)
            self._write(txn, record, actor)
        log.info("%s %s created by %s (%s)", kind, number, actor.role, actor.source)
        return record

    def transition(
        self, number: str, action: str, actor: Actor, note: str = "", **changes: Any
    ) -> Record:
        """Apply a state-machine action; refused transitions raise and change nothing."""
        with self.store.transaction() as txn:
            record = self._fresh(txn, number)
            updated = workflow.apply(record, action, actor, self.now(), note, **changes)
            self._write(txn, updated, actor)
        log.info(
            "%s %s: %s -> %s by %s", record.kind, number, record.status, updated.status, actor.role
        )
        return updated

    def _fresh(self, txn: Transaction, number: str) -> Record:
        kind, _, _ = parse_number(number)
        doc = txn.get(str(kind), number)
        if doc is None:
            raise NotFound(f"没有找到编号为 {number} 的记录")
        return record_from_doc(kind, doc)

    def update(self, number: str, actor: Actor, note: str = "", **changes: Any) -> Record:
        """Change fields of a record without a status change (history keeps a note)."""
        with self.store.transaction() as txn:
            record = self._fresh(txn, number)
            history = record.history
            if note:
                history = (*history, StatusChange(self.now(), record.status, actor, note))
            updated = record.replace(history=history, **changes)
            self._write(txn, updated, actor)
        return updated

    def _open(self, kind: Kind, cls: type[R]) -> list[R]:
        return [cls.from_doc(d) for d in self.store.open_docs(str(kind))]

    # ---------------------------------------------------------- directory
    def _put_directory(self, record: Record, actor: Actor) -> None:
        with self.store.transaction() as txn:
            self._write(txn, record, actor)

    def add_owner(
        self,
        unit: str,
        name: str,
        phone_number: str,
        owner_role: str = "owner",
        actor: Actor = SYSTEM,
    ) -> Owner:
        return self.import_owners(
            [{"unit": unit, "name": name, "phone": phone_number, "role": owner_role}], actor
        )[0]

    def import_owners(self, rows: Iterable[dict[str, str]], actor: Actor = SYSTEM) -> list[Owner]:
        """Add or update residents (owner register); all rows are validated before any is written."""
        owners: list[Owner] = []
        now = self.now()
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
                    )
                )
            except ValidationError as exc:
                raise ValidationError(exc.field, exc.value, f"第{i}行: {exc.message}") from None
            except KeyError as exc:
                raise ValidationError(str(exc.args[0]), "", f"第{i}行缺少该列") from None
        with self.store.transaction() as txn:
            for owner in owners:
                self._write(txn, owner, actor)
        return owners

    def residents_of(self, unit: str) -> list[Owner]:
        return [Owner.from_doc(d) for d in self.store.find("owner", "unit", unit)]

    def resident_by_phone(self, phone_number: str) -> Owner | None:
        try:
            key = phone(phone_number)
        except ValidationError:
            return None
        found = self.store.find("owner", "phone", key)
        return Owner.from_doc(found[0]) if found else None

    def search_residents(self, initials: str) -> list[Owner]:
        """Residents whose pinyin initials start with ``initials`` (e.g. "zs" for 张三)."""
        initials = initials.lower()
        return [
            Owner.from_doc(d)
            for d in self.store.all_docs("owner")
            if d["initials"].startswith(initials)
        ]

    def unit_tree(self) -> dict[str, dict[str, list[str]]]:
        """Buildings -> entrances -> rooms of the owner register, for the kiosk's pickers."""
        tree: dict[str, dict[str, set[str]]] = {}
        for doc in self.store.all_docs("owner"):
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

    def add_staff(self, name: str, role: str, pin: str, actor: Actor = SYSTEM) -> StaffAccount:
        if not (pin.isdigit() and 4 <= len(pin) <= 8):
            raise ValidationError("pin", pin, "PIN 应为4-8位数字")
        account = StaffAccount(
            number=f"S{name}",
            created_at=self.now(),
            status="active",
            name=name,
            role=role,
            pin_hash=hash_pin(pin),
        )
        self._put_directory(account, actor)
        return account

    def staff(self) -> list[StaffAccount]:
        return [StaffAccount.from_doc(d) for d in self.store.all_docs("staff")]

    def login(self, name: str, pin: str, source: str = "") -> Actor:
        """A staff or guard actor for a correct PIN; AuthError otherwise."""
        doc = self.store.get("staff", f"S{name}")
        if not doc or doc.get("status") != "active" or not verify_pin(pin, doc["pin_hash"]):
            log.warning("failed staff login for %r from %s", name, source)
            raise AuthError("用户名或密码错误")
        return Actor(Role(doc["role"]), name, source)

    def login_pin(self, pin: str, source: str = "") -> Actor:
        """Login by PIN alone (kiosk keypad): the account whose PIN matches."""
        for account in self.staff():
            if account.status == "active" and verify_pin(pin, account.pin_hash):
                return Actor(Role(account.role), account.name, source)
        log.warning("failed PIN login from %s", source)
        raise AuthError("密码错误")

    # --------------------------------------------------------------- keys
    def add_key(
        self,
        key_id: str,
        label: str,
        slot: str,
        key_kind: str = "other",
        unit: str = "",
        actor: Actor = SYSTEM,
    ) -> Key:
        key = Key(
            number=key_id,
            created_at=self.now(),
            status="in",
            label=label,
            key_kind=key_kind,
            slot=slot,
            unit=unit,
        )
        self._put_directory(key, actor)
        return key

    def keys(self) -> list[Key]:
        return [Key.from_doc(d) for d in self.store.all_docs("key")]

    def lend_key(self, actor: Actor, key_id: str, **fields: Any) -> KeyLoan:
        """K2, K3: register a loan; an entrusted key needs the owner's authorisation."""
        with self.store.transaction() as txn:
            doc = txn.get("key", key_id)
            if doc is None:
                raise NotFound(f"没有钥匙 {key_id}")
            key = Key.from_doc(doc)
            if key.status != "in":
                raise workflow.TransitionRefused("key", key_id, key.status, "lend", "钥匙已借出")
            if key.key_kind == "entrusted" and not fields.get("owner_authorised_by"):
                raise ValidationError("owner_authorised_by", "", "业主托管钥匙须经业主授权 (K3)")
            now = self.now()
            number = make_number(Kind.KEY_LOAN, now.date(), txn.next_seq("key_loan", now.date()))
            loan = KeyLoan(
                number=number,
                created_at=now,
                status="lent",
                history=(StatusChange(now, "lent", actor, "借出"),),
                key_id=key_id,
                lent_by=actor.name,
                **fields,
            )
            workflow.check_create(Kind.KEY_LOAN, "lent", actor)
            self._write(txn, loan, actor)
            self._write(txn, key.replace(status="out", loan=number), actor)
        return loan

    def return_key(self, loan_number: str, actor: Actor) -> KeyLoan:
        with self.store.transaction() as txn:
            loan = self._fresh(txn, loan_number)
            now = self.now()
            updated = workflow.apply(
                loan, "return", actor, now, returned_at=now, returned_to=actor.name
            )
            key = Key.from_doc(txn.get("key", loan.key_id))
            self._write(txn, updated, actor)
            self._write(txn, key.replace(status="in", loan=""), actor)
        return updated

    # ------------------------------------------------------------- visits
    def register_visit(self, actor: Actor, **fields: Any) -> Visit:
        """V1-V4: a visitor at the kiosk; waits for the host, or a guard if there is no ID."""
        status = "waiting_approval" if fields.get("id_type") == "none" else "waiting_host"

        def build(number: str, now: datetime) -> Visit:
            # Codes are drawn inside the write transaction: unique across processes.
            return Visit(
                number=number, created_at=now, status=status,
                history=(StatusChange(now, status, actor, "登记"),),
                pass_code=self._new_code("visit", "pass_code"), **fields,
            )  # fmt: skip

        return self._create(Kind.VISIT, actor, build)

    def preauthorise_visit(self, actor: Actor, host_unit: str, party_size: int = 1, day: date | None = None,
                           visitor_name: str = "", hours: tuple[time, time] = (time(0, 0), time(23, 59))) -> Visit:  # fmt: skip
        """V5: an owner's one-time code, valid for one day's window."""
        day = day or self.now().date()

        def build(number: str, now: datetime) -> Visit:
            return Visit(
                number=number, created_at=now, status="preauthorised",
                history=(StatusChange(now, "preauthorised", actor, "业主预约"),),
                host_unit=host_unit, party_size=party_size, visitor_name=visitor_name,
                preauth_code=self._new_code("visit", "preauth_code"), preauthorised_by=actor.name,
                valid_from=datetime.combine(day, hours[0]), valid_until=datetime.combine(day, hours[1]),
            )  # fmt: skip

        return self._create(Kind.VISIT, actor, build)

    def visit_by_preauth_code(self, code: str) -> Visit | None:
        doc = self.store.by_code("visit", "preauth_code", code.strip())
        if not doc or doc["status"] != "preauthorised":
            return None
        visit = Visit.from_doc(doc)
        now = self.now()
        if (
            visit.valid_from
            and now < visit.valid_from
            or visit.valid_until
            and now > visit.valid_until
        ):
            return None
        return visit

    def arrive_with_code(self, code: str, actor: Actor, **visitor: Any) -> Visit:
        """V5: the visitor keys in the owner's code; no host confirmation needed."""
        visit = self.visit_by_preauth_code(code)
        if visit is None:
            raise NotFound("预约码无效或已过期")
        return self.transition(
            visit.number,
            "arrive",
            actor,
            time_in=self.now(),
            pass_code=self._new_code("visit", "pass_code"),
            **visitor,
        )

    def host_answer(self, number: str, actor: Actor, accepted: bool, message: str = "") -> Visit:
        """V2: the host admits or declines (from the guard screen or the outbound call)."""
        if accepted:
            return self.transition(number, "admit", actor, host_answer="同意", time_in=self.now())
        return self.transition(number, "decline", actor, host_answer="拒绝", message=message)

    def leave_message(self, number: str, actor: Actor, message: str) -> Visit:
        return self.transition(
            number, "leave_message", actor, host_answer="未接通", message=message
        )

    def approve_visit_without_id(self, number: str, actor: Actor) -> Visit:
        """V3: a guard or supervisor lets in a visitor without ID; the approver is recorded."""
        return self.transition(
            number, "approve", actor, approved_by=f"{actor.role}:{actor.name}", time_in=self.now()
        )

    def check_out(self, code_or_number: str, actor: Actor) -> Visit:
        code = code_or_number.strip()
        doc = self.store.by_code("visit", "pass_code", code)
        number = doc["number"] if doc else code
        return self.transition(number, "check_out", actor, time_out=self.now())

    def visits_waiting(self) -> list[Visit]:
        return [
            v
            for v in self._open(Kind.VISIT, Visit)
            if v.status in ("waiting_host", "waiting_approval")
        ]

    def visits_waiting_host(self) -> list[Visit]:
        return [v for v in self._open(Kind.VISIT, Visit) if v.status == "waiting_host"]

    def visits_overdue(self) -> list[Visit]:
        """Visits still open after N hours, for the guard (V1 time out)."""
        limit = self.now() - timedelta(hours=self.settings.rules.visit_open_hours)
        return [
            v
            for v in self._open(Kind.VISIT, Visit)
            if v.status == "admitted" and (v.time_in or v.created_at) < limit
        ]

    def _new_code(self, kind: str, fld: str) -> str:
        return new_pickup_code(self.store.codes_in_use(kind, fld))

    # -------------------------------------------------------- work orders
    def create_work_order(self, actor: Actor, **fields: Any) -> WorkOrder:
        """R1-R2: a numbered work order with its promised times."""
        text = f"{fields.get('description', '')} {fields.get('transcript', '')}"
        fields.setdefault("emergency", deadlines.is_emergency(text))
        if fields["emergency"]:
            fields["urgent"] = True
        if actor.role == Role.VISITOR and not str(fields.get("location", "")).startswith("public:"):
            raise workflow.TransitionRefused(
                "work_order", "-", "-", "create", "访客只能报修公共设施 (R1)"
            )

        def build(number: str, now: datetime) -> WorkOrder:
            due = deadlines.repair_deadlines(
                now, bool(fields.get("urgent")), fields.get("appointment_start")
            )
            return WorkOrder(
                number=number, created_at=now, status="received",
                history=(StatusChange(now, "received", actor, "受理报修"),),
                dispatch_by=due["dispatch_by"], on_site_by=due["on_site_by"], **fields,
            )  # fmt: skip

        order = self._create(Kind.WORK_ORDER, actor, build)
        if order.emergency:
            log.warning("EMERGENCY work order %s at %s (E1)", order.number, order.location)
            self.log_entry(
                SYSTEM, f"紧急事件：工单 {order.number}，{order.location}，{order.description[:40]}"
            )
        return order

    def complete_work_order(self, number: str, actor: Actor, note: str = "") -> WorkOrder:
        """R5: completion starts the 3-day follow-up clock."""
        now = self.now()
        return self.transition(
            number, "complete", actor, note, follow_up_by=deadlines.follow_up_by(now)
        )

    # --------------------------------------------------------- complaints
    def create_complaint(self, actor: Actor, **fields: Any) -> Complaint:
        """C1-C3: deadlines by severity; 5+ households on one event escalate (C2)."""
        if "event_key" not in fields and fields.get("unit"):
            # A channel that did not ask where: the complainant's building on that day.
            building = parse_unit(fields["unit"])[0]
            fields["event_key"] = complaint_event_key(
                fields.get("category", "other"), f"b{building}", self.now().date()
            )

        def build(number: str, now: datetime) -> Complaint:
            due = deadlines.complaint_deadlines(
                now, fields.get("severity", "minor"), fields.get("validity", "unclassified")
            )
            return Complaint(
                number=number, created_at=now, status="received",
                history=(StatusChange(now, "received", actor, "受理投诉"),),
                reply_by=due["reply_by"], resolve_by=due["resolve_by"], **fields,
            )  # fmt: skip

        complaint = self._create(Kind.COMPLAINT, actor, build)
        if complaint.event_key:
            self._check_collective(complaint.event_key)
        return self.require(complaint.number, Complaint)

    def _check_collective(self, event_key: str) -> None:
        since = self.now() - timedelta(hours=self.settings.rules.collective_window_hours)
        same = [Complaint.from_doc(d) for d in self.store.find("complaint", "event_key", event_key)]
        same = [c for c in same if c.created_at >= since]
        households = {c.unit or c.phone or c.number for c in same}
        if len(households) < self.settings.rules.collective_households:
            return
        for c in same:
            if not c.collective:
                self.update(
                    c.number,
                    SYSTEM,
                    "集体投诉，已上报主任 (C2)",
                    collective=True,
                    escalated_to="主任",
                    severity="major",
                )
        log.warning("collective complaint: %d households on %r (C2)", len(households), event_key)

    def resolve_complaint(self, number: str, actor: Actor, resolution: str) -> Complaint:
        now = self.now()
        return self.transition(
            number,
            "resolve",
            actor,
            resolution=resolution,
            follow_up_by=deadlines.complaint_follow_up_by(now),
        )

    # ------------------------------------------------------------ parcels
    def receive_parcel(self, actor: Actor, **fields: Any) -> Parcel:
        """P1: a parcel signed for and put in a compartment; it gets a pickup code."""

        def build(number: str, now: datetime) -> Parcel:
            return Parcel(
                number=number, created_at=now, status="stored",
                history=(StatusChange(now, "stored", actor, "签收入库"),),
                pickup_code=self._new_code("parcel", "pickup_code"), received_by=actor.name, **fields,
            )  # fmt: skip

        return self._create(Kind.PARCEL, actor, build)

    def _lockout_from(self, doc: dict[str, Any] | None) -> Lockout:
        rules = self.settings.rules
        return Lockout.from_dict((doc or {}).get("data") or {}, max_failures=rules.pickup_max_failures,
                                 window=timedelta(minutes=15),
                                 lock_for=timedelta(minutes=rules.pickup_lockout_minutes))  # fmt: skip

    def _change_lockout(self, change: Callable[[Lockout], None]) -> Lockout:
        """Read, change and write the lockout state in one transaction (kiosk and hotline share it)."""
        with self.store.transaction() as txn:
            lock = self._lockout_from(txn.get("state", "lockout"))
            change(lock)
            state = StateRecord(
                number="lockout", created_at=self.now(), status="active", data=lock.to_dict()
            )
            self._write(txn, state, SYSTEM)
        return lock

    def parcels_for_code(self, code: str, source: str) -> list[Parcel]:
        """P3: the parcels waiting under a pickup code; wrong codes count toward a lockout."""
        self.store.refresh()
        lock = self._lockout_from(self.store.get("state", "lockout"))
        now = self.now()
        lock.check(source, now)
        code = code.strip()
        doc = self.store.by_code("parcel", "pickup_code", code)
        if doc is None or doc["status"] not in ("stored", "notified"):
            lock = self._change_lockout(lambda lk: lk.record_failure(source, now))
            log.info("wrong pickup code from %s", mask_phone(source))
            lock.check(source, now)
            raise NotFound("取件码不正确，请核对后重新输入")
        if source in lock.to_dict()["failures"]:
            self._change_lockout(lambda lk: lk.record_success(source))
        return [Parcel.from_doc(doc)]

    def parcels_for_unit(self, unit: str) -> list[Parcel]:
        return [
            Parcel.from_doc(d)
            for d in self.store.open_docs("parcel")
            if d["unit"] == unit and d["status"] in ("stored", "notified")
        ]

    def parcels_waiting(self) -> list[Parcel]:
        return self._open(Kind.PARCEL, Parcel)

    def pick_up_parcel(
        self, number: str, actor: Actor, proxy_name: str = "", proxy_id: str = ""
    ) -> Parcel:
        """P3: picked up by the recipient, or by a proxy with a guard's approval."""
        if proxy_name and actor.role not in (Role.GUARD, Role.STAFF, Role.SUPERVISOR):
            raise workflow.TransitionRefused(
                "parcel", number, "-", "pick_up", "代领须经安全员批准 (P3)"
            )
        changes: dict[str, Any] = {"collected_at": self.now(), "collected_by": proxy_name or "本人"}
        if proxy_name:
            changes.update(proxy_name=proxy_name, proxy_id=proxy_id, countersigned_by=actor.name)
            return self.transition(number, "hand_over", actor, f"代领人 {proxy_name}", **changes)
        return self.transition(number, "pick_up", actor, **changes)

    def countersign_parcel(self, number: str, actor: Actor) -> Parcel:
        return self.transition(number, "countersign", actor, countersigned_by=actor.name)

    def free_compartments(self, names: Iterable[str]) -> list[str]:
        used = {d["compartment"] for d in self.store.open_docs("parcel")}
        return [n for n in names if n not in used]

    # --------------------------------------------------------- follow-ups
    def record_follow_up(self, target: str, satisfaction: str | Satisfaction, actor: Actor,
                         comment: str = "", channel: str = "hotline") -> FollowUp:  # fmt: skip
        """R5, C4, S1: a rating; not satisfied reopens the order / opens a new complaint."""
        level = Satisfaction(satisfaction)
        record = self.get(target)
        if not isinstance(record, WorkOrder | Complaint):
            raise NotFound(f"没有找到编号为 {target} 的工单或投诉")

        def build(number: str, now: datetime) -> FollowUp:
            return FollowUp(number=number, created_at=now, status="done", target=target, channel=channel,
                            satisfaction=level.value, comment=comment, by=actor.name)  # fmt: skip

        follow = self._create(Kind.FOLLOW_UP, actor, build)
        if isinstance(record, WorkOrder):
            if level.satisfied:
                self.transition(
                    target, "follow_up", actor, f"回访：{level.value}", satisfaction=level.value
                )
            else:
                self.transition(target, "reopen", actor, f"回访：{level.value}", satisfaction=level.value,
                                reopen_count=record.reopen_count + 1, follow_up_by=None)  # fmt: skip
        else:
            self.transition(
                target, "follow_up", actor, f"回访：{level.value}", satisfaction=level.value
            )
            if not level.satisfied:
                self.create_complaint(actor, channel="hotline" if channel == "hotline" else "desk", name=record.name,
                                      unit=record.unit, phone=record.phone, category=record.category,
                                      content=f"对投诉 {target} 的处理不满意：{comment or record.content}")  # fmt: skip
        return follow

    def follow_ups_due(self) -> list[Record]:
        """Work orders done and complaints resolved that still need their follow-up call."""
        orders = [w for w in self._open(Kind.WORK_ORDER, WorkOrder) if w.status == "done"]
        complaints = [c for c in self._open(Kind.COMPLAINT, Complaint) if c.status == "resolved"]
        return [*orders, *complaints]

    # ----------------------------------------------------------- duty log
    def log_entry(self, actor: Actor, text: str, entry_type: str = "entry", corrects: str = "",
                  handover_to: str = "", open_items: tuple[str, ...] = ()) -> DutyLogEntry:  # fmt: skip
        """L2: append a duty-log page; corrections are new entries, nothing is altered."""
        if corrects:
            self.require(corrects, DutyLogEntry)

        def build(number: str, now: datetime) -> DutyLogEntry:
            return DutyLogEntry(number=number, created_at=now, status="written", author=actor.name or str(actor.role),
                                text=text, entry_type=entry_type, corrects=corrects, handover_to=handover_to,
                                open_items=open_items)  # fmt: skip

        return self._create(Kind.DUTY_LOG, actor, build)

    def blocking_items(self) -> list[str]:
        """L3: important unfinished work that blocks a handover (emergencies, overdue urgent repairs)."""
        items = []
        for w in self._open(Kind.WORK_ORDER, WorkOrder):
            if w.emergency or (w.urgent and w.status in ("received", "dispatched", "accepted")):
                items.append(w.number)
        for c in self._open(Kind.COMPLAINT, Complaint):
            if c.collective and c.status == "received":
                items.append(c.number)
        return items

    def handover(
        self, actor: Actor, to_name: str, note: str = "", force_by: Actor | None = None
    ) -> DutyLogEntry:
        """L3: both shifts sign; open important work blocks unless a supervisor overrides."""
        blocking = self.blocking_items()
        if blocking and not (force_by and force_by.role == Role.SUPERVISOR):
            raise workflow.TransitionRefused(
                "duty_log", "-", "-", "handover", f"有未完成的重要事项：{', '.join(blocking)}"
            )
        open_items = tuple(r.number for r in self.due_report() if r.state != "ok")
        text = f"交接班：{actor.name} → {to_name}。{note} {anchor_line(self.store)}".strip()
        return self.log_entry(actor, text, "handover", handover_to=to_name, open_items=open_items)

    def duty_log(self, day: date) -> list[DutyLogEntry]:
        return [DutyLogEntry.from_doc(d) for d in self.store.iter_days("duty_log", day, day)]

    # -------------------------------------------------------------- calls
    def record_call(self, actor: Actor, **fields: Any) -> Call:
        def build(number: str, now: datetime) -> Call:
            return Call(
                number=number, created_at=now, status=fields.pop("status", "answered"), **fields
            )

        return self._create(Kind.CALL, actor, build)

    def callbacks(self) -> list[Call]:
        """T3: missed and abandoned calls not yet called back (last 7 days)."""
        first = self.now().date() - timedelta(days=7)
        calls = [Call.from_doc(d) for d in self.store.iter_days("call", first)]
        return [
            c
            for c in calls
            if c.status in ("missed", "abandoned", "voicemail") and not c.callback_done
        ]

    # ---------------------------------------------------- guard requests
    def open_request(self, actor: Actor, kind: str, **fields: Any) -> GuardRequest:
        """P3, V3, E1: ask a guard to act (hand over a counter parcel, approve a proxy, come)."""

        def build(number: str, now: datetime) -> GuardRequest:
            return GuardRequest(number=number, created_at=now, status="open", request_kind=kind,
                                source=actor.source, **fields)  # fmt: skip

        request = self._create(Kind.REQUEST, actor, build)
        log.info("guard request %s (%s) from %s", request.number, kind, actor.source or actor.role)
        return request

    def open_requests(self) -> list[GuardRequest]:
        """Requests still waiting for a guard: emergencies first, then oldest first."""
        pending = self._open(Kind.REQUEST, GuardRequest)
        return sorted(pending, key=lambda r: (r.request_kind != "emergency", r.number))

    def settle_request(
        self, number: str, actor: Actor, done: bool = True, note: str = ""
    ) -> GuardRequest:
        """A guard handled (or turned down) a request; who and when are recorded."""
        action = "handle" if done else "turn_down"
        settled = self.transition(
            number, action, actor, note, settled_by=actor.name, settled_at=self.now()
        )
        assert isinstance(settled, GuardRequest)
        return settled

    # ---------------------------------------------------------- printing
    def enqueue_print(self, receipt: str, record: str, payload: bytes | str) -> PrintJob:
        data = payload.encode("utf-8") if isinstance(payload, str) else payload

        def build(number: str, now: datetime) -> PrintJob:
            return PrintJob(number=number, created_at=now, status="queued", receipt=receipt, record=record,
                            payload=base64.b64encode(data).decode("ascii"))  # fmt: skip

        return self._create(Kind.PRINT_JOB, SYSTEM, build)

    def pending_print_jobs(self) -> list[PrintJob]:
        jobs = self._open(Kind.PRINT_JOB, PrintJob)
        return sorted(jobs, key=lambda j: j.number)

    def mark_print_job(self, number: str, printed: bool, error: str | None = None) -> PrintJob:
        """A job is printed only when the printer reported no error after it (devices)."""
        job = self.require(number, PrintJob)
        if printed:
            return self.transition(
                number, "printed", SYSTEM, attempts=job.attempts + 1, last_error=""
            )
        return self.update(number, SYSTEM, attempts=job.attempts + 1, last_error=error or "")

    @staticmethod
    def print_payload(job: PrintJob) -> bytes:
        return base64.b64decode(job.payload)

    # ------------------------------------------------------------ reports
    def is_staffed(self, when: datetime | None = None) -> bool:
        """L1: the desk is staffed 07:30-20:00 (complaints are taken 24 h anyway)."""
        t = (when or self.now()).time()
        return self.settings.hours.staffed_from <= t < self.settings.hours.staffed_until

    def due_report(self, now: datetime | None = None) -> list[DueItem]:
        """R4, C3, R5, P4: every promised time still open, most pressing first."""
        now = now or self.now()
        soon = timedelta(minutes=self.settings.rules.due_soon_minutes)
        items: list[DueItem] = []

        def add(
            kind: Kind,
            number: str,
            what: str,
            due: datetime | None,
            summary: str,
            urgent: bool = False,
        ) -> None:
            if due is not None:
                items.append(
                    DueItem(
                        kind, number, what, due, deadlines.classify(due, now, soon), summary, urgent
                    )
                )

        for w in self._open(Kind.WORK_ORDER, WorkOrder):
            summary = f"{unit_label_zh(w.location)} {w.description[:20]}"
            if w.status in ("received", "reopened"):
                add(Kind.WORK_ORDER, w.number, "派工", w.dispatch_by, summary, w.urgent)
            elif w.status in ("dispatched", "accepted"):
                add(Kind.WORK_ORDER, w.number, "到场", w.on_site_by, summary, w.urgent)
            elif w.status == "done":
                add(Kind.WORK_ORDER, w.number, "回访", w.follow_up_by, summary)
        for c in self._open(Kind.COMPLAINT, Complaint):
            summary = f"{unit_label_zh(c.unit)} {c.content[:20]}"
            if c.status in ("received", "classified"):
                add(Kind.COMPLAINT, c.number, "答复", c.reply_by, summary, c.collective)
            if c.status in ("received", "classified", "replied"):
                add(Kind.COMPLAINT, c.number, "处理", c.resolve_by, summary, c.collective)
            if c.status == "resolved":
                add(Kind.COMPLAINT, c.number, "回访", c.follow_up_by, summary)
        overdue_days = self.settings.rules.parcel_overdue_days
        for p in self._open(Kind.PARCEL, Parcel):
            if p.status in ("stored", "notified"):
                due = p.return_by or deadlines.parcel_reminder_at(p.created_at, overdue_days)
                add(
                    Kind.PARCEL,
                    p.number,
                    "退回邮局" if p.return_by else "催领",
                    due,
                    f"{unit_label_zh(p.unit)} {p.courier}",
                )
        order = {"overdue": 0, "due_soon": 1, "ok": 2}
        return sorted(items, key=lambda i: (order[i.state], not i.urgent, i.due))

    # ------------------------------------------------------------ privacy
    def purge(self, now: datetime | None = None) -> dict[str, int]:
        """X2: anonymise every kind of record past its keeping period (desk.retention)."""
        from desk.retention import purge

        return purge(self, now)
