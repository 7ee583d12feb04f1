"""`reception kiosk`: the lobby touchscreen on the configured store and devices."""

from __future__ import annotations

import argparse
import dataclasses
import logging
from typing import Any

log = logging.getLogger(__name__)


def cmd_kiosk(args: argparse.Namespace, settings: Any) -> int:
    """Run the kiosk until a staff member quits it."""
    changes = {}
    if getattr(args, "fullscreen", False):
        changes["fullscreen"] = True
    if getattr(args, "windowed", False):
        changes["fullscreen"] = False
    if getattr(args, "voice", False):
        changes["voice_guidance"] = True
    if changes:
        settings = dataclasses.replace(
            settings, kiosk=dataclasses.replace(settings.kiosk, **changes)
        )
    from kiosk.launch import run

    return run(settings)


def cmd_desk(args: argparse.Namespace, settings: Any) -> int:
    """`reception desk`: the staff side in a window on the desk's PC, on the same store."""
    changes: dict[str, Any] = {"desk_mode": True, "fullscreen": False}
    if getattr(args, "lock_minutes", None):
        changes["desk_lock_minutes"] = args.lock_minutes
    settings = dataclasses.replace(settings, kiosk=dataclasses.replace(settings.kiosk, **changes))
    from kiosk.launch import run

    return run(settings)


def demo(settings: Any) -> int:
    """`reception demo` (after setting up the demo data): the kiosk as configured."""
    return cmd_kiosk(argparse.Namespace(), settings)


def register(subparsers: Any) -> None:
    """Add the `kiosk` subcommand."""
    p = subparsers.add_parser("kiosk", help="run the lobby touchscreen (访客/报修/取快递)")
    p.add_argument("--fullscreen", action="store_true", help="borderless fullscreen without cursor")
    p.add_argument("--windowed", action="store_true", help="a window (demo)")
    p.add_argument("--voice", action="store_true", help="read each screen's prompt aloud")
    p.set_defaults(func=cmd_kiosk)
    p = subparsers.add_parser(
        "desk", help="the staff desk in a window on the desk's PC (login, lock)"
    )
    p.add_argument("--lock-minutes", type=int, help="lock after this many idle minutes")
    p.set_defaults(func=cmd_desk)
