"""What the system says about its clock: NTP sync, offset and time zone (timedatectl, chronyc)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

Runner = Callable[[list[str], float], tuple[int, str] | None]
"""Run a command with a timeout: (exit code, stdout), or None when it cannot run at all."""


def run_command(argv: list[str], timeout: float) -> tuple[int, str] | None:
    """The one place `reception check` runs a system tool (tests pass their own runner)."""
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False,
            env={**os.environ, "LC_ALL": "C"},
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.debug("%s: %s", argv[0], exc)
        return None
    return done.returncode, done.stdout


@dataclass(frozen=True)
class ClockFacts:
    """The clock as the system reports it (None: could not be told)."""

    now: datetime
    """The current time, aware."""
    synchronised: bool | None = None
    """The kernel clock is disciplined by NTP (timedatectl NTPSynchronized / chrony leap)."""
    ntp_active: bool | None = None
    """An NTP client is enabled and has a source."""
    offset_s: float | None = None
    """Measured offset from the NTP reference, seconds (chronyc tracking)."""
    timezone: str | None = None
    """The system's time zone name (Asia/Shanghai)."""
    source: str = ""
    """Which tool told us."""


def _system_timezone() -> str | None:
    try:
        text = Path("/etc/timezone").read_text(encoding="utf-8").strip()
        if text:
            return text
    except OSError:
        pass
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        return os.environ.get("TZ") or None
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else None


def _timedatectl(run: Runner) -> dict[str, str] | None:
    got = run(["timedatectl", "show"], 3.0)
    if not got or got[0] != 0:
        return None
    return dict(line.split("=", 1) for line in got[1].splitlines() if "=" in line)


_CHRONY_OFFSET = re.compile(r"System time\s*:\s*([\d.]+) seconds (fast|slow)")


def _chrony(run: Runner) -> tuple[bool, bool, float | None] | None:
    """(synchronised, has a source, offset) from `chronyc -n tracking`."""
    got = run(["chronyc", "-n", "tracking"], 3.0)
    if not got or got[0] != 0:
        return None
    text = got[1]
    leap = re.search(r"Leap status\s*:\s*(.+)", text)
    ref = re.search(r"Reference ID\s*:\s*(\S+)", text)
    synced = bool(leap and leap.group(1).strip() == "Normal")
    has_source = bool(ref and ref.group(1) not in ("00000000", "7F7F0101"))
    m = _CHRONY_OFFSET.search(text)
    offset = float(m.group(1)) if m else None
    return synced, has_source, offset


def system_clock_facts(run: Runner = run_command) -> ClockFacts:
    """Ask timedatectl (systemd-timesyncd or chrony behind it), then chronyc directly."""
    now = datetime.now(UTC).astimezone()
    tdc = _timedatectl(run)
    chrony = _chrony(run)
    sources = []
    synced = ntp = None
    offset = None
    tz = None
    if tdc is not None:
        sources.append("timedatectl")
        tz = tdc.get("Timezone") or None
        synced = tdc.get("NTPSynchronized") == "yes"
        ntp = tdc.get("NTP") == "yes"
    if chrony is not None:
        sources.append("chronyc")
        c_synced, c_source, offset = chrony
        synced = c_synced if synced is None else (synced or c_synced)
        ntp = c_source if ntp is None else (ntp or c_source)
    return ClockFacts(
        now=now,
        synchronised=synced,
        ntp_active=ntp,
        offset_s=offset,
        timezone=tz or _system_timezone(),
        source="+".join(sources) or "none",
    )
