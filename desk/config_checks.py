"""Range checks of every setting (issue 10 item 18): a bad value is refused naming its key."""

from __future__ import annotations

import codecs
import dataclasses
import logging
import math
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

INF = math.inf

RANGES: dict[str, tuple[float, float]] = {
    "retention.visitor_days": (1, 36500),
    "retention.call_audio_days": (1, 36500),
    "retention.recording_days": (1, 36500),
    "retention.key_loan_days": (1, 36500),
    "retention.proxy_pickup_days": (1, 36500),
    "retention.call_record_days": (8, 36500),
    "retention.snapshot_days": (1, 3650),
    "rules.pickup_max_failures": (1, 100),
    "rules.pickup_lockout_minutes": (1, 24 * 60),
    "rules.visit_open_hours": (1, 24 * 30),
    "rules.due_soon_minutes": (1, 24 * 60),
    "rules.collective_households": (2, 10000),
    "rules.collective_window_hours": (1, 24 * 365),
    "rules.parcel_overdue_days": (1, 365),
    "store.compact_every": (10, 10_000_000),
    "store.cache_records": (1, 100_000_000),
    "hotline.nice": (-20, 19),
    "hotline.out_port": (0, 65535),
    "hotline.max_calls": (1, 100),
    "hotline.outbound_attempts": (1, 100),
    "hotline.tts_rate": (20, 600),
    "hotline.asr_min_margin": (0, INF),
    "kiosk.width": (320, 10000),
    "kiosk.height": (240, 10000),
    "devices.paper_width_mm": (40, 120),
    "devices.lock_retries": (0, 20),
    "devices.sim_lock_answer_ms": (0, 60_000),
}
"""Allowed [min, max] of numeric settings by key; others follow the rules by name below."""


def _default_range(key: str) -> tuple[float, float]:
    name = key.rsplit(".", 1)[-1]
    if name.endswith("_port"):
        return (1, 65535)
    if name.endswith(("baud",)):
        return (300, 4_000_000)
    if name.endswith(("_days", "_hours", "_minutes", "_seconds", "_s", "_ms")):
        return (math.ulp(0.0), INF)  # durations: more than zero
    return (0, INF)


def _check_number(key: str, value: float) -> None:
    from desk.config import ConfigError

    low, high = RANGES.get(key) or _default_range(key)
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key} must be a finite number, got {value!r}")
    if value < low or value > high:
        if high == INF:
            what = "more than 0" if 0 < low < 1 else f"at least {low:g}"
        else:
            what = f"between {low:g} and {high:g}"
        raise ConfigError(f"{key} must be {what}, got {value!r}")


def _walk(section: Any, prefix: str) -> list[tuple[str, Any]]:
    out = []
    for f in dataclasses.fields(section):
        value = getattr(section, f.name)
        key = f"{prefix}.{f.name}" if prefix else f.name
        if dataclasses.is_dataclass(value):
            out.extend(_walk(value, key))
        else:
            out.append((key, value))
    return out


def check_settings(settings: Any) -> None:
    """Raise ConfigError naming the first setting out of its range (called by load_settings)."""
    from desk.config import ConfigError

    for key, value in _walk(settings, ""):
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float):
            _check_number(key, value)
    try:
        ZoneInfo(settings.site.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"site.timezone: unknown time zone {settings.site.timezone!r} (e.g. Asia/Shanghai)"
        ) from exc
    hours = settings.hours
    if not hours.staffed_from < hours.staffed_until:
        raise ConfigError("hours.staffed_from must be before hours.staffed_until")
    if settings.kiosk.idle_warning_seconds >= settings.kiosk.idle_seconds:
        raise ConfigError("kiosk.idle_warning_seconds must be less than kiosk.idle_seconds")
    try:
        codecs.lookup(settings.devices.printer_encoding)
    except LookupError as exc:
        raise ConfigError(
            f"devices.printer_encoding: unknown encoding {settings.devices.printer_encoding!r}"
        ) from exc
    if not str(settings.store.data_dir).strip():
        raise ConfigError("store.data_dir must not be empty")
