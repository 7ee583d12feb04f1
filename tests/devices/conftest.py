"""Fixtures of the devices tests: sample records, settings, a simulator host on ptys, a print store."""

from __future__ import annotations

import base64
import dataclasses
import itertools
import sys
from pathlib import Path

import pytest

from desk.config import load_settings
from devices.compartments import CompartmentMap

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))

from sim_harness import sample_records, start_sim  # noqa: E402


@pytest.fixture
def settings(tmp_path):
    s = load_settings(data_dir=tmp_path / "data")
    return dataclasses.replace(
        s,
        devices=dataclasses.replace(
            s.devices, sim_dir=tmp_path / "sim", lock_timeout_s=0.2, sim_person_s=0.0
        ),
    )


@pytest.fixture
def records():
    """One record of each receipt kind, with personal data that must never print in full."""
    return sample_records()


@pytest.fixture
def sim(tmp_path, settings):
    host = start_sim(
        tmp_path / "simhost", CompartmentMap(settings.devices.compartments), lock_answer_delay=0.002
    )
    yield host
    host.stop()


class MemoryPrintStore:
    """The PrintStore protocol in memory (the Desk implements it on TinyDB)."""

    @dataclasses.dataclass
    class Job:
        number: str
        receipt: str
        record: str
        payload: str
        printed: bool = False
        attempts: int = 0
        last_error: str = ""

    def __init__(self) -> None:
        self.jobs: list[MemoryPrintStore.Job] = []
        self._seq = itertools.count(1)

    def enqueue(self, kind, number, payload):
        raw = payload if isinstance(payload, bytes) else payload.encode()
        job = self.Job(f"9{next(self._seq):010d}", kind, number, base64.b64encode(raw).decode())
        self.jobs.append(job)
        return job

    def pending(self):
        return [j for j in self.jobs if not j.printed]

    def mark(self, number, printed, error=None):
        job = next(j for j in self.jobs if j.number == number)
        job.printed = printed
        job.attempts += 1
        job.last_error = error or ""
        return job


@pytest.fixture
def memory_store():
    return MemoryPrintStore()


@pytest.fixture
def store(settings):
    """The real Desk's print queue on a temporary data dir (devices.print_queue.PrintStore)."""
    from desk.service import Desk

    desk = Desk.open(settings)
    yield desk.printing
    desk.close()
