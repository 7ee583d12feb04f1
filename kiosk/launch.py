"""Start the kiosk: Kivy configured before the window exists, the CJK font, the backend, the App."""

from __future__ import annotations

import logging
import os
import signal
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

    register_default_font(k.font_path, getattr(k, "font_face", "SC"))


def stop_on_signals() -> None:
    """SIGTERM (systemd stop) and SIGINT (Ctrl-C) end the kiosk cleanly.

    Installed before SDL starts: otherwise SDL turns them into a window-close request, which
    the kiosk refuses (no exit without a staff PIN) and the process never stops.
    """

    def handler(signum: int, _frame: object) -> None:
        from kivy.app import App

        app = App.get_running_app()
        log.info("signal %s: stopping the kiosk", signum)
        if app is None:
            raise SystemExit(128 + signum)
        app._allow_close = True
        app.stop()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)


def build_app(settings: Any, backend: Any = None) -> Any:
    """The configured KioskApp (not yet running); opens the real Desk and devices if no backend is given."""
    configure_kivy(settings)
    from kiosk.app import KioskApp

    if backend is None:
        from kiosk.backend import open_backend

        # the desk's PC has no printer or lock boards: its print jobs go to the store's queue
        backend = open_backend(
            settings, with_devices=not getattr(settings.kiosk, "desk_mode", False)
        )
    return KioskApp(settings, backend)


def run(settings: Any) -> int:
    stop_on_signals()  # before SDL starts (build_app opens the window)
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
