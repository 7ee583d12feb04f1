"""Visitors (V1-V6): registration, the host's answer, the guard's approval, codes, check-out."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from desk.errors import DeskError
from desk.identity import may_read_private
from desk.record_types import Visit
from desk.records import SYSTEM, Actor, Kind, StatusChange
from desk.services.base import Core, NotFound
from desk.services.requests import CallLog, GuardAsk, PreauthRequest, VisitRequest, fields_of
from desk.services.visit_desk import KnownVisitor, MessageOutcome, known_from, on_site_of
from desk.workflow import TransitionRefused

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


class VisitorBlocked(DeskError):
    """The person is on the blocklist: the public screen says only to see the desk."""

    def __init__(self, request_number: str) -> None:
        self.message = "请到前台，由工作人员为您办理登记"
        super().__init__(self.message)
        self.request_number = request_number


VisitAction = Literal["expire", "cancel", "refuse"]
"""Actions without their own operation (the others: host_answer, approve_without_id...)."""


class Visits:
    """V2 applies to every visitor (the host confirms); V3 adds the guard for a visitor without ID."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def register(self, req: VisitRequest, actor: Actor) -> Visit:
        """V1-V4: a visitor waits for the host; without ID also for a guard (asked at once).

        A blocked person is not registered: VisitorBlocked (the guard is alerted). A
        decoration worker needs a renovation valid now (V4): PassRefused otherwise; the
        pass then holds the renovation's unit and ends with today's working hours."""
        core = self.core
        digest = core.id_hash(req.id_type, req.id_number)
        self._refuse_blocked(digest, req, actor)
        fields = fields_of(req)
        extra: dict[str, object] = {}
        if req.visitor_kind == "decoration" and req.work_pass:  # none: the record says so
            reno, until = self.desk.renovations.pass_window(req.work_pass)
            fields["host_unit"] = reno.unit
            fields["work_pass"] = reno.permit
            extra["valid_until"] = until
        earlier = len(self._earlier(digest)) if digest else 0

        def build(number: str, now: datetime) -> Visit:
            # Codes are drawn inside the write transaction: unique across processes.
            return Visit(number=number, created_at=now, status="waiting_host",
                         history=(StatusChange(now, "waiting_host", actor, "登记"),),
                         pass_code=core.new_code("visit", "pass_code"), id_hash=digest,
                         earlier_visits=earlier, **fields, **extra)  # type: ignore[arg-type]  # fmt: skip

        return core.create(Kind.VISIT, actor, build)

    def _refuse_blocked(self, digest: str, req: VisitRequest, actor: Actor) -> None:
        entry = self.desk.blocklist.by_hash(digest) if digest else None
        if entry is None:
            return
        from desk.masking import mask_name
        from desk.validate import format_unit_zh

        host = format_unit_zh(req.host_unit) if req.host_unit else "未填"
        until = f"，至{entry.until}" if entry.until else ""
        note = f"{mask_name(entry.name)} 访 {host}；原因：{entry.reason}（{entry.decided_by}决定{until}）"
        request = self.desk.guard.ask(
            GuardAsk(request_kind="blocked_visitor", unit=req.host_unit, note=note), actor
        )
        log.warning("blocked visitor at %s: guard request %s", actor.source, request.number)
        raise VisitorBlocked(request.number)

    def _earlier(self, digest: str) -> list[Visit]:
        self.core.store.refresh()
        docs = self.core.store.find(str(Kind.VISIT), "id_hash", digest)
        return [Visit.from_doc(d) for d in docs if d.get("status") != "preauthorised"]

    def known(self, id_type: str, id_number: str, from_card: bool = False) -> KnownVisitor | None:
        """Issue 16 item 2: a returning visitor by the keyed hash of the ID. The usual host is
        offered only when the ID came from the card (a typed number proves nothing, X1)."""
        digest = self.core.id_hash(id_type, id_number)
        if not digest:
            return None
        return known_from(self._earlier(digest), from_card)

    def pass_until(self, visit: Visit, now: datetime) -> datetime:
        """V1: the end of a pass admitted now (a worker's: the renovation's hours, V4)."""
        until = now + timedelta(hours=self.core.settings.rules.visit_pass_hours)
        if visit.visitor_kind == "decoration" and visit.valid_until:
            return min(until, visit.valid_until)
        return until

    def preauthorise(self, req: PreauthRequest, actor: Actor) -> Visit:
        """V5: an owner's one-time code, valid for one day's window (their own unit only)."""
        if not may_read_private(actor, req.host_unit):
            raise TransitionRefused(
                "visit", "-", "-", "preauthorise", "须核实业主身份后才能预约访客 (X1)"
            )
        core = self.core
        day = req.day or core.now().date()
        tz = core.now().tzinfo

        def build(number: str, now: datetime) -> Visit:
            return Visit(number=number, created_at=now, status="preauthorised",
                         history=(StatusChange(now, "preauthorised", actor, "业主预约"),),
                         host_unit=req.host_unit, party_size=req.party_size, visitor_name=req.visitor_name,
                         preauth_code=core.new_code("visit", "preauth_code"), preauthorised_by=actor.name,
                         valid_from=datetime.combine(day, req.valid_from, tz),
                         valid_until=datetime.combine(day, req.valid_until, tz))  # fmt: skip

        return core.create(Kind.VISIT, actor, build)

    def resident_at_kiosk(self, unit: str, phone: str, pin: str, source: str) -> Actor:
        """V5 at the kiosk: the unit's registered phone plus that resident's phone PIN (set at
        the desk) make a verified resident; anything less is only a claim (X1). Wrong PINs
        count towards the unit's lockout (LockedOut)."""
        from desk.identity import Evidence

        owner = self.desk.directory.check_phone_pin(unit, pin) if pin else None
        ok = owner is not None and owner.phone == phone.strip()
        return self.desk.identify(
            Evidence("kiosk", source=source, phone=phone.strip(), unit=unit, second_factor_ok=ok)
        )

    def preauthorise_at_kiosk(
        self, req: PreauthRequest, phone: str, pin: str, source: str, staff: Actor | None = None
    ) -> Visit:
        """V5 at the kiosk: a staff member logged in at the kiosk vouches for the resident,
        or the resident proves it with the registered phone and the phone PIN."""
        from desk.services.base import AuthError

        if staff is not None:
            return self.preauthorise(req, staff)
        if not self.desk.directory.has_phone_pin(req.host_unit):
            raise AuthError("该房号尚未设置电话查询密码，请到前台由工作人员办理")
        actor = self.resident_at_kiosk(req.host_unit, phone, pin, source)
        if not may_read_private(actor, req.host_unit):
            raise AuthError("手机号码或电话查询密码不正确")
        return self.preauthorise(req, actor)

    def by_preauth_code(self, code: str) -> Visit | None:
        doc = self.core.store.by_code("visit", "preauth_code", code.strip())
        if not doc or doc["status"] != "preauthorised":
            return None
        visit = Visit.from_doc(doc)
        now = self.core.now()
        if (visit.valid_from and now < visit.valid_from) or (
            visit.valid_until and now > visit.valid_until
        ):
            return None
        return visit

    def arrive(self, code: str, req: VisitRequest, actor: Actor) -> Visit:
        """V5: the visitor keys in the owner's code; the owner already confirmed."""
        visit = self.by_preauth_code(code)
        if visit is None:
            raise NotFound("预约码无效或已过期")
        # what the visitor gave; the owner's pre-authorised party size and name stay otherwise
        default = VisitRequest()
        fields = {k: v for k, v in fields_of(req, skip=("host_unit",)).items()
                  if v != getattr(default, k)}  # fmt: skip
        digest = self.core.id_hash(req.id_type, req.id_number)
        self._refuse_blocked(digest, replace(req, host_unit=visit.host_unit), actor)
        if digest:
            fields.update(id_hash=digest, earlier_visits=len(self._earlier(digest)))
        now = self.core.now()
        fields["valid_until"] = now + timedelta(hours=self.core.settings.rules.visit_pass_hours)
        return self.core.transition(Visit, visit.number, "arrive", actor, time_in=now,
                                    pass_code=self.core.new_code("visit", "pass_code"), **fields)  # fmt: skip

    def host_answer(self, number: str, actor: Actor, accepted: bool, message: str = "") -> Visit:
        """V2: the host admits or declines. A visitor without ID is admitted only once a
        guard has approved too (V3), in either order."""
        core = self.core
        visit = core.require(number, Visit)
        if not accepted:
            return core.transition(
                Visit, number, "decline", actor, host_answer="拒绝", message=message
            )
        if visit.id_type == "none" and not visit.approved_by:
            return core.transition(Visit, number, "host_agrees", actor, host_answer="同意")
        now = core.now()
        return core.transition(Visit, number, "admit", actor, host_answer="同意", time_in=now,
                               valid_until=self.pass_until(visit, now))  # fmt: skip

    def leave_message(self, number: str, actor: Actor, message: str) -> MessageOutcome:
        """V2: a message for a host who did not answer or declined. It is delivered as an
        entry on the desk's callback list (staff ring the host's registered phone and read
        it); a unit with no registered phone cannot get it, and the visitor is told so."""
        visit = self.core.require(number, Visit)
        phones = [o.phone for o in self.desk.directory.residents_of(visit.host_unit) if o.phone]
        answer = visit.host_answer or "未接通"
        if not message.strip() or not phones:
            if visit.status == "waiting_host":
                self.core.transition(Visit, number, "give_up", actor, "留言未能转交")
            return MessageOutcome(False, "留言未能转交" if message.strip() else "未留言",
                                  "住户未登记电话，请到前台由工作人员联系住户" if message.strip()
                                  else "谢谢，再见")  # fmt: skip
        if visit.status == "declined":  # a final state: the message is added, nothing moves
            self.core.amend(number, actor, "访客留言", message=message.strip()[:200])
        else:
            self.core.transition(Visit, number, "leave_message", actor, host_answer=answer,
                                 message=message.strip()[:200])  # fmt: skip
        call = self.desk.calls.record(
            CallLog(direction="out", callee=phones[0], purpose=f"visit_message:{number}",
                    records=(number,), outcome=message.strip()[:200], status="visitor_message"),
            actor,
        )  # fmt: skip
        log.info("visitor message of %s queued for the desk as call %s", number, call.number)
        return MessageOutcome(True, "留言已交前台", "前台工作人员将电话转告住户")

    def approve_without_id(self, number: str, actor: Actor) -> Visit:
        """V3: a guard or supervisor vouches for a visitor without ID; the approver is
        recorded. The visitor is admitted only when the host has agreed as well (V2)."""
        core = self.core
        visit = core.require(number, Visit)
        approver = f"{actor.role}:{actor.name}"
        if visit.status == "waiting_host":
            return core.transition(Visit, number, "guard_agrees", actor, approved_by=approver)
        now = core.now()
        return core.transition(Visit, number, "approve", actor, approved_by=approver, time_in=now,
                               valid_until=self.pass_until(visit, now))  # fmt: skip

    def refuse_without_id(self, number: str, actor: Actor) -> Visit:
        """V3: a guard does not vouch for a visitor without ID: not admitted."""
        return self.core.transition(Visit, number, "refuse", actor)

    def needs_guard(self, visit: Visit) -> bool:
        """V3: a visitor without ID whom no guard has approved yet."""
        return visit.id_type == "none" and not visit.approved_by

    def check_out(self, code_or_number: str, actor: Actor) -> Visit:
        code = code_or_number.strip()
        doc = self.core.store.by_code("visit", "pass_code", code)
        number = doc["number"] if doc else code
        return self.core.transition(Visit, number, "check_out", actor, time_out=self.core.now())

    def transition(self, number: str, action: VisitAction, actor: Actor, note: str = "") -> Visit:
        return self.core.transition(Visit, number, action, actor, note)

    def waiting(self) -> list[Visit]:
        """Visitors waiting for the host or a guard (V2, V3)."""
        return [v for v in self.core.open_records(Kind.VISIT, Visit)
                if v.status in ("waiting_host", "waiting_approval")]  # fmt: skip

    def waiting_host(self) -> list[Visit]:
        """Visitors whose host has not answered yet (the hotline calls them, V2)."""
        return [v for v in self.core.open_records(Kind.VISIT, Visit) if v.status == "waiting_host"]

    def overdue(self) -> list[Visit]:
        """Visits still open after N hours, for the guard (V1 time out)."""
        limit = self.core.now() - timedelta(hours=self.core.settings.rules.visit_open_hours)
        return [v for v in self.core.open_records(Kind.VISIT, Visit)
                if v.status == "admitted" and (v.time_in or v.created_at) < limit]  # fmt: skip

    def for_unit(self, unit: str, actor: Actor) -> list[Visit]:
        """X1: a unit's open visits, for its proven resident or staff only."""
        if not may_read_private(actor, unit):
            raise TransitionRefused("visit", "-", "-", "read", "须核实业主身份 (X1)")
        return [v for v in self.core.open_records(Kind.VISIT, Visit) if v.host_unit == unit]

    def on_site(self) -> list[Visit]:
        """Issue 16 item 6: everyone signed in and not out (visitors, workers, couriers),
        oldest first: for the guard and for an evacuation."""
        return on_site_of(self.core.open_records(Kind.VISIT, Visit))

    def tick(self) -> dict[str, int]:
        """The periodic job (the kiosk's clock calls it): visits still waiting after
        visit_wait_minutes are closed (the visitor has gone), passes past their validity are
        signed out (V1), pre-authorised codes past their window expire (V5)."""
        now = self.core.now()
        waited = now - timedelta(minutes=self.core.settings.rules.visit_wait_minutes)
        done = {"closed": 0, "signed_out": 0, "expired": 0}
        for visit in self.core.open_records(Kind.VISIT, Visit):
            try:
                if (
                    visit.status in ("waiting_host", "waiting_approval")
                    and visit.created_at < waited
                ):
                    self.core.transition(Visit, visit.number, "give_up", SYSTEM, "访客已离开")
                    done["closed"] += 1
                elif visit.status == "admitted" and visit.valid_until and visit.valid_until < now:
                    self.core.transition(Visit, visit.number, "auto_check_out", SYSTEM,
                                         time_out=visit.valid_until)  # fmt: skip
                    done["signed_out"] += 1
                elif (visit.status == "preauthorised" and visit.valid_until
                      and visit.valid_until < now):  # fmt: skip
                    self.core.transition(Visit, visit.number, "expire", SYSTEM)
                    done["expired"] += 1
            except (TransitionRefused, NotFound):  # another process moved it first
                continue
        if any(done.values()):
            log.info("visits tick: %s", done)
        return done
