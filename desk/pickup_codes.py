"""Pickup codes and the wrong-code lockout (P3)."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Container
from datetime import datetime, timedelta
from typing import Any

from desk.clock import parse
from desk.errors import LockedOut
from desk.masking import mask_text

log = logging.getLogger(__name__)

CODE_DIGITS = 6
MAX_FAILURES = 5
"""Wrong codes from one source within WINDOW that lock it out."""
WINDOW = timedelta(minutes=15)
"""Failures older than this are forgotten."""
LOCK_FOR = timedelta(minutes=5)
"""Length of a lockout."""


def _parse(value: str) -> datetime:
    """A stored time, aware in the site's zone (older stores hold naive site-local times)."""
    return parse(value)


def new_pickup_code(taken: Container[str], digits: int = CODE_DIGITS) -> str:
    """A random code of `digits` digits (leading zeros kept) not among `taken`."""
    space = 10**digits
    for _ in range(1000):
        code = f"{secrets.randbelow(space):0{digits}d}"
        if code not in taken:
            return code
    raise RuntimeError("no free pickup code found; too many open codes")


class Lockout:
    """Counts wrong pickup codes per source (kiosk id or caller number) and locks it out.

    `max_failures` wrong codes within `window` lock the source for `lock_for`. Thread-safe;
    `to_dict()` / `from_dict()` give a JSON-friendly state for the store.
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window: timedelta = WINDOW,
        lock_for: timedelta = LOCK_FOR,
    ) -> None:
        if max_failures < 1:
            raise ValueError("max_failures must be at least 1")
        self.max_failures = max_failures
        self.window = window
        self.lock_for = lock_for
        self._failures: dict[str, list[datetime]] = {}
        self._locked_until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def check(self, source: str, now: datetime) -> None:
        """Raise LockedOut(source, until) while the source is locked out."""
        with self._lock:
            until = self._locked_until.get(source)
            if until is None:
                return
            if now < until:
                raise LockedOut(source, until)
            del self._locked_until[source]

    def record_failure(self, source: str, now: datetime) -> int:
        """Count one wrong code; returns the tries left before the lockout (0 = locked now)."""
        with self._lock:
            recent = [t for t in self._failures.get(source, []) if now - t < self.window]
            recent.append(now)
            if len(recent) >= self.max_failures:
                until = now + self.lock_for
                self._locked_until[source] = until
                self._failures.pop(source, None)
                log.warning("source %s locked out until %s", mask_text(source), until)
                return 0
            self._failures[source] = recent
            return self.max_failures - len(recent)

    def record_success(self, source: str) -> None:
        """A right code clears the source's failures."""
        with self._lock:
            self._failures.pop(source, None)
            self._locked_until.pop(source, None)

    def locked_until(self, source: str, now: datetime) -> datetime | None:
        """End of the source's lockout, or None when it is not locked out."""
        with self._lock:
            until = self._locked_until.get(source)
            return until if until is not None and now < until else None

    def prune(self, now: datetime) -> None:
        """Forget expired lockouts and failures outside the window."""
        with self._lock:
            self._locked_until = {s: u for s, u in self._locked_until.items() if now < u}
            failures = {
                s: [t for t in ts if now - t < self.window] for s, ts in self._failures.items()
            }
            self._failures = {s: ts for s, ts in failures.items() if ts}

    def to_dict(self) -> dict[str, Any]:
        """State as plain JSON types: {"failures": {src: [iso, ...]}, "locked_until": {src: iso}}."""
        with self._lock:
            return {
                "failures": {s: [t.isoformat() for t in ts] for s, ts in self._failures.items()},
                "locked_until": {s: u.isoformat() for s, u in self._locked_until.items()},
            }

    @classmethod
    def from_dict(
        cls,
        data: dict[str, Any] | None,
        max_failures: int = MAX_FAILURES,
        window: timedelta = WINDOW,
        lock_for: timedelta = LOCK_FOR,
    ) -> Lockout:
        """Rebuild from to_dict() output; the parameters come from the settings, not the data."""
        lockout = cls(max_failures, window, lock_for)
        data = data or {}
        lockout._failures = {
            s: [_parse(t) for t in ts] for s, ts in data.get("failures", {}).items()
        }
        lockout._locked_until = {s: _parse(u) for s, u in data.get("locked_until", {}).items()}
        return lockout
