"""One kiosk per test session under Xvfb (Kivy allows one window per process)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from desk.records import Actor, Role

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402


@pytest.fixture(scope="session")
def kiosk():
    if not shutil.which("Xvfb"):
        pytest.skip("Xvfb not installed")
    tmp = harness.tempdir()
    h, xvfb = harness.start(tmp)
    yield h
    h.app.close_popups()
    h.backend.devices.stop()
    h.backend.desk.close()
    if xvfb is not None:
        xvfb.terminate()
        xvfb.wait(5)
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def k(kiosk):
    """The kiosk at its home screen with nothing entered."""
    kiosk.app.staff = None
    # one kiosk serves the whole session: a test's wrong PINs must not lock the next one out
    kiosk.backend.desk.staff.clear_lockouts(Actor(Role.SUPERVISOR, "tests", "conftest"))
    kiosk.app.__dict__.pop("run_device", None)  # a recording left by harness.device_calls
    kiosk.app.idle_reset()
    kiosk.pump(3)
    return kiosk


def pytest_collection_modifyitems(items):
    for item in items:
        if "kiosk" in str(item.fspath) and "test_gui" in str(item.fspath):
            item.add_marker(pytest.mark.gui)


_ = importlib.util
