"""Small decisions of the visitor desk: who is a known visitor, who is on site, a message's fate."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass

from desk.record_types import Visit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class KnownVisitor:
    """Issue 16 item 2: what earlier visits of the same ID tell the form and the guard."""

    name: str
    count: int
    usual_host: str = ""
    """The unit visited most often; "" when the ID was typed (X1)."""
    plate: str = ""
    phone: str = ""


@dataclass(frozen=True)
class MessageOutcome:
    """Issue 12: whether a visitor's message reached someone who will pass it on."""

    delivered: bool
    title: str
    line: str


def known_from(earlier: list[Visit], from_card: bool) -> KnownVisitor | None:
    """The newest name, plate and phone, and the most visited unit, of earlier visits."""
    visits = [v for v in earlier if not v.anonymised and v.visitor_name]
    if not visits:
        return None
    visits.sort(key=lambda v: v.created_at, reverse=True)
    newest = visits[0]
    host = Counter(v.host_unit for v in visits).most_common(1)[0][0] if from_card else ""
    plate = next((v.plate for v in visits if v.plate), "")
    phone = next((v.phone for v in visits if v.phone), "")
    return KnownVisitor(newest.visitor_name, len(visits), host, plate, phone)


def on_site_of(open_visits: list[Visit]) -> list[Visit]:
    inside = [v for v in open_visits if v.status == "admitted"]
    return sorted(inside, key=lambda v: (v.time_in or v.created_at, v.number))
