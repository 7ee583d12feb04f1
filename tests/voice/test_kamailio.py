"""kamailio in front of `reception hotline --workers N` (issue 14 item 13), real calls.

A real kamailio (Debian package) on free loopback ports dispatches baresip's calls over
the hotline worker processes; skipped with the reason where kamailio is not installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desk.config import load_settings
from desk.record_types import Call
from desk.service import Desk
from voice import baresip as bs
from voice import kamailio, sip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (sip.available() and bs.available()), reason="needs pjsua2 and baresip"),
    pytest.mark.skipif(
        not kamailio.available(),
        reason="kamailio is not installed: apt-get install kamailio (deploy/install.sh lists it)",
    ),
]

ROOT = Path(__file__).resolve().parents[2]


def wait_for(pred, timeout=20.0, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out")


def children_of(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


@pytest.fixture
def front(tmp_path):
    """`reception hotline --workers 2` with kamailio on a free port; yields (port, proc, cfg)."""
    kport = bs.free_port(1)
    wport = bs.free_port(30)
    cfg = tmp_path / "reception.toml"
    cfg.write_text(
        "[hotline]\n"
        f"sip_port = {kport}\nworker_port = {wport}\nrtp_port = {bs.free_port(1) // 2 * 2 - 20000}\n"
        'front = "kamailio"\ntts_engine = "espeak"\ngoodbye_wait_s = 0.3\nmax_calls = 2\n'
        'allowed_sources = ["127.0.0.1/32"]\noutbound_uri = "sip:{number}@127.0.0.1:9"\n'
    )
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "desk.cli", "--config", str(cfg), "--data", str(data),
         "hotline", "--workers", "2", "--no-dialer"],
        stdout=subprocess.PIPE, stderr=open(tmp_path / "hotline.err", "wb"), text=True,  # noqa: SIM115, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    try:
        wait_for(lambda: "热线已启动" in proc.stdout.readline(), timeout=90, step=0)
        # both workers answer kamailio's OPTIONS probes before the first call
        wait_for(
            lambda: all(kamailio.options_ping("127.0.0.1", wport + 10 * k) == 200 for k in (0, 1)),
            30,
        )
        time.sleep(2.5)  # one dispatcher probe round
        yield kport, proc, cfg, data
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _callers(tmp_path: Path, n: int, tag: str, host: str = "127.0.0.1") -> list[bs.Baresip]:
    return [
        bs.Baresip(
            bs.free_port(2, host),
            bs.free_port(1),
            user=f"1380013{k:04d}",
            host=host,
            workdir=tmp_path / f"{tag}{k}",
        ).start()  # fmt: skip
        for k in range(n)
    ]


def test_13_one_address_spreads_calls_over_workers_skips_a_full_one_and_a_dead_one(front, tmp_path):
    kport, proc, cfg, data = front
    uri = f"sip:ivr@127.0.0.1:{kport}"
    callers = _callers(tmp_path, 5, "a")
    try:
        # 5 callers at once on 2 workers of 2 lines: one address, calls spread; a full
        # worker answers 486 and kamailio tries the other; when both are full the 5th is
        # still answered (线路繁忙) and put on the callback list (T3)
        for b in callers:
            b.dial(uri)
            time.sleep(0.3)
        for b in callers:
            assert b.wait_event("CALL_ESTABLISHED", 15), f"{b.user} not answered; {b.events}"
        time.sleep(1.0)
        for b in callers:
            b.hangup()
        for b in callers:
            assert b.wait_event("CALL_CLOSED", 10)
    finally:
        for b in callers:
            b.stop()
    err = (tmp_path / "hotline.err").read_text()
    assert "refused with 486" in err  # a full worker said so, and the call went on
    # kill worker 1 (a child process) mid-service: new calls still get through, to worker 0
    workers = [p for p in children_of(proc.pid) if "--behind-proxy" in cmdline(p)]
    assert len(workers) == 1
    os.kill(workers[0], signal.SIGKILL)
    callers = _callers(tmp_path, 2, "b")
    try:
        for b in callers:
            b.dial(uri)
            time.sleep(0.3)
        for b in callers:
            assert b.wait_event("CALL_ESTABLISHED", 15), (
                f"{b.user} not answered after a worker died"
            )
            b.hangup()
    finally:
        for b in callers:
            b.stop()
    time.sleep(1.0)
    desk = Desk.open(load_settings(cfg, data_dir=data))
    try:
        calls = [Call.from_doc(d) for d in desk.store.iter_days("call") if d["direction"] == "in"]
    finally:
        desk.close()
    assert len(calls) == 7
    assert [c.outcome for c in calls].count("busy") == 1


def test_13_kamailio_refuses_a_source_not_allowed(front, tmp_path):
    kport, *_ = front
    with bs.Baresip(bs.free_port(2, "127.0.0.2"), bs.free_port(1), host="127.0.0.2",
                    workdir=tmp_path / "stranger") as b:  # fmt: skip
        b.dial(f"sip:ivr@127.0.0.1:{kport}")
        closed = b.wait_event("CALL_CLOSED", 10)
        assert closed and "403" in closed.get("param", "")
        assert not b.wait_event("CALL_ESTABLISHED", 0.1)
