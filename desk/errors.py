"""Exceptions of the desk core; their texts never carry a full ID or phone number (X1)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from desk.masking import mask_id, mask_name, mask_phone, mask_text

log = logging.getLogger(__name__)

_ID_FIELD_RE = re.compile(r"(id_number|resident_id|id_no|passport|permit|id_card)$")
_PHONE_FIELD_RE = re.compile(r"(phone|mobile|tel|caller)")
_SECRET_FIELD_RE = re.compile(r"(code|pin|password|secret)$")
_NAME_FIELD_RE = re.compile(r"(^|_)name$")


def shown_value(field: str, value: Any) -> Any:
    """The value as it may appear in a message: masked when the field holds personal data."""
    if not isinstance(value, str):
        return value
    if _ID_FIELD_RE.search(field):
        return mask_id(value)
    if _PHONE_FIELD_RE.search(field):
        return mask_phone(value)
    if _SECRET_FIELD_RE.search(field):
        return "*" * len(value)
    if _NAME_FIELD_RE.search(field):
        return mask_name(value)
    return mask_text(value)


class DeskError(Exception):
    """Base class of every error the desk core raises on purpose."""


class ValidationError(DeskError):
    """A field value was rejected; `message` is the Chinese text for the user.

    `value` keeps the raw input (for re-labelling); str() and args show it masked.
    """

    def __init__(self, field: str, value: Any, message: str) -> None:
        self.field = field
        self.value = value
        self.message = message
        super().__init__(f"{field}: {shown_value(field, value)!r} — {message}")


class LockedOut(DeskError):  # noqa: N818 (name fixed by the desk API)
    """P3: too many wrong pickup codes from one source; retry after `until`."""

    def __init__(self, source: str, until: datetime) -> None:
        self.source = source
        self.until = until
        super().__init__(
            f"{mask_phone(source) if _looks_like_phone(source) else source}: "
            f"错误次数过多，请于{until:%H:%M}后再试"
        )


def _looks_like_phone(source: str) -> bool:
    digits = re.sub(r"[\s\-+()]", "", source)
    return digits.isdigit() and len(digits) >= 7
