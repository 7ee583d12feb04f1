"""The persistent print queue worker: a job is printed only when the printer confirmed no error."""

from __future__ import annotations

import base64
import binascii
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from devices.events import DeviceEvent, DeviceState, EventHub
from devices.printer import ReceiptPrinter

log = logging.getLogger(__name__)

#: Seconds between reconnection attempts while the printer is offline (capped backoff).
BACKOFF = (0.1, 0.2, 0.4, 0.8, 1.0)

OTHER_PROCESS_POLL_S = 5.0
"""While idle, how often the store is looked at for jobs another process queued."""

INTERRUPTED = "打印中断："
"""Start of a job's ``last_error`` when some of it reached the printer (kept in the store, so
a restart still knows that a partial slip may hang out of the printer)."""


def void_strip(encoding: str = "gb18030", paper_mm: int = 80) -> bytes:
    """What ends a slip cut short: a feed, a 作废 line and a cut, before the job is printed again."""
    from devices.escpos_doc import EscposDoc

    doc = EscposDoc(paper_mm, encoding)
    doc.feed(1)
    doc.line("—— 以上凭条打印中断，作废 ——", align="center", bold=True)
    doc.cut()
    return doc.output


class PrintStore(Protocol):
    """What the queue needs from the store (``desk.service.Desk().printing`` provides it)."""

    def enqueue(self, receipt: str, record: str, payload: bytes | str) -> Any: ...

    def pending(self) -> list[Any]: ...

    def mark(self, number: str, printed: bool, error: str | None = None) -> Any: ...


def job_bytes(job: Any) -> bytes:
    """The ESC/POS bytes of a stored job (``payload`` is base64 text in the store)."""
    payload = job.payload
    if isinstance(payload, bytes):
        return payload
    try:
        return base64.b64decode(payload, validate=True)
    except (binascii.Error, ValueError):
        return str(payload).encode("latin-1", errors="replace")


class PrintQueue:
    """Prints pending jobs in order on a worker thread; waits (losing nothing) while the printer can't.

    Paper out / cover open / offline: the job stays pending, a ``job_waiting`` event tells the
    kiosk, the worker polls the status and resumes when the printer is ready again.
    """

    def __init__(
        self,
        store: PrintStore,
        printer: ReceiptPrinter,
        hub: EventHub | None = None,
        poll_s: float = 0.5,
        void: bytes | None = None,
        render: Callable[[Any], bytes] | None = None,
    ) -> None:
        self.store = store
        self.render = render
        """Lays out a job queued without bytes (a receipt requested by another process)."""
        self.void = void if void is not None else void_strip()
        """Sent before a job that was cut short, so the partial slip is cut off and voided."""
        self.printer = printer
        self.hub = hub or printer.hub
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._failures = 0
        self._submitted = 0
        """Jobs submitted so far: idle is set only if none came in during the pass that emptied."""
        self._state = threading.Lock()

    # -- API for the kiosk / desk -----------------------------------------
    def submit(self, kind: str, number: str, payload: bytes) -> Any:
        """Store a job and wake the worker; returns the stored PrintJob."""
        job = self.store.enqueue(kind, number, payload)
        with self._state:
            self._submitted += 1
            self._idle.clear()
        self._wake.set()
        return job

    def reprint(self, kind: str, number: str, payload: bytes) -> Any:
        """Staff reprint of any receipt: a new job with the same content."""
        log.info("reprint of %s %s requested", kind, number)
        return self.submit(kind, number, payload)

    def pending(self) -> list[Any]:
        """Jobs not yet confirmed printed."""
        return list(self.store.pending())

    # -- worker -------------------------------------------------------------
    def run_once(self) -> bool:
        """Try every pending job once, in order; True when nothing is left pending."""
        for job in self.pending():
            data = job_bytes(job)
            if not data and self.render is not None:
                try:
                    data = self.render(job)
                except Exception as exc:  # noqa: BLE001 - a bad request must not stop the queue
                    log.warning("print queue: cannot lay out job %s: %s", job.number, exc)
                    self.store.mark(job.number, False, f"无法排版：{exc}")
                    continue
            interrupted = str(getattr(job, "last_error", "") or "").startswith(INTERRUPTED)
            if interrupted:
                log.info("print queue: job %s was cut short: voiding the partial slip", job.number)
                data = self.void + data
            result = self.printer.print_bytes(data)
            if result.ok:
                self.store.mark(job.number, True, None)
                self._failures = 0
                self.hub.emit(
                    DeviceEvent(
                        "printer",
                        "job_printed",
                        self.printer.state,
                        {
                            "job": job.number,
                            "receipt": getattr(job, "receipt", ""),
                            "record": getattr(job, "record", ""),
                        },
                    )
                )
                continue
            error = result.error or "打印机不可用"
            if result.sent or interrupted:  # the partial slip may still hang out of the printer
                error = INTERRUPTED + error
            self.store.mark(job.number, False, error)
            self._failures += 1
            self.hub.emit(
                DeviceEvent(
                    "printer",
                    "job_waiting",
                    result.status.state,
                    {"job": job.number, "error": result.error, "pending": len(self.pending())},
                )
            )
            return False
        return True

    def _delay(self) -> float:
        if self.printer.state == DeviceState.OFFLINE:
            return BACKOFF[min(self._failures, len(BACKOFF) - 1)]
        return self.poll_s

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._state:
                submitted = self._submitted
            try:
                done = self.run_once()
            except Exception:  # noqa: BLE001 - the worker must survive a store or driver bug
                log.exception("print queue: unexpected error")
                done = False
            with self._state:
                # a job submitted while run_once read an empty list is still pending: not idle
                done = done and submitted == self._submitted
                if done:
                    self._idle.set()
            if done:
                # jobs queued by another process (the desk PC, `reception orders dispatch`)
                # are found on the next look at the store
                self._wake.wait(OTHER_PROCESS_POLL_S)
            else:
                self._idle.clear()
                self._wake.wait(self._delay())
            self._wake.clear()

    def start(self) -> None:
        """Start the worker thread (idempotent)."""
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="print-queue", daemon=True)
        self._thread.start()
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the worker (pending jobs stay in the store)."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until nothing is pending (tests, CLI)."""
        return self._idle.wait(timeout)

    def kick(self) -> None:
        """Try again now (e.g. staff pressed 'paper changed')."""
        self._wake.set()
