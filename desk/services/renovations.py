"""Renovations (V4): registered by staff; a worker's pass is valid only on its days and hours."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from desk.errors import DeskError
from desk.identity import is_staff
from desk.record_types_visitors import Renovation
from desk.records import Actor, Kind, StatusChange
from desk.services.base import AuthError, Core
from desk.validate import format_unit_zh
from desk.workdays import is_working_day

if TYPE_CHECKING:
    from desk.service import Desk
    from desk.services.requests import RenovationRequest

log = logging.getLogger(__name__)


class PassRefused(DeskError):
    """V4: no worker's pass now (unknown permit, renovation ended, out of its days or hours)."""

    def __init__(self, template: str, **params: str) -> None:
        self.template, self.params = template, params
        """The words with {placeholders}, so a front end can say them in another language."""
        self.message = template.format(**params)
        super().__init__(self.message)


def permit_key(permit: str) -> str:
    return "".join(permit.split()).upper()


class Renovations:
    """The renovation register and the V4 decision on a worker's pass."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def add(self, req: RenovationRequest, actor: Actor) -> Renovation:
        if not is_staff(actor):
            raise AuthError("只有工作人员可以登记装修")
        now = self.core.now()
        permit = permit_key(req.permit)
        reno = Renovation(number=f"R{permit}", created_at=now, status="active",
                          history=(StatusChange(now, "active", actor, "登记装修"),),
                          unit=req.unit, company=req.company.strip(), permit=permit,
                          first_day=req.first_day.isoformat(), last_day=req.last_day.isoformat(),
                          hours_from=req.hours_from.strftime("%H:%M"),
                          hours_until=req.hours_until.strftime("%H:%M"),
                          workdays_only=req.workdays_only,
                          workers=tuple(w.strip() for w in req.workers if w.strip()),
                          contact_phone=req.contact_phone)  # fmt: skip
        if self.by_permit(permit) is not None:
            raise PassRefused("施工证 {permit} 已登记", permit=permit)
        self.core.put_directory(reno, actor)
        log.info("renovation %s of %s registered by %s", permit, req.unit, actor.name)
        return reno

    def by_permit(self, permit: str) -> Renovation | None:
        self.core.store.refresh()
        doc = self.core.store.get(str(Kind.RENOVATION), f"R{permit_key(permit)}")
        return Renovation.from_doc(doc) if doc else None

    def listing(self, include_ended: bool = False) -> list[Renovation]:
        today = self.core.now().date()
        self.core.store.refresh()
        found = [Renovation.from_doc(d) for d in self.core.store.all_docs(str(Kind.RENOVATION))]
        if not include_ended:
            found = [r for r in found if r.status == "active" and r.end >= today]
        return sorted(found, key=lambda r: (r.first_day, r.unit))

    def pass_window(self, permit: str, when: datetime | None = None) -> tuple[Renovation, datetime]:
        """V4: the renovation and the end of today's hours, or PassRefused saying why."""
        now = when or self.core.now()
        reno = self.by_permit(permit) if permit.strip() else None
        if reno is None or reno.status != "active":
            raise PassRefused("没有这个施工证，请业主或装修公司到前台登记装修")
        today = now.date()
        if today > reno.end:
            raise PassRefused(
                "装修已于 {day} 结束，不能再办出入证，请到前台续期", day=f"{reno.end:%m-%d}"
            )
        if today < reno.start:
            raise PassRefused("装修 {day} 开始，今天不能入场施工", day=f"{reno.start:%m-%d}")
        if reno.workdays_only and not is_working_day(today):
            raise PassRefused("周末和节假日不得装修施工")
        start, end = reno.window(today, now.tzinfo)
        if not start <= now < end:
            raise PassRefused("施工时间为 {start}–{end}，现在不能入场施工",
                              start=reno.hours_from, end=reno.hours_until)  # fmt: skip
        return reno, end

    def describe(self, reno: Renovation) -> str:
        """One line for the guard: unit, company, permit, dates and hours."""
        return (f"{format_unit_zh(reno.unit)} {reno.company} 证号 {reno.permit} "
                f"{reno.first_day}至{reno.last_day} {reno.hours_from}–{reno.hours_until}")  # fmt: skip
