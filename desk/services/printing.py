"""The print queue in the store: a job is printed only when the printer confirmed it."""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from desk.record_types import PrintJob
from desk.records import SYSTEM, Kind, Record
from desk.services.base import Core

if TYPE_CHECKING:
    from desk.service import Desk

log = logging.getLogger(__name__)


class Printing:
    """Receipts queued for the printer (devices print them and report back)."""

    def __init__(self, core: Core, desk: Desk) -> None:
        self.core = core
        self.desk = desk

    def enqueue(self, receipt: str, record: str, payload: bytes | str) -> PrintJob:
        data = payload.encode("utf-8") if isinstance(payload, str) else payload

        def build(number: str, now: datetime) -> PrintJob:
            return PrintJob(number=number, created_at=now, status="queued", receipt=receipt, record=record,
                            payload=base64.b64encode(data).decode("ascii"))  # fmt: skip

        return self.core.create(Kind.PRINT_JOB, SYSTEM, build)

    def request(self, receipt: str, record: str) -> PrintJob:
        """A receipt for ``record`` to be laid out by the process that drives the printer (the
        core does not lay out receipts: `reception orders dispatch` asks for a 派工单 this way)."""
        self.core.require(record, Record)
        return self.enqueue(receipt, record, b"")

    def record(self, number: str) -> Record | None:
        """The record a job is for (the printing process lays out requested receipts)."""
        return self.core.get(number)

    def pending(self) -> list[PrintJob]:
        return sorted(self.core.open_records(Kind.PRINT_JOB, PrintJob), key=lambda j: j.number)

    def mark(self, number: str, printed: bool, error: str | None = None) -> PrintJob:
        """A job is printed only when the printer reported no error after it (devices)."""
        job = self.core.require(number, PrintJob)
        if printed:
            return self.core.transition(PrintJob, number, "printed", SYSTEM, attempts=job.attempts + 1,
                                        last_error="")  # fmt: skip
        updated = self.core.amend(number, SYSTEM, attempts=job.attempts + 1, last_error=error or "")
        assert isinstance(updated, PrintJob)
        return updated

    @staticmethod
    def payload(job: PrintJob) -> bytes:
        return base64.b64decode(job.payload)
