"""`reception demo`: the whole product on one machine as child processes (sim, hotline, kiosk).

Only starts and supervises `reception` subcommands; it imports none of the outer packages.
Their output is passed through with a tag, so the hotline's softphone instructions (how to
call it from baresip) show up on the terminal that started the demo.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from desk.config import Settings

log = logging.getLogger(__name__)

READY = {"sim": "virtual locks", "hotline": "热线已启动"}
"""A line each child prints once it is serving."""


@dataclass
class Child:
    name: str
    proc: subprocess.Popen
    ready: threading.Event = field(default_factory=threading.Event)
    lines: list[str] = field(default_factory=list)


def _argv(settings: Settings, *command: str) -> list[str]:
    argv = [sys.executable, "-m", "desk.cli"]
    if settings.source != "<defaults>":
        argv += ["--config", settings.source]
    return argv + ["--data", str(settings.store.data_dir), *command]


def _relay(child: Child, out: Iterable[str]) -> None:
    for line in out:
        text = line.rstrip("\n")
        child.lines.append(text)
        if READY.get(child.name, "\0") in text:
            child.ready.set()
        print(f"[{child.name}] {text}", flush=True)
    child.ready.set()  # ended: nobody waits for it any longer


def start(settings: Settings, name: str, *command: str) -> Child:
    proc = subprocess.Popen(
        _argv(settings, *command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    child = Child(name, proc)
    assert proc.stdout is not None
    threading.Thread(target=_relay, args=(child, proc.stdout), daemon=True).start()
    return child


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_demo(settings: Settings, commands: set[str], kiosk: bool | None = None) -> int:
    """Simulated devices, the hotline on 127.0.0.1 (behind kamailio when installed) and
    the kiosk; until the kiosk is closed, Ctrl-C or SIGTERM. ``commands``: the
    subcommands this install has (a part may be missing)."""
    children: list[Child] = []
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        if "sim" in commands:
            children.append(start(settings, "sim", "sim"))
            children[-1].ready.wait(20)
        if "hotline" in commands:
            softphone = settings.store.data_dir / "softphone"
            children.append(start(settings, "hotline", "hotline", "--workers", "2", "--front", "auto",
                                  "--softphone", str(softphone)))  # fmt: skip
            hot = children[-1]
            if not hot.ready.wait(120) or hot.proc.poll() is not None:
                print("热线启动失败，见上面的 [hotline] 输出 (hotline did not start)", flush=True)
        want_kiosk = has_display() if kiosk is None else kiosk
        if "kiosk" in commands and want_kiosk:
            children.append(start(settings, "kiosk", "kiosk"))
        elif "kiosk" in commands:
            print(
                "没有图形显示 (DISPLAY 未设置)：触摸屏未启动；热线和模拟设备照常运行。", flush=True
            )
        print("演示已启动：Ctrl-C 结束全部 (kiosk, hotline, sim)。", flush=True)
        kiosk_child = next((c for c in children if c.name == "kiosk"), None)
        while not stop.wait(0.5):
            if kiosk_child is not None and kiosk_child.proc.poll() is not None:
                break  # the kiosk was closed: the demo ends with it
            if all(c.proc.poll() is not None for c in children):
                break
    except KeyboardInterrupt:
        pass
    finally:
        for child in reversed(children):
            if child.proc.poll() is None:
                child.proc.terminate()
        deadline = time.monotonic() + 20
        for child in reversed(children):
            try:
                child.proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.proc.kill()
    codes = [c.proc.returncode for c in children if c.name == "kiosk"]
    return int(codes[0] or 0) if codes else 0
