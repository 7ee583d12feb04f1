"""`reception demo` starts the whole product and says how to call the hotline (issue 14 item 14).

Under Xvfb (kiosk), with the simulators and the hotline on free loopback ports; a baresip
softphone dials the SIP URI the demo printed and its call lands in the store.
"""

from __future__ import annotations

import contextlib
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from desk.config import load_settings
from desk.record_types import Call
from desk.service import Desk
from voice import baresip as bs
from voice import sip

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (sip.available() and bs.available()), reason="needs pjsua2 and baresip"),
    pytest.mark.skipif(not shutil.which("Xvfb"), reason="needs Xvfb for the kiosk"),
]

ROOT = Path(__file__).resolve().parents[2]


def start_xvfb() -> tuple[subprocess.Popen, str]:
    for n in range(140, 190):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists() or proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            return proc, f":{n}"
    raise RuntimeError("no free X display")


def children_of(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        out += [int(x) for x in (task / "children").read_text().split()]
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def run_on_pty(command: str, keys: list[str], settle: float) -> str:
    """Run ``command`` on a pseudo-terminal, type ``keys`` after ``settle`` s, then q."""
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execvp("bash", ["bash", "-c", command])
    buf = bytearray()

    def read(seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.1)
            if ready:
                try:
                    buf.extend(os.read(fd, 4096))
                except OSError:
                    return

    read(settle)
    for k in keys:
        os.write(fd, k.encode())
        read(1.5)
    os.write(fd, b"q")
    read(3)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)
    return buf.decode(errors="replace")


def test_14_demo_starts_kiosk_hotline_and_devices_and_prints_the_softphone_dial_string(tmp_path):
    xvfb, display = start_xvfb()
    cfg = tmp_path / "reception.toml"
    cfg.write_text(
        "[hotline]\n"
        f"sip_port = {bs.free_port(1)}\nworker_port = {bs.free_port(30)}\n"
        f"rtp_port = {bs.free_port(1) // 2 * 2 - 20000}\n"
        'tts_engine = "espeak"\ngoodbye_wait_s = 0.3\n'
        'outbound_uri = "sip:{number}@127.0.0.1:9"\nhost_calls = false\nfollow_up_calls = false\n'
    )
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DISPLAY": display, "KIVY_HOME": str(tmp_path / "kivy"),
           "KIVY_NO_ARGS": "1", "LIBGL_ALWAYS_SOFTWARE": "1", "KIVY_NO_FILELOG": "1"}  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "desk.cli", "--config", str(cfg), "--data", str(data), "demo"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT, env=env,
    )  # fmt: skip
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()

    def printed(pattern: str, timeout: float = 180) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for ln in list(lines):
                m = re.search(pattern, ln)
                if m:
                    return m
            if proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError("not printed: " + pattern + "\n" + "".join(lines)[-4000:])

    try:
        cmd = printed(r'baresip -f (\S+) -e "/dial (sip:\S+)"')
        assert cmd.group(2).startswith("sip:ivr@127.0.0.1:")  # the hotline on loopback
        assert Path(cmd.group(1), "accounts").exists() and Path(cmd.group(1), "config").exists()
        printed("演示已启动")
        kids = " | ".join(cmdline(p) for p in children_of(proc.pid))
        assert " sim" in kids and " hotline " in kids and " kiosk" in kids, kids
        time.sleep(3)  # kamailio's first probe round (when it fronts the workers)
        # the exact command the demo printed, on a terminal as a person would type it
        out = run_on_pty(cmd.group(0), keys=["5", "1"], settle=4.0)
        assert "send DTMF digit: '5'" in out and "terminated" in out, out[-2000:]
        assert all(cmdline(p) for p in children_of(proc.pid))  # everything still running
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
        xvfb.terminate()
        xvfb.wait(10)
    assert proc.returncode is not None
    desk = Desk.open(load_settings(cfg, data_dir=data))
    try:
        calls = [Call.from_doc(d) for d in desk.store.iter_days("call") if d["direction"] == "in"]
    finally:
        desk.close()
    assert [c.caller for c in calls] == ["demo"]
    assert "main=5" in calls[0].menu_path
