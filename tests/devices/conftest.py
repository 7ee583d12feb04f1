"""Fixtures of the devices tests: sample records, settings, a simulator host on ptys, a print store."""

from __future__ import annotations

import base64
import dataclasses
import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from desk.config import load_settings
from desk.record_types import Complaint, KeyLoan, Parcel, Visit, WorkOrder
from devices.compartments import CompartmentMap
from devices.sim.host import SimHost

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 30, tzinfo=TZ)
ID = "440305199001011205"
MOBILE = "13812345678"


@pytest.fixture
def settings(tmp_path):
    s = load_settings(data_dir=tmp_path / "data")
    return dataclasses.replace(
        s, devices=dataclasses.replace(s.devices, sim_dir=tmp_path / "sim", lock_timeout_s=0.2)
    )


@pytest.fixture
def records():
    """One record of each receipt kind, with personal data that must never print in full."""
    return {
        "visit_pass": Visit(
            number="12611230001",
            created_at=T0,
            status="admitted",
            host_unit="3-2-501",
            visitor_name="张伟",
            id_number=ID,
            phone=MOBILE,
            purpose="探亲",
            party_size=2,
            plate="粤B12345",
            pass_code="483920",
            time_in=T0,
            valid_until=T0 + timedelta(hours=12),
        ),
        "work_order": WorkOrder(
            number="22611230007",
            created_at=T0,
            status="received",
            location="3-2-501",
            category="water",
            description="厨房水管漏水，地面积水，请尽快派人维修",
            urgent=True,
            contact_name="李娜",
            contact_phone=MOBILE,
            dispatch_by=T0,
            on_site_by=T0 + timedelta(minutes=30),
            follow_up_by=T0 + timedelta(days=3),
            price_yuan=80.0,
            price_confirmed=True,
        ),
        "parcel_slip": Parcel(
            number="42611230012",
            created_at=T0,
            status="collected",
            recipient_name="王芳",
            unit="5-1-1202",
            phone=MOBILE,
            courier="顺丰速运",
            tracking_no="SF1234567890123",
            compartment="A-07",
            pickup_code="556677",
            collected_at=T0 + timedelta(hours=8),
            proxy_name="王小明",
            proxy_id=ID,
        ),
        "key_loan": KeyLoan(
            number="52611230003",
            created_at=T0,
            status="lent",
            key_id="钥匙 3-12",
            borrower_name="赵装修",
            id_number=ID,
            phone=MOBILE,
            deposit_yuan=200.0,
            purpose="空置房验房",
            lent_by="前台小陈",
            due_back=T0 + timedelta(hours=4),
        ),
        "complaint": Complaint(
            number="32611230002",
            created_at=T0,
            status="received",
            name="陈先生",
            unit="7-3-803",
            phone=MOBILE,
            content="楼上装修噪音晚上十点后仍未停止",
            wants="请物业尽快制止",
            category="decoration",
            severity="important",
            reply_by=T0 + timedelta(hours=2),
            resolve_by=T0 + timedelta(days=2),
        ),
    }


@pytest.fixture
def sim(tmp_path, settings):
    host = SimHost(
        tmp_path / "simhost", CompartmentMap(settings.devices.compartments), lock_answer_delay=0.002
    ).start(control=False)
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

    def enqueue_print(self, kind, number, payload):
        raw = payload if isinstance(payload, bytes) else payload.encode()
        job = self.Job(f"9{next(self._seq):010d}", kind, number, base64.b64encode(raw).decode())
        self.jobs.append(job)
        return job

    def pending_print_jobs(self):
        return [j for j in self.jobs if not j.printed]

    def mark_print_job(self, number, printed, error):
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
    """The real Desk on a temporary data dir (it implements devices.print_queue.PrintStore)."""
    from desk.service import Desk

    desk = Desk.open(settings)
    yield desk
    desk.close()
