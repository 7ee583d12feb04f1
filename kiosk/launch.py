"""Start the kiosk: Kivy configured before the window exists, the CJK font, the backend, the App."""

from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)


def configure_kivy(settings: Any) -> None:
    """Window and input settings; must run before ``kivy.core.window`` is imported."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
    from kivy.config import Config

    k = settings.kiosk
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")
    Config.set("input", "mouse", "mouse,disable_multitouch")
    if k.fullscreen:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
        Config.set("graphics", "show_cursor", "0")
    else:
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "width", str(k.width))
        Config.set("graphics", "height", str(k.height))
    Config.set("graphics", "resizable", "0")
    # no multisampling: with software GL (no GPU, Xvfb) it doubles the cost of every frame
    Config.set("graphics", "multisamples", "0")
    from kiosk.fonts import register_default_font

    register_default_font(k.font_path)


def build_app(settings: Any, backend: Any = None) -> Any:
    """The configured KioskApp (not yet running); opens the real Desk and devices if no backend is given."""
    configure_kivy(settings)
    from kiosk.app import KioskApp

    if backend is None:
        from kiosk.backend import open_backend

        backend = open_backend(settings)
    return KioskApp(settings, backend)


def run(settings: Any) -> int:
    app = build_app(settings)
    try:
        app.run()
    finally:
        backend = app.backend
        if backend is not None and backend.devices is not None:
            backend.devices.stop()
        if backend is not None:
            backend.desk.close()
    return 0
