"""The kiosk's complaints (C1-C4): filed by a visitor or by staff for letters, e-mails and
walk-ins; classified, contacted, handled, answered and resolved from the staff screen."""

from __future__ import annotations

import logging
from typing import Any

from desk.records import Actor
from desk.services.requests import ComplaintRequest

log = logging.getLogger(__name__)

COMPLAINT_STEPS = (
    ("classify", "分类定级"),
    ("contact", "已联系客户"),
    ("handle", "记录处理"),
    ("reply", "答复客户"),
    ("resolve", "处理完毕"),
)


class ComplaintsMixin:
    """Mixed into ``KioskBackend`` (``desk``, ``reporter``, ``staff_actor``)."""

    desk: Any

    def staff_actor(self) -> Actor: ...

    def reporter(self, location: str, name: str, phone: str) -> Actor: ...

    def file_complaint(self, values: dict[str, str], staff: bool = False) -> Any:
        """C1: from the visitor-facing form, or by staff (the channel given, the login named)."""
        req = ComplaintRequest(
            content=values.get("content", ""), name=values.get("name", ""),
            unit=values.get("unit", ""), phone=values.get("phone", ""),
            channel=values.get("channel", "desk") if staff else "kiosk",
            category=values.get("category", "other"), wants=values.get("wants", ""),
        )  # fmt: skip
        actor = self.staff_actor() if staff else self.reporter(req.unit, req.name, req.phone)
        return self.desk.complaints.file(req, actor)

    def complaint_steps(self, number: str) -> list[tuple[str, str]]:
        """What staff can do with the complaint now."""
        c = self.desk.get(number)
        steps = []
        for action, zh in COMPLAINT_STEPS:
            if action == "classify" and c.status != "received":
                continue
            if action == "contact" and c.contacted_at is not None:
                continue
            if action == "reply" and c.status not in ("received", "classified"):
                continue
            if action == "resolve" and c.status not in ("classified", "replied"):
                continue
            steps.append((action, zh))
        return steps

    def complaint_step(self, number: str, action: str, **kw: Any) -> str:
        c, actor = self.desk.complaints, self.staff_actor()
        if action == "classify":
            done = c.classify(
                number, actor, kw["validity"], kw.get("reason", ""), kw.get("severity", "")
            )
        elif action == "contact":
            done = c.contact(number, actor, kw.get("note", ""))
        elif action == "handle":
            done = c.handle(number, actor, kw.get("note", ""))
        elif action == "reply":
            done = c.reply(number, actor, kw.get("note", ""))
        else:
            done = c.resolve(number, actor, kw.get("note", ""))
        return done.history[-1].note

    def collective_complaints(self) -> list[Any]:
        return self.desk.complaints.collective()
