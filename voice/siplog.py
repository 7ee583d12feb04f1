"""PJSIP's log through Python logging, masked (X1): no caller number reaches stderr whole."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import Any

from desk.masking import mask_phone, mask_text

log = logging.getLogger("pjsip")

try:  # pragma: no cover - import guarded for machines without the wheel
    import pjsua2 as pj
except ImportError:  # pragma: no cover
    pj = None

_URI_USER_RE = re.compile(r"((?:sips?|tel):)([+0-9][0-9\-]{3,})(?=[@;>\s]|$)", re.IGNORECASE)
_QUOTED_NUMBER_RE = re.compile(r'"\s*(\+?[0-9][0-9\- ]{4,})\s*"')
_LONG_DIGITS_RE = re.compile(r"(?<![0-9.:])\+?[0-9]{7,}(?![0-9.])")
LEVELS = {0: logging.CRITICAL, 1: logging.ERROR, 2: logging.WARNING, 3: logging.INFO}


def mask_sip_text(text: str) -> str:
    """Mask phone numbers in SIP text: URI users, quoted display names, long digit runs."""
    text = _URI_USER_RE.sub(lambda m: m.group(1) + mask_phone(m.group(2)), text)
    text = _QUOTED_NUMBER_RE.sub(lambda m: '"' + mask_phone(m.group(1)) + '"', text)
    text = _LONG_DIGITS_RE.sub(lambda m: mask_phone(m.group(0)), mask_text(text))
    return text


def write(level: int, msg: str) -> None:
    """One PJSIP log entry (pj level 1 error .. 6 trace) into the ``pjsip`` logger."""
    py_level = LEVELS.get(level, logging.DEBUG)
    if log.isEnabledFor(py_level):
        log.log(py_level, "%s", mask_sip_text(msg.rstrip("\n")))


if pj is not None:

    class PjLogWriter(pj.LogWriter):
        def write(self, entry: Any) -> None:
            with contextlib.suppress(Exception):  # never raise into PJSIP
                write(entry.level, entry.msg)


def pj_log_writer() -> Any:
    """A pj.LogWriter for EpConfig.logConfig.writer (keep a reference while the lib runs)."""
    return PjLogWriter()
