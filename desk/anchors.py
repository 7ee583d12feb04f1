"""Audit anchors (L2, L3): the chain head written on the handover and read back by verify."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

from desk.audit import Anchor

if TYPE_CHECKING:
    from desk.store import Store

log = logging.getLogger(__name__)

ANCHOR_LABEL = "审计锚点"
_ANCHOR_RE = re.compile(ANCHOR_LABEL + r"\s*((?:[0-9]+:)?[0-9a-f]{8,64})")


def anchor_line(store: Store) -> str:
    """The line printed on the handover slip and written into the handover's duty-log page."""
    return f"{ANCHOR_LABEL} {store.anchor()}"


def anchors_in_duty_log(store: Store) -> list[Anchor]:
    """Every anchor written into the duty log (handover pages), oldest first."""
    found = []
    for doc in store.iter_days("duty_log"):
        for match in _ANCHOR_RE.finditer(str(doc.get("text") or "")):
            found.append(Anchor.parse(match.group(1)))
    return found
