"""Settings: one TOML file read once into frozen dataclasses (built only here)."""

from __future__ import annotations

import dataclasses
import logging
import os
import tomllib
import types
import typing
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

from desk.config_checks import check_settings
from desk.config_devices import DeviceSettings, apply_lock_scan
from desk.config_hotline import HotlineSettings
from desk.config_kiosk import KioskSettings
from desk.config_notices import NoticeSettings
from desk.config_ops import OperationsSettings
from desk.config_policy import PolicySettings

log = logging.getLogger(__name__)

ENV_CONFIG = "RECEPTION_CONFIG"
ENV_DATA_DIR = "RECEPTION_DATA"
DEFAULT_CONFIG_PATHS = (Path("/etc/reception/reception.toml"),)


class ConfigError(ValueError):
    """A setting is missing, unknown or of the wrong type; the message names it."""


@dataclass(frozen=True)
class SiteSettings:
    name: str = "幸福家园物业客服中心"
    """Office name used in greetings (T1) and on every receipt."""
    compound: str = "幸福家园"
    """Compound (小区) name."""
    hotline_number: str = "0755-88886666"
    """Public hotline number printed on receipts and spoken by the IVR."""
    timezone: str = "Asia/Shanghai"
    """Time zone of the compound; all deadlines are computed in it."""
    demo: bool = True
    """The demo compound: the demo staff logins work. True only in the built-in defaults;
    a settings file for a real site turns it off unless it says ``demo = true``."""


@dataclass(frozen=True)
class HoursSettings:
    staffed_from: time = time(7, 30)
    """Start of staffed desk hours (L1)."""
    staffed_until: time = time(20, 0)
    """End of staffed desk hours (L1); complaints are taken 24 h regardless."""


@dataclass(frozen=True)
class RetentionSettings:
    visitor_days: int = 90
    """Days a visit keeps its personal data before the purge anonymises it (X2)."""
    call_audio_days: int = 30
    """Days recorded hotline call audio (``hotline/audio/<day>/``) is kept (X2)."""
    recording_days: int = 30
    """Days the kiosk's spoken repair notes (``audio/kiosk-*.wav``) are kept (X2)."""
    key_loan_days: int = 365
    """Days after its return a key loan keeps the borrower's ID and phone (K2, X2)."""
    proxy_pickup_days: int = 90
    """Days a proxy pickup keeps the proxy's name and ID (P3, X2)."""
    call_record_days: int = 180
    """Days a hotline call record keeps the caller's number (T3 callbacks need 7; X2)."""
    snapshot_days: int = 14
    """Daily store snapshots kept before rotation."""


@dataclass(frozen=True)
class RulesSettings:
    pickup_max_failures: int = 5
    """Wrong pickup codes from one source before it is locked out."""
    pickup_lockout_minutes: int = 5
    """Length of the pickup lockout."""
    pickup_window_minutes: int = 15
    """Sliding window over which wrong pickup codes are counted (per source and globally)."""
    pickup_global_max_failures: int = 30
    """Wrong pickup codes from all sources together within the window that lock every source."""
    pickup_global_lockout_minutes: int = 15
    """Length of that global lock (guessing spread over many sources)."""
    staff_max_failures: int = 3
    """Wrong staff PINs (per terminal and per account) before the login is delayed."""
    staff_lockout_seconds: int = 30
    """First login delay after too many wrong PINs; it doubles with each further failure."""
    staff_setup_hours: int = 72
    """A new or reset staff account's one-time setup code works this long (first login)."""
    visit_open_hours: int = 12
    """A visit still open after this many hours is listed for the guard."""
    visit_pass_hours: int = 8
    """V1: a pass is valid this long after admission; then the visit is signed out by itself."""
    visit_wait_minutes: int = 20
    """Issue 12: a visit still waiting for the host or a guard this long is closed (gone)."""
    due_soon_minutes: int = 30
    """A deadline closer than this is reported as 'due soon' / at risk (R4)."""
    collective_households: int = 5
    """Households complaining about the same event that make it collective (C2)."""
    collective_window_hours: int = 48
    """Complaints within this window are compared for a collective event."""
    parcel_overdue_days: int = 7
    """An uncollected parcel older than this is overdue and reminded (P4)."""


@dataclass(frozen=True)
class StoreSettings:
    data_dir: Path = Path("data")
    """Data directory (created 0700). Overridden by $RECEPTION_DATA."""
    compact_every: int = 2000
    """Log entries between compactions of the table files."""
    cache_records: int = 8000
    """Records of recently used days kept in memory (LRU by day); other lookups read one record from disk."""
    audit_key: Path | None = None
    """HMAC key of the audit chain (L2), kept apart from the data (0600, created with the
    store). Default: a sibling of the data dir, ``<data_dir>.audit.key``; in production
    e.g. ``/etc/reception/audit.key``. Back it up apart from the data backups."""


@dataclass(frozen=True)
class Settings:
    site: SiteSettings = field(default_factory=SiteSettings)
    """Who we are."""
    hours: HoursSettings = field(default_factory=HoursSettings)
    """When the desk is staffed."""
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    """How long data is kept."""
    rules: RulesSettings = field(default_factory=RulesSettings)
    """Tunable rule parameters."""
    policy: PolicySettings = field(default_factory=PolicySettings)
    """Repair slots, urgency and emergency words, couriers: one policy for every channel."""
    store: StoreSettings = field(default_factory=StoreSettings)
    """Where and how records are stored."""
    devices: DeviceSettings = field(default_factory=DeviceSettings)
    """Printer and lock boards."""
    kiosk: KioskSettings = field(default_factory=KioskSettings)
    """Lobby touchscreen."""
    hotline: HotlineSettings = field(default_factory=HotlineSettings)
    """Hotline IVR."""
    operations: OperationsSettings = field(default_factory=OperationsSettings)
    """Backups, disk space and go-live checks."""
    notices: NoticeSettings = field(default_factory=NoticeSettings)
    """SMS notices (modem, quiet hours, pacing, duty phone)."""
    source: str = "<defaults>"
    """Where these settings were read from."""


def _convert(value: Any, hint: Any, name: str) -> Any:
    origin = typing.get_origin(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(f"[{name}] must be a table, got {value!r}")
        return build_section(hint, value, name)
    if hint is Path:
        return Path(str(value)).expanduser()
    if hint is time:
        if isinstance(value, time):
            return value
        try:
            return time.fromisoformat(str(value))
        except ValueError as exc:
            raise ConfigError(f"{name} must be a time like 07:30, got {value!r}") from exc
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be true or false, got {value!r}")
        return value
    if hint in (int, float, str):
        if hint is float and isinstance(value, int):
            return float(value)
        if not isinstance(value, hint) or isinstance(value, bool):
            raise ConfigError(f"{name} must be {hint.__name__}, got {value!r}")
        return value
    if origin in (tuple, list):
        args = typing.get_args(hint)
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{name} must be a list, got {value!r}")
        inner = args[0] if args else Any
        return tuple(_convert(v, inner, f"{name}[]") for v in value)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{name} must be a table, got {value!r}")
        _, vhint = typing.get_args(hint) or (str, Any)
        return types.MappingProxyType(
            {str(k): _convert(v, vhint, f"{name}.{k}") for k, v in value.items()}
        )
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _convert(value, members[0], name)
    return value


def build_section(cls: type, mapping: dict[str, Any], name: str = "") -> Any:
    """Build the frozen dataclass ``cls`` from a TOML table; unknown keys are errors."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = set(mapping) - known
    if unknown:
        raise ConfigError(f"unknown setting(s) in [{name or cls.__name__}]: {sorted(unknown)}")
    kwargs = {
        key: _convert(value, hints[key], f"{name}.{key}" if name else key)
        for key, value in mapping.items()
    }
    try:
        return cls(**kwargs)
    except ValueError as exc:  # a section's own range checks (__post_init__)
        raise ConfigError(str(exc)) from exc


def read_text_any(path: Path) -> str:
    """A text file in UTF-8 (with or without BOM) or, as Excel and Notepad on Chinese
    Windows save it, GBK/GB18030; anything else is refused naming the file."""
    from desk.textfile import decode_text

    try:
        return decode_text(path.read_bytes(), str(path))
    except UnicodeError as exc:
        raise ConfigError(str(exc)) from exc


def load_settings(path: Path | None = None, data_dir: Path | None = None) -> Settings:
    """Read settings from ``path`` (or $RECEPTION_CONFIG, /etc/reception) or use the demo defaults."""
    candidates = [path] if path else []
    if not path and os.environ.get(ENV_CONFIG):
        candidates.append(Path(os.environ[ENV_CONFIG]))
    if not path and not candidates:
        candidates.extend(DEFAULT_CONFIG_PATHS)
    raw: dict[str, Any] = {}
    source = "<defaults>"
    for candidate in candidates:
        if candidate and candidate.exists():
            try:
                raw = tomllib.loads(read_text_any(candidate))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{candidate}: not valid TOML: {exc}") from exc
            source = str(candidate)
            break
        if path is not None:
            raise ConfigError(f"config file not found: {candidate}")
    raw.pop("source", None)
    if source != "<defaults>":
        # A real site's file: the demo logins refuse to work unless it asks for the demo.
        raw["site"] = {"demo": False, **(raw.get("site") or {})}
    settings = build_section(Settings, raw)
    env_dir = os.environ.get(ENV_DATA_DIR)
    chosen_dir = data_dir or (Path(env_dir) if env_dir else None)
    if chosen_dir is not None:
        settings = dataclasses.replace(
            settings, store=dataclasses.replace(settings.store, data_dir=Path(chosen_dir))
        )
    devices = apply_lock_scan(settings.devices, raw.get("devices", {}), settings.store.data_dir)
    settings = dataclasses.replace(settings, devices=devices, source=source)
    check_settings(settings)
    log.debug("settings loaded from %s", source)
    return settings
