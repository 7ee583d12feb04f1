"""The one masking helper (X1): ID numbers, phone numbers and names as shown, printed or logged."""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

STAR = "*"

# Separators kept as they are inside names ("Anna Maria", "迪丽热巴·迪力木拉提").
_NAME_SEPARATORS = frozenset(" ·・.-'")
_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _keep(value: str, head: int, tail: int) -> str:
    """Keep `head` leading and `tail` trailing characters; one star per hidden character."""
    hidden = len(value) - head - tail
    if hidden <= 0:
        return STAR * len(value)
    return value[:head] + STAR * hidden + value[len(value) - tail :]


def mask_id(value: str) -> str:
    """Mask an ID number: 18-char resident ID keeps 3+4, anything else keeps 1+2.

    Strings of 3 characters or fewer are starred completely; surrounding spaces are dropped.
    """
    value = (value or "").strip()
    if len(value) == 18:
        return _keep(value, 3, 4)
    if len(value) <= 3:
        return STAR * len(value)
    return _keep(value, 1, 2)


def mask_phone(value: str) -> str:
    """Mask a phone number: mobile `138****5678`, landline `0755-****6666`.

    Numbers of 5 characters or fewer (110, 12345, 95588: public service numbers, or
    fragments too short to identify anyone) are returned unchanged.
    """
    raw = (value or "").strip()
    digits = re.sub(r"[\s\-()（）]", "", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if _MOBILE_RE.match(digits):
        return digits[:3] + STAR * 4 + digits[7:]
    if len(digits) <= 5:
        return raw
    if digits.isdigit() and digits.startswith("0") and 10 <= len(digits) <= 12:
        area = 3 if digits.startswith(("010", "02")) else 4
        local = digits[area:]
        return digits[:area] + "-" + _keep(local, 0, 4)
    if digits.isdigit() and 7 <= len(digits) <= 8:
        return _keep(digits, 0, 4)
    return _keep(digits, 1, 2)


def mask_name(value: str) -> str:
    """Mask a person's name: keep the first character (张*, 欧阳**, J*** *****)."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) == 1:
        return STAR
    return value[0] + "".join(c if c in _NAME_SEPARATORS else STAR for c in value[1:])


def mask_address(value: str, keep: int = 6) -> str:
    """Mask a home address: keep the first ``keep`` characters (province, city), star the rest."""
    value = (value or "").strip()
    if len(value) <= keep:
        return STAR * len(value)
    return value[:keep] + STAR * 4


# --- free text / log records -----------------------------------------------------------

# A run of digits, with an X where resident IDs end it, not glued to other digits. Digits
# after the X belong to the run: "…001X0" must not leave the 17 digits before X unmasked.
_DIGIT_RUN_RE = re.compile(r"(?<![0-9])[0-9]{11,}(?:[Xx][0-9]*)?(?![0-9])")
# Mobile numbers written in groups: 138-1234-5678, 138 1234 5678, +86 138...
_GROUPED_MOBILE_RE = re.compile(r"(?<![0-9])1[3-9][0-9][ \-][0-9]{4}[ \-][0-9]{4}(?![0-9])")


def _mask_run(match: re.Match[str]) -> str:
    run = match.group(0)
    if run[-1] in "Xx" and len(run) != 18:
        return _mask_run_digits(run[:-1]) + run[-1]
    return _mask_run_digits(run)


def _mask_run_digits(run: str) -> str:
    if len(run) == 18:
        return mask_id(run)
    if len(run) > 18:
        # Longer runs may hide an ID inside: keep only the ends.
        return _keep(run, 3, 4)
    if len(run) == 11 and _MOBILE_RE.match(run):
        return mask_phone(run)
    if len(run) == 13 and run.startswith("86") and _MOBILE_RE.match(run[2:]):
        return "86" + mask_phone(run[2:])
    return run


# Landlines: area code (010, 02x, 0xxx) and a 7-8 digit local number starting 2-9, with a
# dash, a space or nothing between them ("0755-88886666", "075588886666").
_LANDLINE_RE = re.compile(r"(?<![0-9])0(?:10|2[0-9]|[3-9][0-9]{2})[ \-]?[2-9][0-9]{6,7}(?![0-9])")


def mask_text(text: str) -> str:
    """Mask every resident ID (18 digits, optional X), mobile and landline number in free text.

    Digit runs longer than 18 are masked too (an ID could hide inside); other runs of
    11-17 digits (tracking numbers, timestamps) are kept unless they are phone numbers.
    """
    if not text:
        return text
    text = _DIGIT_RUN_RE.sub(_mask_run, text)
    text = _GROUPED_MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)
    return _LANDLINE_RE.sub(lambda m: mask_phone(m.group(0)), text)


def for_terminal(text: str, limit: int | None = None) -> str:
    """Stored text as it may be shown: masked (X1) first, then cut to ``limit`` characters,
    with control and format characters (terminal escapes, direction overrides) removed."""
    import unicodedata

    text = mask_text(str(text))
    text = "".join(
        " " if c in "\n\t" else c
        for c in text
        if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf")
    )
    return text if limit is None or len(text) <= limit else text[:limit] + "…"


def _mask_record(record: logging.LogRecord) -> None:
    """Merge the args into the message, then mask message, traceback and stack text."""
    if getattr(record, "_desk_masked", False):
        return
    try:
        message = record.getMessage()
    except Exception:  # bad format args: let logging report it, but mask what we can
        record.msg = mask_text(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {k: _mask_arg(v) for k, v in record.args.items()}
        elif record.args:
            record.args = tuple(_mask_arg(a) for a in record.args)
        return
    record.msg = mask_text(message)
    record.args = None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_text(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_text(record.stack_info)
    record._desk_masked = True


def _mask_arg(arg: Any) -> Any:
    return mask_text(arg) if isinstance(arg, str) else arg


class MaskingFilter(logging.Filter):
    """Logging filter that masks IDs and mobiles in a record's message and args (X1).

    The args are merged into the message first (`record.args` becomes None), so an ID
    inside any object's str() is caught too. Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        _mask_record(record)
        return True


_previous_factory: Any = None


def _masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _previous_factory(*args, **kwargs)
    _mask_record(record)
    return record


def install_log_masking() -> None:
    """Mask every log record of the process (X1); safe to call more than once.

    Two layers: a log-record factory masks each record when it is created, so it covers
    every logger and every handler, including handlers added later; and a MaskingFilter
    on each handler the root logger has now (records built by hand and passed to
    `Logger.handle` bypass the factory).
    """
    global _previous_factory
    if _previous_factory is None:
        _previous_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_masking_factory)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())


def uninstall_log_masking() -> None:
    """Undo install_log_masking (tests only)."""
    global _previous_factory
    if _previous_factory is not None:
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
    for handler in logging.getLogger().handlers:
        for f in [f for f in handler.filters if isinstance(f, MaskingFilter)]:
            handler.removeFilter(f)
