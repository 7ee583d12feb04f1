"""Serve a simulator on a pseudo-terminal under a stable symlink; unplug and replug on demand."""

from __future__ import annotations

import contextlib
import logging
import os
import pty
import select
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class PtyDevice:
    """A virtual serial device: the product opens ``link`` exactly like a real port.

    ``baud`` (optional) makes the device consume bytes at that wire speed (10 bits a byte),
    so timings through the simulator are those of a real line.
    """

    def __init__(
        self,
        name: str,
        handler: Callable[[bytes], bytes],
        link: Path,
        baud: int | None = None,
        answer_delay: float = 0.0,
    ) -> None:
        self.name = name
        self.handler = handler
        self.link = Path(link)
        self.baud = baud
        self.answer_delay = answer_delay
        self.rx_bytes = 0
        self.last_rx = 0.0
        self.rx_log: list[tuple[int, float]] | None = None
        """Set to a list to record (bytes received so far, time) per chunk (benchmarks)."""
        self._master = -1
        self._slave = -1
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.tty_path = ""

    @property
    def plugged(self) -> bool:
        """The device is plugged in (its pty exists)."""
        return self._master >= 0

    def plug(self) -> None:
        """Create the pty and point the symlink at it."""
        if self.plugged:
            return
        master, slave = pty.openpty()
        tty.setraw(slave)
        tty.setraw(master)
        self._master, self._slave = master, slave
        self.tty_path = os.ttyname(slave)
        self.link.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.link.with_name(self.link.name + ".new")
        if tmp.is_symlink() or tmp.exists():
            tmp.unlink()
        tmp.symlink_to(self.tty_path)
        tmp.replace(self.link)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name=f"sim-{self.name}", daemon=True)
        self._thread.start()
        log.info("sim %s plugged in at %s -> %s", self.name, self.link, self.tty_path)

    def unplug(self) -> None:
        """Remove the device: the pty goes away, the symlink disappears."""
        if not self.plugged:
            return
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = -1
        if self.link.is_symlink():
            self.link.unlink()
        log.info("sim %s unplugged", self.name)

    def _serve(self) -> None:
        wire_free = 0.0
        master = self._master
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 256 if self.baud else 4096)
            except OSError:
                break
            if not data:
                continue
            if self.baud:
                wire_free = max(wire_free, time.monotonic()) + len(data) * 10 / self.baud
                delay = wire_free - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self.rx_bytes += len(data)
            self.last_rx = time.monotonic()
            if self.rx_log is not None:
                self.rx_log.append((self.rx_bytes, self.last_rx))
            try:
                reply = self.handler(data)
            except Exception:  # noqa: BLE001 - a simulator bug must not kill the port
                log.exception("sim %s: handler failed", self.name)
                continue
            if reply:
                if self.answer_delay:
                    time.sleep(self.answer_delay)
                if self.baud:  # the answer takes its own wire time
                    time.sleep(len(reply) * 10 / self.baud)
                try:
                    os.write(master, reply)
                except OSError:
                    break
