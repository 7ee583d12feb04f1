"""Real kill -9 of the process between queue and send, and between claim and send: sent once / never."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from desk.config import load_settings
from desk.notice_hooks import queue_of
from desk.service import Desk
from devices.notice_worker import NoticeWorker
from devices.sms_modem import SmsModem, gammu_config

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from desk.config import load_settings
    from desk.notice_hooks import queue_of
    from desk.records import Actor, Role
    from desk.service import Desk
    from desk.services.requests import NewOwner, ParcelIn
    desk = Desk.open(load_settings(data_dir=sys.argv[1]))
    if not desk.directory.residents_of("3-2-501"):
        desk.directory.add_owner(NewOwner("3-2-501", "张三", "13812345678"))
    p = desk.parcels.receive(ParcelIn(unit="3-2-501", recipient_name="张三", courier="顺丰",
                                      tracking_no=sys.argv[3], compartment="A-07"),
                             Actor(Role.GUARD, "guard", "k"))
    if sys.argv[2] == "claim":
        queue_of(desk).claim(queue_of(desk).for_record(p.number)[0].number)
    print(p.number, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def _child(data: Path, stage: str, tracking: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", CHILD, str(data), stage, tracking],
                          capture_output=True, text=True, env=env, timeout=60)  # fmt: skip
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    return proc.stdout.split()[0]


def test_killed_after_queue_sends_once_killed_after_claim_never(tmp_path, modem_sim):
    data = tmp_path / "data"
    queued = _child(data, "queue", "SF1")
    claimed = _child(data, "claim", "SF2")
    for _ in range(2):  # two restarts of the sender
        settings = load_settings(data_dir=data)
        always = dataclasses.replace(settings.notices, quiet_until=settings.notices.quiet_from)
        desk = Desk.open(dataclasses.replace(settings, notices=always))  # no quiet hours
        worker = NoticeWorker(desk, SmsModem(gammu_config(str(modem_sim.link))))
        worker.read_s = 3600
        try:
            worker.queue.recover()
            worker.run_once()
            states = {n: queue_of(desk).for_record(n)[0].status for n in (queued, claimed)}
        finally:
            worker.stop()
            desk.close()
    assert [m.number for m in modem_sim.modem.inbox] == ["13812345678"]
    assert states[queued] in ("sent", "delivered") and states[claimed] == "failed"
