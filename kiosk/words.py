"""Words people use on screens: units as 1栋1单元102室, roles in Chinese, no rule ids, full-width ？！."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from desk.records import format_number
from desk.validate import unit_label_zh

log = logging.getLogger(__name__)

ROLES_ZH = {"guard": "保安", "staff": "客服", "supervisor": "主管", "system": "系统"}
"""Roles (and the demo logins named after them) as people at the desk say them."""
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

_HAN = r"[\u3400-\u9fff]"
_NUMBER = re.compile(r"(?<![\d-])\d{11}(?![\d-])")
_UNIT = re.compile(r"(?<![\w-])(\d{1,3})-(\d{1,2})-(\d{2,5})(?![\w-])")
_PUBLIC = re.compile(r"public:([^，。,;；\s]*)")
_RULE_ID = re.compile(
    r"\s*(?:（[VRPKCTLESX]\d）|\([VRPKCTLESX]\d\)|(?<![A-Za-z0-9])[VRPKCTLESX]\d(?![A-Za-z0-9]))"
)
_ROLE_PREFIX = re.compile(r"\b(guard|staff|supervisor|system)\b\s*[:：]\s*")
_HALF = {"?": "？", "!": "！"}


def role_zh(name: str) -> str:
    """ "guard" -> 保安; a person's name unchanged."""
    key = name.strip().lower().removeprefix("role.")
    return ROLES_ZH.get(key, name)


def full_width(text: str) -> str:
    """Half-width ? and ! after Chinese text become ？ and ！."""
    return re.sub(rf"(?<={_HAN})[?!]|(?<=[，。？！）])[?!]", lambda m: _HALF[m.group()], text)


def readable(text: str) -> str:
    """Text from the core as people read it: 2-261123-0003 for 22611230003, 1栋1单元102室 for
    1-1-102, 公共区域（大堂） for public:大堂, 保安 for guard:, no rule ids, full-width ？！."""
    text = _NUMBER.sub(lambda m: format_number(m.group()), text)
    text = _UNIT.sub(lambda m: unit_label_zh(m.group()), text)
    text = _PUBLIC.sub(lambda m: unit_label_zh(m.group()), text)
    text = _ROLE_PREFIX.sub(lambda m: ROLES_ZH[m.group(1)] + "：", text)
    text = _RULE_ID.sub("", text)
    return full_width(text)


def slot_zh(start: datetime, end: datetime) -> str:
    """A repair slot with its weekday: 周一 11-30 09:00–11:00."""
    return f"{WEEKDAYS_ZH[start.weekday()]} {start:%m-%d %H:%M}–{end:%H:%M}"
