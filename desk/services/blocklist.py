"""The blocklist (黑名单): people staff decided not to admit, found by a keyed hash of their ID."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from desk import validate
from desk.identity import is_staff
from desk.record_types_visitors import BlockEntry
from desk.records import Actor, Kind, StatusChange
from desk.services.base import AuthError, Core, NotFound

if TYPE_CHECKING:
    from desk.service import Desk
    from desk.services.requests import BlockRequest

log = logging.getLogger(__name__)


class Blocklist:
    """Staff add and remove entries; visitor registration checks every ID against them."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def add(self, req: BlockRequest, actor: Actor) -> BlockEntry:
        if not is_staff(actor):
            raise AuthError("只有工作人员可以添加黑名单")
        number_ = validate.id_number(req.id_type, req.id_number)
        digest = self.core.id_hash(req.id_type, number_)
        now = self.core.now()
        entry = BlockEntry(number=f"B{digest[:16]}", created_at=now, status="active",
                           history=(StatusChange(now, "active", actor, "加入黑名单"),),
                           id_hash=digest, name=req.name.strip(), reason=req.reason.strip(),
                           until=req.until.isoformat() if req.until else "",
                           decided_by=req.decided_by.strip())  # fmt: skip
        self.core.put_directory(entry, actor)
        log.info("blocklist entry %s added by %s", entry.number, actor.name)
        return entry

    def remove(self, number: str, actor: Actor, note: str = "移出黑名单") -> BlockEntry:
        if not is_staff(actor):
            raise AuthError("只有工作人员可以移出黑名单")
        entry = self._get(number)
        now = self.core.now()
        updated = entry.replace(status="removed",
                                history=(*entry.history, StatusChange(now, "removed", actor, note)))  # fmt: skip
        self.core.put_directory(updated, actor)
        return updated

    def _get(self, number: str) -> BlockEntry:
        self.core.store.refresh()
        doc = self.core.store.get(str(Kind.BLOCK), number.strip())
        if doc is None:
            raise NotFound(f"黑名单中没有 {number}")
        return BlockEntry.from_doc(doc)

    def entries(self, include_ended: bool = False) -> list[BlockEntry]:
        today = self.core.now().date()
        found = [BlockEntry.from_doc(d) for d in self.core.store.all_docs(str(Kind.BLOCK))]
        if not include_ended:
            found = [e for e in found if e.blocks(today)]
        return sorted(found, key=lambda e: e.created_at)

    def check(self, id_type: str, id_number: str) -> BlockEntry | None:
        """The entry that blocks this ID today, if any."""
        digest = self.core.id_hash(id_type, id_number)
        return self.by_hash(digest) if digest else None

    def by_hash(self, digest: str) -> BlockEntry | None:
        today = self.core.now().date()
        self.core.store.refresh()
        for doc in self.core.store.find(str(Kind.BLOCK), "id_hash", digest):
            entry = BlockEntry.from_doc(doc)
            if entry.blocks(today):
                return entry
        return None
