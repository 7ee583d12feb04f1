"""Xvfb + in-process kiosk harness: synthetic touches, frame pumping, screenshots (no Kivy at import)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from desk.services.requests import ParcelIn

ROOT = Path(__file__).resolve().parents[2]
SCREENS_DIR = ROOT / "artifacts" / "screens"


SIZES = ((1280, 800), (1920, 1080), (1080, 1920))
"""The kiosk's window sizes: a 1280×800 kiosk, a 1920×1080 wall screen, a 1080×1920 stand."""


def start_xvfb(size: tuple[int, int] = (1280, 800)) -> subprocess.Popen | None:
    """Start Xvfb on a free display of ``size`` and point DISPLAY at it; None if a display is
    already set."""
    if os.environ.get("KIOSK_TEST_DISPLAY"):
        os.environ["DISPLAY"] = os.environ["KIOSK_TEST_DISPLAY"]
        return None
    if not shutil.which("Xvfb"):
        raise RuntimeError("Xvfb is not installed (apt-get install xvfb)")
    for n in range(90, 140):
        if Path(f"/tmp/.X{n}-lock").exists() or Path(f"/tmp/.X11-unix/X{n}").exists():
            continue
        proc = subprocess.Popen(
            ["Xvfb", f":{n}", "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(50):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            os.environ["DISPLAY"] = f":{n}"
            return proc
    raise RuntimeError("no free X display for Xvfb")


def kivy_env(home: Path) -> None:
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_HOME"] = str(home)
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
    os.environ["KIVY_NO_FILELOG"] = "1"
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    os.environ["LIBGL_ALWAYS_SOFTWARE"] = "1"
    os.environ["KCFG_GRAPHICS_MAXFPS"] = "0"
    os.environ.setdefault("XDG_CACHE_HOME", str(Path.home() / ".cache"))


def test_settings(data_dir: Path, size: tuple[int, int] = (1280, 800), **kiosk: Any) -> Any:
    """Settings for a test kiosk of window ``size``; ``kiosk`` overrides ``[kiosk]`` keys."""
    from desk.config import load_settings

    settings = load_settings(data_dir=data_dir)
    settings = dataclasses.replace(
        settings,
        kiosk=dataclasses.replace(settings.kiosk, width=size[0], height=size[1], **kiosk),
    )
    devices = (
        # doors and sensors move only when a test says so ("take", "put", "close")
        dataclasses.replace(settings.devices, sim_dir=data_dir / "sim", sim_person_s=0.0)
        if hasattr(settings.devices, "sim_dir")
        else settings.devices
    )
    return dataclasses.replace(settings, devices=devices, source="<kiosk tests>")


def stored_parcel(desk: Any, compartment: str, tracking_no: str, courier: str = "顺丰") -> Any:
    """A parcel for 1-1-101 signed in by a guard (P1), as the pickup tests start from."""
    from desk.records import Actor, Role

    guard = Actor(Role.GUARD, "guard", "test")
    return desk.parcels.receive(ParcelIn(recipient_name="张三", unit="1-1-101", phone="13800000000", courier=courier, tracking_no=tracking_no, compartment=compartment), guard)  # fmt: skip


def assert_visible(widget: Any, x: float, y: float) -> None:
    """A finger can only touch what is in view: not scrolled out of a ScrollView."""
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            left, bottom = parent.to_window(parent.x, parent.y)
            inside = left <= x <= left + parent.width and bottom <= y <= bottom + parent.height
            assert inside, f"{widget} ({getattr(widget, 'text', '')!r}) is scrolled out of view"
        parent = parent.parent


def size_problems(window: Any, min_font: int = 28) -> list[str]:
    """Visible text under ``min_font`` px (28; 40 in 长辈模式) and visible buttons under 64 px."""
    from kivy.uix.button import Button
    from kivy.uix.label import Label

    out: list[str] = []

    def visit(widget: Any) -> None:
        if widget.opacity == 0 or widget.width <= 1 or widget.height <= 1:
            return
        if isinstance(widget, Label) and widget.text.strip():
            if widget.font_size < min_font:
                out.append(f"{widget.text[:12]!r} font {widget.font_size}")
            small = min(widget.width, widget.height) < 64
            if isinstance(widget, Button) and not widget.disabled and small:
                out.append(f"{widget.text[:12]!r} target {widget.width:.0f}x{widget.height:.0f}")
        for child in widget.children:
            visit(child)

    for child in window.children:
        visit(child)
    return out


class Harness:
    """Owns the running app; ``tap``, ``pump``, ``shot`` drive it like a finger and a camera."""

    def __init__(self, app: Any, backend: Any, tmp: Path) -> None:
        self.app = app
        self.backend = backend
        self.tmp = tmp
        from kivy.base import EventLoop

        self.loop = EventLoop

    def pump(self, frames: int = 3) -> None:
        for _ in range(frames):
            self.loop.idle()

    def tap(self, widget: Any, wait: bool = True) -> None:
        """A finger on the widget's centre (through the window, like a real touch); then, unless
        ``wait`` is False, the device calls it started are waited for (``settle``)."""
        from kivy.tests.common import UnitTestTouch

        assert widget.get_root_window() is not None, f"{widget} is not on screen"
        assert not getattr(widget, "disabled", False), f"{widget} is disabled"
        self.pump(1)
        x, y = widget.to_window(*widget.center)
        assert_visible(widget, x, y)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(2)
        if wait:
            self.settle()

    def settle(self, timeout: float = 30.0) -> None:
        """Pump frames until the device worker's calls are over and their results shown."""
        deadline = time.monotonic() + timeout
        while self.app.worker.pending or self.app.busy:
            if time.monotonic() > deadline:
                raise TimeoutError("device worker still busy")
            time.sleep(0.01)
            self.pump(1)
        self.pump(2)

    def button(self, parent: Any, text: str) -> Any:
        """The first button under ``parent`` whose text contains ``text``."""
        from kivy.uix.button import Button

        buttons = [
            w for w in parent.walk(restrict=True) if isinstance(w, Button) and not w.disabled
        ]
        for w in buttons:
            if (w.text or "").strip() == text:
                return w
        for w in buttons:
            if text in (w.text or ""):
                return w
        raise LookupError(f"no button {text!r}")

    def popup(self) -> Any:
        assert self.app.popups, "no popup open"
        return self.app.popups[-1]

    def press_keys(self, popup: Any, keys: str) -> None:
        """Tap keys on the on-screen keyboard or number pad."""
        for key in keys:
            if hasattr(popup, "letter_buttons"):
                self.tap(popup.letter_buttons[key])
            else:
                self.tap(popup.buttons[key])

    def type_digits(self, digits: str, ok: bool = True) -> None:
        pad = self.popup()
        self.press_keys(pad, digits)
        if ok:
            self.tap(pad.buttons["确定"])

    def device_calls(self) -> list[str]:
        """Record the busy texts of device calls from now on ("正在开柜…"): no timing involved."""
        calls: list[str] = []
        original = type(self.app).run_device

        def recording(app: Any, text: str, *args: Any, **kwargs: Any) -> None:
            calls.append(text)
            original(app, text, *args, **kwargs)

        self.app.run_device = recording.__get__(self.app)
        return calls

    def screen(self) -> Any:
        return self.app.sm.current_screen

    def shot(self, name: str) -> Path:
        """Save a screenshot; the screen shown must keep type ≥ 28 px (≥ 40 px in 长辈模式)
        and targets ≥ 64 px."""
        from kivy.core.window import Window

        self.pump(3)
        problems = size_problems(Window, 40 if getattr(self.app, "elder", False) else 28)
        assert not problems, f"{name}: " + "; ".join(problems[:8])
        SCREENS_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENS_DIR / f"{name}.png"
        tmp = Window.screenshot(str(self.tmp / f"{name}.png"))
        shutil.move(tmp, path)
        return path


def visible_texts(window: Any) -> list[str]:
    """The text of every label and button a person can see (screen and popups)."""
    from kivy.uix.label import Label

    out: list[str] = []

    def visit(widget: Any) -> None:
        if widget.opacity == 0 or widget.width <= 1 or widget.height <= 1:
            return
        if isinstance(widget, Label) and widget.text.strip():
            out.append(widget.text)
        for child in widget.children:
            visit(child)

    for child in window.children:
        visit(child)
    return out


def start(
    tmp: Path, size: tuple[int, int] = (1280, 800), **kiosk: Any
) -> tuple[Harness, subprocess.Popen | None]:
    """Xvfb, a temporary store with the demo compound, simulated devices, the kiosk built and
    shown in a window of ``size`` (``kiosk``: ``[kiosk]`` settings, e.g. ``audio_output``)."""
    xvfb = start_xvfb(size)
    kivy_env(tmp / "kivy")
    data = tmp / "data"
    settings = test_settings(data, size, **kiosk)
    from desk.demo import install_demo
    from desk.service import Desk
    from devices.manager import Devices
    from kiosk.backend import KioskBackend
    from kiosk.launch import build_app

    desk = Desk.open(settings)
    install_demo(desk)
    devices = Devices(settings, desk.printing, desk=desk).start()
    backend = KioskBackend(desk, devices, settings)
    app = build_app(settings, backend)
    from kivy.base import EventLoop

    EventLoop.ensure_window()
    app._run_prepare()
    h = Harness(app, backend, tmp)
    h.pump(5)
    return h, xvfb


def tempdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="kiosk-test-"))
