"""Simulator harness (test support, not product) shared by the device tests and bench/devices.py: sample records, sim, drivers."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desk.record_types import Complaint, KeyLoan, Parcel, Visit, WorkOrder
from desk.records import Record
from devices.compartments import CompartmentMap, default_compartments
from devices.links import SerialLink
from devices.lock_protocols import get_protocol
from devices.locks import SerialLockBoards
from devices.printer import ReceiptPrinter, make_connection
from devices.sim.host import SimHost

log = logging.getLogger(__name__)

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 23, 9, 30, tzinfo=TZ)
"""Creation time of every sample record."""
SAMPLE_ID = "440305199001011205"
"""Resident ID in the samples: must never print in full (X1)."""
SAMPLE_MOBILE = "13812345678"
"""Mobile number in the samples: must never print in full (X1)."""


def sample_records() -> dict[str, Record]:
    """One record of each receipt kind (keyed by kind), with personal data to be masked."""
    return {
        "visit_pass": Visit(
            number="12611230001",
            created_at=T0,
            status="admitted",
            host_unit="3-2-501",
            visitor_name="张伟",
            id_number=SAMPLE_ID,
            phone=SAMPLE_MOBILE,
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
            contact_phone=SAMPLE_MOBILE,
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
            phone=SAMPLE_MOBILE,
            courier="顺丰速运",
            tracking_no="SF1234567890123",
            compartment="A-07",
            pickup_code="556677",
            collected_at=T0 + timedelta(hours=8),
            proxy_name="王小明",
            proxy_id=SAMPLE_ID,
        ),
        "key_loan": KeyLoan(
            number="52611230003",
            created_at=T0,
            status="lent",
            key_id="钥匙 3-12",
            borrower_name="赵装修",
            id_number=SAMPLE_ID,
            phone=SAMPLE_MOBILE,
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
            phone=SAMPLE_MOBILE,
            content="楼上装修噪音晚上十点后仍未停止",
            wants="请物业尽快制止",
            category="decoration",
            severity="important",
            reply_by=T0 + timedelta(hours=2),
            resolve_by=T0 + timedelta(days=2),
        ),
    }


def start_sim(
    directory: Path, compartments: CompartmentMap | None = None, **options: Any
) -> SimHost:
    """A simulator host on ptys in ``directory`` (no control socket); stop it with ``.stop()``.

    ``compartments`` default to the demo map; ``options`` go to :class:`SimHost` (wire speeds,
    lock protocol, answer delay).
    """
    cm = compartments if compartments is not None else CompartmentMap(default_compartments())
    return SimHost(Path(directory), cm, **options).start(control=False)


def printer_on(
    host: SimHost, baud: int = 9600, status_timeout: float = 0.2, **options: Any
) -> ReceiptPrinter:
    """The real printer driver on the simulator's printer pty (at ``baud``, as ``Devices`` does)."""
    path = host.printer_path
    return ReceiptPrinter(
        lambda: make_connection(path, baud), status_timeout=status_timeout, baud=baud, **options
    )


def locks_on(
    host: SimHost,
    protocol: str = "kerong",
    baud: int = 19200,
    timeout: float = 0.2,
    **options: Any,
) -> SerialLockBoards:
    """The real lock-board driver on the simulator's lock-bus pty."""
    path = host.locks_path
    return SerialLockBoards(
        get_protocol(protocol),
        lambda: SerialLink.open(path, baud),
        host.compartments,
        timeout=timeout,
        **options,
    )
