"""`reception kiosk` stops on SIGTERM (systemd stop) although it refuses a window close (no exit
without a staff PIN)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_kiosk_process_stops_on_sigterm(kiosk):  # the fixture provides the Xvfb display
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_HOME=f"{tmp}/kivy")
        run = [sys.executable, "-m", "desk.cli", "--data", f"{tmp}/data"]
        subprocess.run([*run, "init"], cwd=ROOT, env=env, check=True, capture_output=True)
        proc = subprocess.Popen(
            [*run, "kiosk"], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True
        )
        try:
            deadline = time.monotonic() + 120
            for line in proc.stderr:  # wait for the main loop, however slow the machine is
                if "Start application main loop" in line or time.monotonic() > deadline:
                    break
            assert proc.poll() is None, "the kiosk did not start"
            proc.send_signal(signal.SIGTERM)
            _, rest = proc.communicate(timeout=60)  # drains stderr: a full pipe cannot block it
            assert proc.returncode == 0, rest[-2000:]
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
