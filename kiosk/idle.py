"""Idle watch: warn after 45 s without a touch, wipe and go home after 60 s (pure logic, no Kivy)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class IdleWatch:
    """Call ``check()`` once a second; it fires ``on_warn(seconds_left)`` then ``on_timeout()``."""

    def __init__(
        self,
        warn_after: float,
        timeout: float,
        on_warn: Callable[[int], None],
        on_timeout: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.warn_after = warn_after
        self.timeout = timeout
        self.on_warn = on_warn
        self.on_timeout = on_timeout
        self.clock = clock
        self.last = clock()
        self.warning = False
        self.enabled = True

    def touch(self) -> None:
        """Someone used the screen."""
        self.last = self.clock()
        self.warning = False

    def idle_for(self) -> float:
        return self.clock() - self.last

    def check(self) -> str:
        """'idle', 'warn' or 'timeout'; calls the callbacks."""
        if not self.enabled:
            return "idle"
        idle = self.idle_for()
        if idle >= self.timeout:
            log.info("idle %.0f s: wiping and returning home", idle)
            self.touch()
            self.on_timeout()
            return "timeout"
        if idle >= self.warn_after:
            self.warning = True
            self.on_warn(max(0, int(round(self.timeout - idle))))
            return "warn"
        return "idle"
