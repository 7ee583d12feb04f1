"""Finding a visitor's host at the public kiosk: a full unit or full name gives one unit, never a list (X1)."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Protocol

from desk import validate
from desk.errors import ValidationError

log = logging.getLogger(__name__)

MIN_NAME_CHARS = 2
_NAME_RE = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·]{2,}$|^[A-Za-z][A-Za-z .'-]{2,}$")


class Directory(Protocol):
    """What the lookup needs of the Desk."""

    def residents_of(self, unit: str) -> list[Any]: ...

    def search(self, initials: str) -> list[Any]: ...


@dataclass(frozen=True)
class HostMatch:
    """At most one unit, and what to tell the visitor."""

    unit: str | None
    message: str


def _initials(name: str) -> str:
    from pypinyin import Style, lazy_pinyin  # as the register stores them (Owner.initials)

    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower()


def public_host_lookup(directory: Directory, query: str) -> HostMatch:
    """V1/X1: the unit of the host named in full (张华) or given in full (3-2-501, 3栋2单元501室).

    A partial name, one letter or a name shared by several households gives no unit, and no
    resident's name is ever returned: the public screen shows only the unit the visitor named.
    """
    text = unicodedata.normalize("NFKC", query or "").strip()
    if not text:
        return HostMatch(None, "请输入住户的完整姓名或完整房号")
    if any(ch.isdigit() for ch in text):
        try:
            unit = validate.unit_key(*validate.parse_unit(text))
        except ValidationError:
            return HostMatch(None, "房号请输入完整，例如 3-2-501")
        if directory.residents_of(unit):
            return HostMatch(unit, "")
        return HostMatch(None, "没有这个房号，请核对")
    if not _NAME_RE.fullmatch(text):
        return HostMatch(None, "请输入住户的完整姓名")
    wanted = text.replace(" ", "").lower()
    units = {
        o.unit
        for o in directory.search(_initials(text))
        if o.name.replace(" ", "").lower() == wanted
    }
    if len(units) == 1:
        return HostMatch(units.pop(), "")
    if units:  # several households: naming one of them would tell who lives where
        log.info("public lookup: name matches %d units; asked for the unit", len(units))
        return HostMatch(None, "有多户同名住户，请输入完整房号")
    return HostMatch(None, "没有找到这位住户，请核对姓名或输入完整房号")
