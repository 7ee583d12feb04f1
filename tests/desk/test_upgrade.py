"""Issue 17 item 6: a store written by the previous release opens, migrates and verifies (L2)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "store-release1.tar.gz"
ROOT = Path(__file__).resolve().parents[2]


def _unpack(tmp_path: Path) -> Path:
    with tarfile.open(FIXTURE) as tar:
        tar.extractall(tmp_path, filter="data")
    return tmp_path / "data"


def _reception(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RECEPTION_CONFIG": ""}
    return subprocess.run(
        [sys.executable, "-m", "desk.cli", "--data", str(data), *args],
        capture_output=True, text=True, env=env, timeout=120, cwd=ROOT,
    )  # fmt: skip


def test_release1_store_verifies_after_upgrade(tmp_path: Path) -> None:
    data = _unpack(tmp_path)
    done = _reception(data, "verify")
    assert done.returncode == 0, done.stdout + done.stderr


def test_release1_store_keeps_its_records(tmp_path: Path) -> None:
    data = _unpack(tmp_path)
    done = _reception(data, "status")
    assert done.returncode == 0, done.stdout + done.stderr
    # The dispatched work order of release 1 is still open after the upgrade (R3).
    assert "2-261129-0002" in done.stdout and "客厅灯不亮" in done.stdout
    assert "待取快递: 2" in done.stdout
