"""Portrait stands and wall screens (issue 18 item 8): the layout is chosen from the window at
start; every visitor screen is walked at 1080×1920 and 1920×1080 in Chinese, English and
长辈模式, in a process of its own (Kivy has one window per process), screenshots included."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("size", ["1080x1920", "1920x1080"])
def test_every_visitor_screen_at_the_size(size: str) -> None:
    env = dict(os.environ, PYTHONPATH=str(HERE.parents[1]))
    env.pop("KIOSK_TEST_DISPLAY", None)  # its own Xvfb of that size
    out = subprocess.run(
        [sys.executable, str(HERE / "walk.py"), size, "zh", "en", "elder"],
        capture_output=True, text=True, timeout=900, env=env,
    )  # fmt: skip
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    assert lines, out.stderr[-3000:]
    assert json.loads(lines[-1]) == {}
    assert out.returncode == 0


def test_the_layout_is_chosen_from_the_window() -> None:
    from kiosk.theme import layout_for

    assert layout_for(1080, 1920) == "portrait"
    assert layout_for(1920, 1080) == "wide"
    assert layout_for(1280, 800) == "landscape"
