"""Fixtures: the modem simulator on a pty and Gammu's real AT driver talking to it."""

from __future__ import annotations

import pytest

from devices.notice_worker import NoticeWorker
from devices.sim.virtual_modem import ModemDevice, VirtualModem
from devices.sms_modem import SmsModem, gammu_config


@pytest.fixture
def modem_sim(tmp_path):
    sim = VirtualModem(report_delay=0.05)
    dev = ModemDevice(tmp_path / "dev" / "ttyUSB2", sim)
    dev.plug()
    yield dev
    dev.close()


@pytest.fixture
def worker(desk, modem_sim):
    modem = SmsModem(gammu_config(str(modem_sim.link), "at115200"))
    w = NoticeWorker(desk, modem)
    w.read_s = 0.0
    yield w
    w.stop()
