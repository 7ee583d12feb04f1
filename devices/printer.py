"""The receipt printer: python-escpos connections chosen by URL, status before/after every job."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import serial
from escpos.escpos import Escpos
from escpos.printer import File, Network, Serial, Usb

from devices.events import DeviceEvent, DeviceState, EventHub
from devices.links import PORT_ERRORS, SerialLink, SocketLink
from devices.printer_status import PrinterStatus, query_status

log = logging.getLogger(__name__)


class UrlSerial(Serial):
    """python-escpos ``Serial`` opened through ``serial.serial_for_url`` (paths, ptys, URLs)."""

    _device: serial.SerialBase | Literal[False] | None
    """python-escpos's connection slot: the open port, or False once closed."""

    def open(self, raise_not_found: bool = True) -> None:
        """Open the port; errors propagate so the driver can mark the printer offline."""
        self.device = serial.serial_for_url(
            self.devfile,
            baudrate=self.baudrate,
            bytesize=self.bytesize,
            parity=self.parity,
            stopbits=self.stopbits,
            timeout=self.timeout,
            xonxoff=self.xonxoff,
            dsrdtr=self.dsrdtr,
            write_timeout=10,
        )

    def close(self) -> None:
        """Close without flushing (flushing a vanished port blocks or raises)."""
        dev = self._device
        self._device = False
        if dev:
            with contextlib.suppress(*PORT_ERRORS):
                dev.close()


def make_connection(url: str, baud: int = 9600, timeout: float = 0.5) -> Escpos:
    """A python-escpos printer for ``url``.

    ``net:HOST[:PORT]`` -> ``Network``; ``usb:VID:PID`` -> ``Usb``; ``file:PATH`` -> ``File``;
    anything else (``/dev/serial/by-id/...``, a pty, ``socket://``, ``rfc2217://``) -> serial.
    """
    if url.startswith("net:"):
        host, _, port = url[4:].partition(":")
        return Network(host, port=int(port or 9100), timeout=timeout)
    if url.startswith("usb:"):
        vid, _, pid = url[4:].partition(":")
        return Usb(int(vid, 16), int(pid, 16), timeout=int(timeout * 1000))
    if url.startswith("file:"):
        return File(url[5:])
    return UrlSerial(url, baudrate=baud, timeout=timeout)


@dataclass(frozen=True)
class PrintResult:
    """Outcome of one job."""

    ok: bool
    """The job was written and the printer reported no error after it."""
    status: PrinterStatus
    """The last status read."""
    error: str | None = None
    """Why not (Chinese text for staff)."""
    seconds: float = 0.0
    """Time from start to the last byte drained."""
    sent: bool = False
    """Some of the job reached the printer: a failed job may have left a partial slip."""


_REASONS = {
    DeviceState.OFFLINE: "打印机未连接或无响应",
    DeviceState.PAPER_OUT: "打印机缺纸",
    DeviceState.COVER_OPEN: "打印机盖未关好",
    DeviceState.ERROR: "打印机故障",
}


class ReceiptPrinter:
    """One printer; thread-safe; reports its state to the hub."""

    def __init__(
        self,
        connect: Callable[[], Escpos],
        hub: EventHub | None = None,
        status_timeout: float = 0.5,
        chunk: int = 1024,
        name: str = "printer",
        baud: int | None = None,
    ) -> None:
        self._connect = connect
        self.hub = hub or EventHub()
        self.status_timeout = status_timeout
        self.chunk = chunk
        self.name = name
        self.baud = baud
        """Line speed, to allow a job's wire time before its status-after answer (None: ignore)."""
        self._conn: Escpos | None = None
        self._link: SerialLink | SocketLink | None = None
        self._lock = threading.RLock()
        self.state = DeviceState.OFFLINE
        self.last_status = PrinterStatus()

    # -- connection ---------------------------------------------------------
    def _set_state(self, state: DeviceState, **detail: object) -> None:
        if state != self.state:
            log.info("%s: %s -> %s", self.name, self.state.value, state.value)
            self.state = state
            self.hub.emit(DeviceEvent(self.name, "state", state, dict(detail)))

    def open(self) -> bool:
        """Open the connection if needed; False (and OFFLINE) when the port is missing."""
        with self._lock:
            if self._conn is not None:
                return True
            try:
                conn = self._connect()
                conn.open()
                dev = conn.device
            except Exception as exc:  # noqa: BLE001 - any open failure means offline
                log.debug("%s: open failed: %s", self.name, exc)
                self._set_state(DeviceState.OFFLINE, error=str(exc))
                return False
            self._conn = conn
            if isinstance(dev, serial.SerialBase):
                self._link = SerialLink(dev)
            elif isinstance(dev, socket.socket):
                self._link = SocketLink(dev)
            else:
                self._link = None
                log.warning(
                    "%s: %s has no status channel: jobs are sent but cannot be confirmed",
                    self.name,
                    type(conn).__name__,
                )
            return True

    def close(self) -> None:
        """Close the connection (the next call reopens it)."""
        with self._lock:
            conn, self._conn, self._link = self._conn, None, None
            if conn is not None:
                try:
                    conn.close()
                except Exception:  # noqa: BLE001
                    log.debug("%s: close failed", self.name, exc_info=True)

    def _lost(self, exc: BaseException) -> None:
        log.warning("%s: connection lost: %s", self.name, exc)
        self.close()
        self.last_status = PrinterStatus()
        self._set_state(DeviceState.OFFLINE, error=str(exc))

    # -- status and printing ------------------------------------------------
    def status(self, backlog: float = 0.0) -> PrinterStatus:
        """Query ``DLE EOT 1/2/4`` now (opens the port if needed) and update the state."""
        with self._lock:
            if not self.open():
                return PrinterStatus()
            if self._link is None:  # USB/file: no status channel, assume ready
                st = PrinterStatus(answered=True)
            else:
                try:
                    st = query_status(self._link, self.status_timeout, backlog)
                except PORT_ERRORS as exc:
                    self._lost(exc)
                    return PrinterStatus()
            self.last_status = st
            if not st.answered:
                # a pty/port that is still there but silent: reopen next time
                self.close()
            self._set_state(st.state)
            return st

    def print_bytes(self, data: bytes) -> PrintResult:
        """Send one job: status before, chunks, drain, status after."""
        with self._lock:
            t0 = time.monotonic()
            before = self.status()
            if not before.ok:
                return PrintResult(False, before, _REASONS.get(before.state, "打印机不可用"))
            self._set_state(DeviceState.BUSY)
            try:
                assert self._conn is not None
                for i in range(0, len(data), self.chunk):
                    self._conn._raw(data[i : i + self.chunk])
                if isinstance(self._link, SerialLink):
                    self._link.drain()
            except PORT_ERRORS as exc:
                self._lost(exc)
                return PrintResult(False, PrinterStatus(), _REASONS[DeviceState.OFFLINE], sent=True)
            seconds = time.monotonic() - t0
            backlog = len(data) * 10 / self.baud if self.baud else 0.0
            after = self.status(backlog)
            if not after.ok:
                reason = _REASONS.get(after.state, "打印机不可用")
                return PrintResult(False, after, reason, seconds, sent=True)
            return PrintResult(True, after, None, seconds, sent=True)
